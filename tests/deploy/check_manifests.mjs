// Checks pactum's deployment files: the Kubernetes manifests of
// deploy/kubernetes and the Compose file deploy/compose.yaml.
//
//   node check_manifests.mjs kubernetes DIR  --openapi openapi.json --pactum BIN
//   node check_manifests.mjs compose FILE    --openapi openapi.json --pactum BIN
//
// Prints one line per problem and exits 1 when there is any, 0 otherwise
// (2: bad usage or a tool missing).
//
// Two layers:
//  1. What a validator knows. Kubernetes: every document against the API's
//     schema (the OpenAPI definitions of Kubernetes, compiled to validators
//     by the npm package kubernetes-models: types, required fields, enums,
//     formats), plus fields the schema does not declare (kubectl refuses
//     those too: a typo such as livenesProbe would otherwise pass unseen),
//     plus API versions and fields that a Kubernetes 1.27 cluster does not
//     serve. Compose: the Compose specification's JSON schema and a few
//     correctness rules, both from the npm package dclint.
//  2. What no validator can know, from pactum's own behaviour: option and
//     environment names that `pactum serve` accepts (read from BIN's
//     --help), the grace period against --shutdown-seconds and the preStop
//     sleep, probe paths that exist in openapi.json, the memory limit against
//     the worker address-space cap and the uploads held in memory, selectors
//     that select the pods, Secrets and keys that exist, nginx upstreams that
//     name the replicas. Each rule's reason is given where it is checked.
//
// Installed by ./scripts/test (npm ci --prefix tests/deploy, pinned by
// package-lock.json); nothing is downloaded when it runs.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function fail(message) {
  console.error(`check_manifests: ${message}`);
  process.exit(2);
}

let YAML;
try {
  YAML = require("yaml");
  require.resolve("kubernetes-models/apps/v1");
  require.resolve("dclint/package.json");
} catch {
  fail(`the npm tools are not installed (${here}/node_modules); run ./scripts/test, which installs them (npm ci --prefix tests/deploy)`);
}

const problems = [];
function problem(where, message) {
  problems.push(`${where}: ${message}`);
}

const MiB = 1024 * 1024;

// ---- pactum's own command line ---------------------------------------------

// The options of `pactum serve`, read from its --help: name -> {env, def}.
function serveOptions(bin) {
  const r = spawnSync(bin, ["serve", "--help"], { encoding: "utf8" });
  if (r.status !== 0) fail(`${bin} serve --help failed: ${r.stderr || r.error}`);
  const options = new Map();
  for (const line of r.stdout.split("\n")) {
    const m = /^\s+(--[a-z0-9-]+)(.*)$/.exec(line);
    if (!m || m[1] === "--help") continue;
    const env = /\(Env:(\w+)\)/.exec(m[2]);
    const spec = m[2].replace(/\(Env:\w+\)/, "").trim();
    const def = /=([^\s=()\]]+)$/.exec(spec);
    options.set(m[1], { env: env ? env[1] : null, def: def ? def[1] : null });
  }
  if (!options.has("--shutdown-seconds") || !options.has("--worker-memory")) {
    fail(`${bin} serve --help does not list --shutdown-seconds and --worker-memory`);
  }
  return options;
}

// Environment variables pactum reads that are no `serve` option.
const EXTRA_ENV = new Set(["PACTUM_SIGN_P12_PASSWORD", "PACTUM_OCR_MODULE", "PACTUM_MODULE_DIR"]);
// Options whose value is a file the service reads.
const FILE_OPTIONS = new Set(["--api-keys", "--tls-cert", "--tls-key", "--trust-anchors", "--intermediates", "--crl",
  "--sign-p12", "--sign-p12-password-file", "--sign-key", "--sign-cert", "--ocsp-response"]);

// The effective settings of one `pactum serve`: its arguments after "serve"
// (the option wins), then its environment, then the default of --help.
// Reports unknown options and PACTUM_* variables that pactum does not read.
function resolveServe(where, args, env, options) {
  const given = new Map();
  for (let i = 0; i < args.length; ++i) {
    const a = String(args[i]);
    if (!a.startsWith("--")) {
      problem(where, `unexpected argument ${JSON.stringify(a)} (pactum serve takes options only)`);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!options.has(name)) {
      problem(where, `unknown option ${name}: pactum serve --help does not list it`);
      continue;
    }
    given.set(name, eq > 0 ? a.slice(eq + 1) : String(args[++i] ?? ""));
  }
  const byEnv = new Map([...options].filter(([, o]) => o.env).map(([n, o]) => [o.env, n]));
  for (const name of Object.keys(env)) {
    if (name.startsWith("PACTUM_") && !byEnv.has(name) && !EXTRA_ENV.has(name)) {
      problem(where, `environment variable ${name}: pactum serve reads no such variable`);
    }
  }
  return {
    get(name) {
      if (given.has(name)) return given.get(name);
      const o = options.get(name);
      if (o.env && env[o.env] !== undefined) return String(env[o.env]);
      return o.def;
    },
    files: [...given].filter(([n]) => FILE_OPTIONS.has(n)).map(([n, v]) => [n, v]),
  };
}

// pactum's sizes: bytes, or a number with KiB, MiB, GiB (KB, MB, GB and K,
// M, G also 1024-based), as `pactum serve --help` says.
function pactumBytes(text) {
  const m = /^(\d+)\s*([kmg]i?b?|b)?$/i.exec(String(text ?? "").trim());
  if (!m) return NaN;
  const unit = (m[2] || "b").toLowerCase()[0];
  return Number(m[1]) * ({ b: 1, k: 1024, m: MiB, g: 1024 * MiB }[unit]);
}

function intOf(text) {
  return /^\d+$/.test(String(text ?? "")) ? Number(text) : NaN;
}

// The serving process's own memory besides uploads: measured 22 MB idle,
// 25-30 MB while extracting and archiving (bench/deploy/rss.sh).
const PARENT_BASE_BYTES = 64 * MiB;
// Bytes beyond the document cap that a request body may carry
// (kBodySlackBytes, service/upload.h).
const BODY_SLACK_BYTES = MiB;

// The rule between the memory limit and pactum's settings, shared by both
// targets. The kernel's OOM killer must never fire: on cgroup v2 it ends
// every process of the container, the requests in flight with them. So the
// limit covers the worst case pactum allows:
//  - each worker process's address space is capped (RLIMIT_AS,
//    --worker-memory / PACTUM_WORKER_MEMORY); its RSS cannot exceed its
//    address space, so the workers together stay below workers x cap. (The
//    cap is on address space, not RSS, and address space runs well above RSS
//    (bench/deploy/rss.sh: 193 MB VmPeak for 143 MB peak RSS), so this is
//    conservative, but it is the only bound that holds whatever the document.)
//  - the serving process holds each upload whole, one per connection
//    thread (--http-threads; 0 means workers + queue + 4, at least 256), and
//    an original read back from the archive likewise: http-threads x
//    (--max-upload-bytes + the multipart slack).
//  - its own memory: PARENT_BASE_BYTES.
// A worker cap of 0 (none) or an unknown worker count bounds nothing.
function checkMemory(where, serve, limitBytes, requestBytes) {
  const workers = intOf(serve.get("--workers"));
  const queue = intOf(serve.get("--queue"));
  const cap = pactumBytes(serve.get("--worker-memory"));
  const upload = pactumBytes(serve.get("--max-upload-bytes"));
  let threads = intOf(serve.get("--http-threads"));
  if (!(workers > 0)) {
    problem(where, "--workers (PACTUM_WORKERS) must be set above 0: 0 means one per hardware thread of the node, which a container's memory limit cannot be sized for");
    return;
  }
  if (Number.isNaN(cap) || cap === 0) {
    problem(where, `--worker-memory (PACTUM_WORKER_MEMORY) ${serve.get("--worker-memory")}: must be a size above 0, or nothing bounds the workers' memory`);
    return;
  }
  if (threads === 0) threads = Math.max(workers + queue + 4, 256);
  if (limitBytes === undefined) {
    problem(where, "no memory limit: the memory rule cannot hold");
    return;
  }
  const need = workers * cap + threads * (upload + BODY_SLACK_BYTES) + PARENT_BASE_BYTES;
  const mib = (b) => `${Math.round(b / MiB)} MiB`;
  if (limitBytes < need) {
    problem(where, `memory limit ${mib(limitBytes)} is below the worst case pactum allows, ${mib(need)}: ` +
      `${workers} workers x ${mib(cap)} (--worker-memory) + ${threads} http threads x ${mib(upload + BODY_SLACK_BYTES)} (uploads) + ${mib(PARENT_BASE_BYTES)}`);
  }
  if (cap >= limitBytes) {
    problem(where, `PACTUM_WORKER_MEMORY ${mib(cap)} is not below the memory limit ${mib(limitBytes)}: one worker could fill the container`);
  }
  if (requestBytes !== undefined && requestBytes > limitBytes) {
    problem(where, `memory request ${mib(requestBytes)} is above the limit ${mib(limitBytes)}`);
  }
}

// --shutdown-seconds: after SIGTERM pactum lets requests in flight finish
// this long. A document admitted just before SIGTERM may take
// --timeout-seconds, so the shutdown must last at least that long.
function checkShutdown(where, serve) {
  const shutdown = intOf(serve.get("--shutdown-seconds"));
  const timeout = intOf(serve.get("--timeout-seconds"));
  if (!(shutdown >= timeout)) {
    problem(where, `--shutdown-seconds ${shutdown} is below --timeout-seconds ${timeout}: documents admitted before SIGTERM would be cut off`);
  }
  return shutdown;
}

// The GET paths of the OpenAPI document.
function openapiGetPaths(file) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  return new Set(Object.entries(doc.paths).filter(([, ops]) => ops.get).map(([p]) => p));
}

function checkProbePath(where, probePath, getPaths, openapiFile) {
  if (!getPaths.has(probePath)) {
    problem(where, `${probePath} is not a GET path of ${path.basename(openapiFile)} (${[...getPaths].join(", ")})`);
  }
}

// ---- YAML -------------------------------------------------------------------

function loadYamlDocs(file) {
  const text = fs.readFileSync(file, "utf8");
  const docs = [];
  for (const d of YAML.parseAllDocuments(text, { merge: true, uniqueKeys: true })) {
    for (const e of d.errors) problem(path.basename(file), `YAML: ${e.message.split("\n")[0]}`);
    const js = d.toJS({ maxAliasCount: 100 });
    if (js !== null && js !== undefined) docs.push(js);
  }
  return docs;
}

// ---- Kubernetes ---------------------------------------------------------------

// Fields of the schemas (Kubernetes 1.33's, as kubernetes-models 4.5.1 ships
// them) that a 1.27 cluster does not serve, among those a pod spec like ours
// might use. The API server of 1.27 drops unknown fields (or refuses them,
// with kubectl's strict field validation).
const NEWER_THAN_1_27 = [
  [/\/lifecycle\/(preStop|postStart)\/sleep$/, "the lifecycle sleep action (Kubernetes 1.29 alpha, 1.30 beta): exec /bin/sleep instead"],
  [/\/lifecycle\/stopSignal$/, "lifecycle.stopSignal (Kubernetes 1.33)"],
  [/\/securityContext\/appArmorProfile$/, "securityContext.appArmorProfile (Kubernetes 1.30): use the annotation"],
  [/^\/spec\/template\/spec\/resources$/, "pod-level resources (Kubernetes 1.32)"],
  [/^\/spec\/trafficDistribution$/, "spec.trafficDistribution (Kubernetes 1.30)"],
  [/\/volumes\/\d+\/image$/, "image volumes (Kubernetes 1.31)"],
];

// The kubernetes-models class for apiVersion and kind, or an error text.
function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return "apiVersion and kind must be strings";
  if (/(alpha|beta)\d*$/.test(apiVersion)) {
    return `${apiVersion} is a pre-release API version: not served by every Kubernetes from 1.27 on (use the stable one)`;
  }
  let group;
  try {
    group = require(`kubernetes-models/${apiVersion}`);
  } catch {
    return `no schema for apiVersion ${apiVersion}`;
  }
  return typeof group[kind] === "function" ? group[kind] : `no schema for ${apiVersion} ${kind}`;
}

// Wraps obj so that every property the schema's validator reads is
// recorded; report() lists the properties it never read: fields the schema
// does not declare. (Objects the validator enumerates, such as label maps,
// count as fully read.)
function watchReads(obj, pointer, unknown) {
  const read = new Set();
  const children = new Map();
  let enumerated = false;
  const proxy = new Proxy(obj, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return value;
      read.add(key);
      if (value && typeof value === "object" && Object.prototype.hasOwnProperty.call(target, key)) {
        if (!children.has(key)) children.set(key, watchReads(value, `${pointer}/${key}`, unknown));
        return children.get(key).proxy;
      }
      return value;
    },
    ownKeys(target) {
      enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  return {
    proxy,
    report() {
      if (!enumerated) {
        for (const key of Object.keys(obj)) if (!read.has(key)) unknown.push(`${pointer}/${key}`);
      }
      for (const child of children.values()) child.report();
    },
  };
}

function walk(value, pointer, visit) {
  visit(pointer, value);
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) walk(v, `${pointer}/${k}`, visit);
  }
}

function validateSchema(where, doc) {
  const Model = modelFor(doc.apiVersion, doc.kind);
  if (typeof Model === "string") {
    problem(where, Model);
    return;
  }
  const unknown = [];
  const watched = watchReads(new Model(doc), "", unknown);
  try {
    watched.proxy.validate();
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    for (const err of e.errors) {
      const allowed = err.params?.allowedValues ? ` (${err.params.allowedValues.join(", ")})` : "";
      problem(where, `${err.instancePath || "/"}: ${err.message}${allowed}`);
    }
  }
  watched.report();
  for (const field of unknown) problem(where, `${field}: unknown field (not in the ${doc.apiVersion} ${doc.kind} schema)`);
  walk(doc, "", (pointer) => {
    for (const [re, what] of NEWER_THAN_1_27) if (re.test(pointer)) problem(where, `${pointer}: ${what}`);
  });
}

// Kubernetes quantities: 4Gi, 512Mi, 1G, 500M, 1e9, plain bytes.
function k8sBytes(q) {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|e\d+)?$/.exec(String(q ?? ""));
  if (!m) return undefined;
  const unit = m[2] || "";
  const scale = unit.startsWith("e") ? 10 ** Number(unit.slice(1))
    : { "": 1, Ki: 1024, Mi: MiB, Gi: 1024 * MiB, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[unit];
  return Number(m[1]) * scale;
}

function matches(selector, labels) {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

function checkKubernetes(dir, getPaths, openapiFile, options) {
  const kustFile = path.join(dir, "kustomization.yaml");
  if (!fs.existsSync(kustFile)) {
    problem(dir, "no kustomization.yaml");
    return 0;
  }
  const [kust] = loadYamlDocs(kustFile);
  const kw = "kustomization.yaml";
  if (kust?.apiVersion !== "kustomize.config.k8s.io/v1beta1" || kust?.kind !== "Kustomization") {
    problem(kw, "must be apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization");
  }
  // Only fields that do not rewrite the manifests' content (images only
  // swaps the image name), so that what is checked here is what is applied.
  for (const key of Object.keys(kust ?? {})) {
    if (!["apiVersion", "kind", "resources", "images"].includes(key)) {
      problem(kw, `${key}: not checked by this test (it would change the manifests as applied); extend tests/deploy/check_manifests.mjs first`);
    }
  }
  const listed = kust?.resources ?? [];
  const present = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml");
  for (const f of listed) if (!present.includes(f)) problem(kw, `resources: ${f} does not exist in ${dir}`);
  for (const f of present) if (!listed.includes(f)) problem(kw, `${f} is not listed in resources: kubectl apply -k would leave it out`);

  const objects = [];
  for (const f of listed.filter((x) => present.includes(x))) {
    for (const doc of loadYamlDocs(path.join(dir, f))) {
      const where = `${f}: ${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}`;
      if (typeof doc !== "object" || Array.isArray(doc)) {
        problem(f, "a document is not a mapping");
        continue;
      }
      validateSchema(where, doc);
      objects.push({ where, doc });
    }
  }
  const byKind = (kind) => objects.filter((o) => o.doc.kind === kind);
  const secrets = new Map(byKind("Secret").map((o) => [o.doc.metadata?.name,
    new Set([...Object.keys(o.doc.data ?? {}), ...Object.keys(o.doc.stringData ?? {})])]));
  const secretHas = (where, name, key) => {
    if (!secrets.has(name)) {
      problem(where, `Secret ${name} is not among these manifests (create it, or add it to secret.yaml)`);
    } else if (key !== undefined && !secrets.get(name).has(key)) {
      problem(where, `Secret ${name} has no key ${key}`);
    }
  };
  const hpas = byKind("HorizontalPodAutoscaler");
  const pdbs = byKind("PodDisruptionBudget");
  const deployments = byKind("Deployment");
  if (deployments.length === 0) problem(dir, "no Deployment");

  for (const { where, doc } of deployments) {
    const spec = doc.spec ?? {};
    const pod = spec.template?.spec ?? {};
    const podLabels = spec.template?.metadata?.labels ?? {};
    if (spec.selector && !matches(spec.selector.matchLabels, podLabels)) {
      problem(where, "spec.selector.matchLabels does not match the pod template's labels");
    }
    const myHpas = hpas.filter((h) => h.doc.spec?.scaleTargetRef?.kind === "Deployment" &&
                                      h.doc.spec?.scaleTargetRef?.name === doc.metadata?.name);
    if (myHpas.length > 0 && spec.replicas !== undefined) {
      problem(where, "spec.replicas is set although a HorizontalPodAutoscaler scales this Deployment: every apply would reset its choice");
    }
    // Kubernetes puts {SERVICE}_PORT=tcp://... into the environment of pods
    // for each Service; for a Service named pactum that is PACTUM_PORT,
    // which pactum reads as its --port (workers and `pactum health` too).
    if (pod.enableServiceLinks !== false) {
      problem(where, "enableServiceLinks must be false: the Service pactum would put PACTUM_PORT=tcp://... into the environment, which pactum reads as --port");
    }
    const containers = (pod.containers ?? []).filter((c) => (c.args ?? c.command ?? [])[0] === "serve" ||
                                                            (c.command ?? []).includes("serve"));
    if (containers.length !== 1) {
      problem(where, "expected one container running `pactum serve` (args: [serve, ...])");
      continue;
    }
    const c = containers[0];
    const cw = `${where}: container ${c.name}`;
    const args = c.command?.includes("serve") ? c.command.slice(c.command.indexOf("serve") + 1).concat(c.args ?? [])
      : (c.args ?? []).slice(1);
    const env = {};
    for (const e of c.env ?? []) {
      env[e.name] = e.value ?? "";
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) secretHas(`${cw}: env ${e.name}`, ref.name, ref.key);
    }
    const serve = resolveServe(cw, args, env, options);
    const host = serve.get("--host");
    if (host.startsWith("127.") || host === "localhost" || host === "::1") {
      problem(cw, `--host ${host}: the kubelet's probes and the Service reach the pod's address, not loopback (0.0.0.0 or ::)`);
    }
    const port = intOf(serve.get("--port"));
    const ports = c.ports ?? [];
    const servePort = ports.find((p) => p.containerPort === port);
    if (!servePort) problem(cw, `no containerPort ${port} (the port pactum listens on, --port)`);
    const portMatches = (p) => (typeof p === "number" ? p === port : servePort?.name === p);
    const portName = (p) => (typeof p === "number" ? p : ports.some((x) => x.name === p) ? p : null);

    // Probes: the paths must exist; readiness is /readyz (503 when the pod
    // can take no more work); liveness must not be /readyz (a busy pod would
    // be restarted, losing its requests in flight).
    for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      const probe = c[kind];
      if (!probe) {
        if (kind !== "startupProbe") problem(cw, `no ${kind}`);
        continue;
      }
      const get = probe.httpGet;
      if (!get) {
        problem(cw, `${kind}: an httpGet probe of pactum's health endpoints is expected`);
        continue;
      }
      checkProbePath(`${cw}: ${kind}`, get.path, getPaths, openapiFile);
      if (portName(get.port) === null) problem(`${cw}: ${kind}`, `port ${JSON.stringify(get.port)} names no containerPort`);
      else if (!portMatches(get.port)) problem(`${cw}: ${kind}`, `port ${get.port} is not the port pactum listens on (${port})`);
      if (kind === "readinessProbe" && get.path !== "/readyz") problem(`${cw}: ${kind}`, "must ask /readyz (503 when this pod can take no more work)");
      if (kind === "livenessProbe" && get.path === "/readyz") problem(`${cw}: ${kind}`, "must not ask /readyz: a busy pod would be restarted");
    }

    // Stop: preStop sleep, then SIGTERM, then --shutdown-seconds for the
    // requests in flight; the grace period counts from the preStop's start.
    const shutdown = checkShutdown(cw, serve);
    const pre = c.lifecycle?.preStop;
    let sleep = 0;
    if (pre?.exec?.command) {
      const cmd = pre.exec.command.map(String);
      const m = path.basename(cmd[0]) === "sleep" ? /^(\d+)$/.exec(cmd[1] ?? "") : /\bsleep (\d+)\b/.exec(cmd.join(" "));
      sleep = m ? Number(m[1]) : 0;
    } else if (pre?.sleep) {
      sleep = Number(pre.sleep.seconds);
    }
    if (!(sleep > 0)) {
      problem(cw, "no preStop sleep: the Service (kube-proxy, ingress) may still send new connections after SIGTERM, which are then refused");
    }
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    if (!(grace > shutdown + sleep)) {
      problem(where, `terminationGracePeriodSeconds ${grace} must exceed --shutdown-seconds ${shutdown} + preStop sleep ${sleep}: ` +
        "the kubelet would kill pactum while requests are still finishing");
    }

    checkMemory(cw, serve, k8sBytes(c.resources?.limits?.memory), k8sBytes(c.resources?.requests?.memory));

    // Non-root, read-only root, and the one writable place (/tmp).
    const psc = pod.securityContext ?? {};
    const sc = c.securityContext ?? {};
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) problem(cw, "runAsNonRoot must be true");
    if ((sc.runAsUser ?? psc.runAsUser) === undefined) {
      problem(cw, "runAsUser must be set: the image names its user (USER pactum), which the kubelet cannot check against runAsNonRoot");
    }
    if (sc.allowPrivilegeEscalation !== false) problem(cw, "allowPrivilegeEscalation must be false");
    if (sc.readOnlyRootFilesystem !== true) problem(cw, "readOnlyRootFilesystem must be true");
    const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
    const mounts = c.volumeMounts ?? [];
    const tmp = mounts.find((m) => m.mountPath === "/tmp");
    if (!tmp || !volumes.get(tmp.name)?.emptyDir) problem(cw, "no emptyDir volume at /tmp (the root filesystem is read-only)");
    if (env.XDG_CACHE_HOME && !env.XDG_CACHE_HOME.startsWith("/tmp/")) problem(cw, "XDG_CACHE_HOME must lie in the /tmp volume");
    for (const m of mounts) if (!volumes.has(m.name)) problem(cw, `volumeMount ${m.name}: no such volume`);

    // Files named on the command line: under a mount, and the mounted
    // Secret has that key.
    for (const [opt, file] of serve.files) {
      const m = mounts.find((x) => file.startsWith(`${x.mountPath.replace(/\/$/, "")}/`));
      if (!m) {
        problem(cw, `${opt} ${file}: not under any volumeMount`);
        continue;
      }
      const rel = file.slice(m.mountPath.replace(/\/$/, "").length + 1);
      const v = volumes.get(m.name);
      if (v?.secret) {
        const item = (v.secret.items ?? []).find((i) => i.path === rel);
        if (v.secret.items && !item) problem(cw, `${opt} ${file}: volume ${v.name} has no item with path ${rel}`);
        secretHas(`${cw}: ${opt}`, v.secret.secretName, item ? item.key : rel);
      }
    }
    for (const v of volumes.values()) if (v.secret) secretHas(`${where}: volume ${v.name}`, v.secret.secretName);

    // What selects these pods.
    for (const s of byKind("Service")) {
      if (!matches(s.doc.spec?.selector, podLabels) || Object.keys(s.doc.spec?.selector ?? {}).length === 0) {
        problem(s.where, "spec.selector selects no pod of the Deployment");
        continue;
      }
      for (const p of s.doc.spec?.ports ?? []) {
        const target = p.targetPort ?? p.port;
        if (portName(target) === null) problem(s.where, `targetPort ${JSON.stringify(target)} names no containerPort`);
        else if (!portMatches(target)) problem(s.where, `targetPort ${target} is not the port pactum listens on (${port})`);
      }
    }
    for (const p of pdbs) {
      if (!matches(p.doc.spec?.selector?.matchLabels, podLabels)) problem(p.where, "spec.selector selects no pod of the Deployment");
    }
    for (const h of myHpas) {
      const min = h.doc.spec?.minReplicas ?? 1;
      // One pod may be down at any time (drain, PodDisruptionBudget,
      // rollout): with a single replica that is an outage.
      if (min < 2) problem(h.where, `minReplicas ${min}: at least 2, so that one serves while another is drained or restarted`);
      for (const p of pdbs) {
        const ma = p.doc.spec?.minAvailable;
        if (typeof ma === "number" && ma >= min) problem(p.where, `minAvailable ${ma} >= the HPA's minReplicas ${min}: node drains would block`);
      }
      const cpu = (h.doc.spec?.metrics ?? []).some((m) => m.resource?.name === "cpu" && m.resource?.target?.type === "Utilization");
      if (cpu && c.resources?.requests?.cpu === undefined) {
        problem(h.where, "CPU utilization is relative to the container's CPU request, which is not set");
      }
    }
  }
  for (const h of hpas) {
    const ref = h.doc.spec?.scaleTargetRef ?? {};
    if (!deployments.some((d) => ref.kind === "Deployment" && d.doc.metadata?.name === ref.name)) {
      problem(h.where, `scaleTargetRef: no ${ref.kind} ${ref.name} among these manifests`);
    }
  }
  return objects.length;
}

// ---- Compose --------------------------------------------------------------------

// dclint: the Compose specification's JSON schema (always applied), and its
// rules as configured in dclint.json: on, the rules about correctness
// (duplicate container names or published ports, ports without an
// interface, image tags, the obsolete version field, a project name) and
// quoted ports; off, the rules about the order of keys and services (this
// file is ordered for reading, with comments) and no-build-and-image (the
// replicas build the image and tag it, so that both use one image).
// Warnings count as problems (--max-warnings 0).
function runDclint(file) {
  const bin = path.join(path.dirname(require.resolve("dclint/package.json")), "bin", "dclint.cjs");
  const r = spawnSync(process.execPath, [bin, file, "-c", path.join(here, "dclint.json"), "--max-warnings", "0"],
                      { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  if (r.status !== 0) {
    const lines = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.trim())
      .filter((l) => /\b(error|warning)\b/.test(l) && !/problems?\s*\(/.test(l));
    problem(path.basename(file), `dclint (Compose schema and rules): ${lines.join(" | ") || `exit ${r.status}`}`);
  }
}

// Compose durations: 1m30s, 160s, 2m.
function seconds(duration) {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/.exec(String(duration ?? ""));
  if (!m || !duration) return NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

// Compose byte values: 4608m, 1g, 512k, plain bytes (1024-based).
function composeBytes(value) {
  const m = /^(\d+)([bkmg])?$/i.exec(String(value ?? ""));
  return m ? Number(m[1]) * { b: 1, k: 1024, m: MiB, g: 1024 * MiB }[(m[2] || "b").toLowerCase()] : undefined;
}

function envMap(environment) {
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((e) => [e.split("=")[0], e.includes("=") ? e.slice(e.indexOf("=") + 1) : ""]));
  }
  return Object.fromEntries(Object.entries(environment ?? {}).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

function dependsOn(service) {
  const d = service.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, { condition: "service_started" }])) : d;
}

function checkCompose(file, getPaths, openapiFile, options) {
  runDclint(file);
  const [doc] = loadYamlDocs(file);
  const base = path.dirname(file);
  const fw = path.basename(file);
  const services = doc?.services ?? {};
  const isImage = (s, name) => String(s.image ?? "").split(":")[0].split("/").pop() === name;
  const pactums = Object.entries(services).filter(([, s]) => isImage(s, "pactum"));
  const postgres = Object.entries(services).filter(([, s]) => isImage(s, "postgres"));
  const nginx = Object.entries(services).filter(([, s]) => isImage(s, "nginx"));
  if (pactums.length < 2) problem(fw, `${pactums.length} pactum services: two replicas or more are expected`);
  if (postgres.length !== 1) problem(fw, "expected one PostgreSQL service (image postgres:...)");
  if (nginx.length !== 1) problem(fw, "expected one nginx service (image nginx:...)");
  const pgName = postgres[0]?.[0];
  const declaredVolumes = new Set(Object.keys(doc?.volumes ?? {}));

  // Bind mounts must exist; named volumes must be declared.
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const source = typeof v === "string" ? v.split(":")[0] : v.source;
      if (!source) continue;
      if (source.startsWith(".") || source.startsWith("/")) {
        if (!fs.existsSync(path.resolve(base, source))) problem(`${fw}: ${name}`, `bind mount ${source} does not exist`);
      } else if (!declaredVolumes.has(source)) {
        problem(`${fw}: ${name}`, `named volume ${source} is not declared under the top-level volumes`);
      }
    }
  }

  let pgPassword;
  if (pgName) {
    const pg = services[pgName];
    const penv = envMap(pg.environment);
    pgPassword = penv.POSTGRES_PASSWORD;
    if (!pgPassword) problem(`${fw}: ${pgName}`, "no POSTGRES_PASSWORD");
    if (!pg.healthcheck?.test) problem(`${fw}: ${pgName}`, "no healthcheck: the pactum services wait for it (service_healthy)");
    const data = (pg.volumes ?? []).find((v) => (typeof v === "string" ? v.split(":")[1] : v.target) === "/var/lib/postgresql/data");
    const dataSource = data && (typeof data === "string" ? data.split(":")[0] : data.source);
    if (!data || !declaredVolumes.has(dataSource)) problem(`${fw}: ${pgName}`, "the database (/var/lib/postgresql/data) must be on a named volume");
  }

  const servePorts = new Map();
  for (const [name, s] of pactums) {
    const w = `${fw}: ${name}`;
    const env = envMap(s.environment);
    const command = typeof s.command === "string" ? s.command.split(/\s+/) : (s.command ?? ["serve"]);
    if (command[0] !== "serve") {
      problem(w, "command must be serve [options] (the image's entrypoint is pactum)");
      continue;
    }
    // The image sets PACTUM_HOST=0.0.0.0 and PACTUM_PORT=8080 (Dockerfile).
    const serve = resolveServe(w, command.slice(1), { PACTUM_HOST: "0.0.0.0", PACTUM_PORT: "8080", ...env }, options);
    const port = intOf(serve.get("--port"));
    servePorts.set(name, port);
    const store = serve.get("--store") ?? "";
    const host = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?([^:/?]+)/.exec(store)?.[1];
    if (!host) problem(w, `--store ${store}: the replicas share one archive and job queue: a postgresql:// URI is expected`);
    else if (host !== pgName) problem(w, `--store names host ${host}, which is not the PostgreSQL service ${pgName}`);
    if (!env.PGPASSWORD) problem(w, "no PGPASSWORD (libpq reads the database password from it)");
    else if (pgPassword !== undefined && env.PGPASSWORD !== pgPassword) {
      problem(w, `PGPASSWORD ${env.PGPASSWORD} is not the database's POSTGRES_PASSWORD ${pgPassword}`);
    }
    if (pgName && dependsOn(s)[pgName]?.condition !== "service_healthy") {
      problem(w, `depends_on ${pgName} with condition service_healthy is expected: pactum opens the archive at start`);
    }
    // Health: `pactum health` (the image has no curl) against /readyz.
    const test = s.healthcheck?.test ?? [];
    const words = Array.isArray(test) ? test.slice(test[0] === "CMD" || test[0] === "CMD-SHELL" ? 1 : 0) : String(test).split(/\s+/);
    if (path.basename(words[0] ?? "") !== "pactum" || words[1] !== "health") {
      problem(w, "healthcheck: `pactum health` is expected (the image has no curl)");
    } else {
      const i = words.indexOf("--url");
      const url = i >= 0 ? words[i + 1] : `http://127.0.0.1:${port}/readyz`;
      const u = /^http:\/\/[^/:]+(?::(\d+))?(\/[^?]*)?/.exec(url ?? "");
      if (!u) problem(w, `healthcheck: --url ${url} is not an http:// URL`);
      else {
        checkProbePath(`${w}: healthcheck`, u[2] ?? "/", getPaths, openapiFile);
        if (Number(u[1] ?? 80) !== port) problem(`${w}: healthcheck`, `port ${u[1] ?? 80} is not the port pactum listens on (${port})`);
      }
    }
    const shutdown = checkShutdown(w, serve);
    const grace = seconds(s.stop_grace_period ?? "10s");
    if (!(grace > shutdown)) {
      problem(w, `stop_grace_period ${s.stop_grace_period ?? "10s (default)"} must exceed --shutdown-seconds ${shutdown}: Docker would kill pactum while requests are still finishing`);
    }
    const limit = s.deploy?.resources?.limits?.memory ?? s.mem_limit;
    if (limit !== undefined) checkMemory(w, serve, composeBytes(limit), composeBytes(s.deploy?.resources?.reservations?.memory));
    if (s.read_only === true && !(s.tmpfs ?? []).some((t) => String(t).split(":")[0] === "/tmp")) {
      problem(w, "read_only without a tmpfs at /tmp");
    }
  }

  // nginx: starts when every replica is healthy, and its upstream names
  // exactly the replicas.
  for (const [name, s] of nginx) {
    const w = `${fw}: ${name}`;
    for (const [p] of pactums) {
      if (dependsOn(s)[p]?.condition !== "service_healthy") problem(w, `depends_on ${p} with condition service_healthy is expected`);
    }
    const up = (s.volumes ?? []).map((v) => (typeof v === "string" ? v.split(":") : [v.source, v.target]))
      .find(([, target]) => target?.endsWith("/upstream.conf"));
    if (!up) {
      problem(w, "no upstream.conf mounted (deploy/nginx/pactum.conf includes it)");
      continue;
    }
    const conf = path.resolve(base, up[0]);
    if (!fs.existsSync(conf)) continue;  // reported with the bind mounts
    const text = fs.readFileSync(conf, "utf8").replace(/#.*$/gm, "");
    const block = /upstream\s+pactum_backend\s*\{([^}]*)\}/.exec(text);
    if (!block) {
      problem(`${path.basename(conf)}`, "no upstream pactum_backend block");
      continue;
    }
    const servers = [...block[1].matchAll(/^\s*server\s+([^\s:;]+):(\d+)/gm)].map((m) => [m[1], Number(m[2])]);
    for (const [p, port] of servePorts) {
      if (!servers.some(([h, sp]) => h === p && sp === port)) problem(path.basename(conf), `no "server ${p}:${port};" for the replica ${p}`);
    }
    for (const [h, sp] of servers) {
      if (!servePorts.has(h)) problem(path.basename(conf), `server ${h}:${sp} is not a pactum service of ${fw}`);
    }
  }
  return Object.keys(services).length;
}

// ---- main ---------------------------------------------------------------------

function main(argv) {
  const [target, input, ...rest] = argv;
  const flags = {};
  for (let i = 0; i < rest.length; i += 2) flags[rest[i]] = rest[i + 1];
  if (!["kubernetes", "compose"].includes(target) || !input || !flags["--openapi"] || !flags["--pactum"]) {
    fail("usage: check_manifests.mjs kubernetes DIR|compose FILE --openapi OPENAPI_JSON --pactum PACTUM_BINARY");
  }
  const options = serveOptions(flags["--pactum"]);
  const getPaths = openapiGetPaths(flags["--openapi"]);
  const n = target === "kubernetes"
    ? checkKubernetes(path.resolve(input), getPaths, flags["--openapi"], options)
    : checkCompose(path.resolve(input), getPaths, flags["--openapi"], options);
  for (const p of problems) console.log(p);
  if (problems.length > 0) {
    console.log(`${target}: ${problems.length} problem(s) in ${input}`);
    return 1;
  }
  console.log(`${target}: ${input}: ${n} ${target === "kubernetes" ? "objects" : "services"} valid, consistent with pactum serve and ${path.basename(flags["--openapi"])}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
