// The tests deploy.kubernetes_manifests and deploy.compose: the deployment
// files pass check_manifests.mjs, and copies of them broken on purpose, one
// fault each, fail it with the message that names the fault. The broken
// copies show that each check can fail (a validator that accepts anything
// would pass the real files too). Then PACTUM_BINARY is started with the
// deployment's own options and environment (only the address, the store
// and the secret files replaced by local ones): it must start serving and
// stop with status 0 on SIGTERM, so every value is one pactum accepts.
//
//   node manifests_test.mjs kubernetes|compose REPO_DIR PACTUM_BINARY
//
// Copies go to a temporary directory, removed at the end.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const [target, repo, pactum] = process.argv.slice(2);
if (!["kubernetes", "compose"].includes(target) || !repo || !pactum) {
  console.error("usage: manifests_test.mjs kubernetes|compose REPO_DIR PACTUM_BINARY");
  process.exit(2);
}
let YAML;
try {
  YAML = require("yaml");
} catch {
  console.error(`manifests_test: the npm tools are not installed (${here}/node_modules); run ./scripts/test (npm ci --prefix tests/deploy)`);
  process.exit(2);
}
const openapi = path.join(repo, "service", "openapi.json");

function check(input) {
  const r = spawnSync(process.execPath, [path.join(here, "check_manifests.mjs"), target, input, "--openapi", openapi, "--pactum", pactum],
                      { encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// Kubernetes: the files of a copy, parsed (every YAML document of a file in
// order); a fault changes them in place and they are written back.
function load(file) {
  return YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { merge: false }).map((d) => d.toJS());
}
function save(file, docs) {
  fs.writeFileSync(file, docs.map((d) => YAML.stringify(d)).join("---\n"));
}

// Kubernetes: docs.<file> is the list of documents of that file.
const find = (docs, kind) => docs.find((d) => d.kind === kind);
const container = (docs) => find(docs["deployment.yaml"], "Deployment").spec.template.spec.containers[0];
const podSpec = (docs) => find(docs["deployment.yaml"], "Deployment").spec.template.spec;
const argIndex = (docs, flag) => container(docs).args.indexOf(flag);

const kubernetesFaults = [
  ["Deployment without spec.selector", "/spec: must have required property selector",
    (d) => { delete find(d["deployment.yaml"], "Deployment").spec.selector; }],
  ["probe periodSeconds as a string", "/readinessProbe/periodSeconds: must be integer",
    (d) => { container(d).readinessProbe.periodSeconds = "5"; }],
  ["replicas as a string", "/spec/replicas: must be integer",
    (d) => { find(d["deployment.yaml"], "Deployment").spec.replicas = "2"; }],
  ["misspelt field livenesProbe", "livenesProbe: unknown field",
    (d) => { const c = container(d); c.livenesProbe = c.livenessProbe; delete c.livenessProbe; }],
  ["probe port misspelt as the name htpp", "port \"htpp\" names no containerPort",
    (d) => { container(d).livenessProbe.httpGet.port = "htpp"; }],
  ["Service targetPort on another port", "targetPort 9090 is not the port pactum listens on",
    (d) => { find(d["service.yaml"], "Service").spec.ports[0].targetPort = 9090; container(d).ports.push({ containerPort: 9090 }); }],
  ["PodDisruptionBudget in policy/v1beta1", "pre-release API version",
    (d) => { find(d["pdb.yaml"], "PodDisruptionBudget").apiVersion = "policy/v1beta1"; }],
  ["preStop with the lifecycle sleep action", "lifecycle sleep action",
    (d) => { container(d).lifecycle.preStop = { sleep: { seconds: 5 } }; }],
  ["grace period not above shutdown + preStop", "terminationGracePeriodSeconds 155 must exceed --shutdown-seconds 150 + preStop sleep 5",
    (d) => { podSpec(d).terminationGracePeriodSeconds = 155; }],
  ["shutdown shorter than the document timeout", "--shutdown-seconds 100 is below --timeout-seconds 120",
    (d) => { container(d).args[argIndex(d, "--shutdown-seconds") + 1] = "100"; podSpec(d).terminationGracePeriodSeconds = 200; }],
  ["no preStop", "no preStop sleep",
    (d) => { delete container(d).lifecycle; }],
  ["readiness on a path the service does not have", "/ready is not a GET path of openapi.json",
    (d) => { container(d).readinessProbe.httpGet.path = "/ready"; }],
  ["liveness on /readyz", "must not ask /readyz",
    (d) => { container(d).livenessProbe.httpGet.path = "/readyz"; }],
  ["memory limit below the worst case", "memory limit 3072 MiB is below the worst case pactum allows, 4176 MiB",
    (d) => { container(d).resources.limits.memory = "3Gi"; }],
  ["worker cap at the container limit", "PACTUM_WORKER_MEMORY 4608 MiB is not below the memory limit",
    (d) => { container(d).env.find((e) => e.name === "PACTUM_WORKER_MEMORY").value = "4608MiB"; }],
  ["no worker cap", "--worker-memory (PACTUM_WORKER_MEMORY) 0: must be a size above 0",
    (d) => { container(d).env.find((e) => e.name === "PACTUM_WORKER_MEMORY").value = "0"; }],
  ["default --http-threads (at least 256)", "256 http threads",
    (d) => { const c = container(d); c.args.splice(argIndex(d, "--http-threads"), 2); }],
  ["--workers left to the node", "--workers (PACTUM_WORKERS) must be set above 0",
    (d) => { const c = container(d); c.args.splice(argIndex(d, "--workers"), 2); }],
  ["misspelt option", "unknown option --shutdown-second",
    (d) => { container(d).args[argIndex(d, "--shutdown-seconds")] = "--shutdown-second"; }],
  ["variable pactum does not read", "PACTUM_OCR_THREADS: pactum serve reads no such variable",
    (d) => { container(d).env.push({ name: "PACTUM_OCR_THREADS", value: "1" }); }],
  ["service links on", "enableServiceLinks must be false",
    (d) => { delete podSpec(d).enableServiceLinks; }],
  ["loopback host", "--host 127.0.0.1",
    (d) => { container(d).args[argIndex(d, "--host") + 1] = "127.0.0.1"; }],
  ["writable root filesystem", "readOnlyRootFilesystem must be true",
    (d) => { container(d).securityContext.readOnlyRootFilesystem = false; }],
  ["no /tmp volume", "no emptyDir volume at /tmp",
    (d) => { const c = container(d); c.volumeMounts = c.volumeMounts.filter((m) => m.mountPath !== "/tmp"); }],
  ["password from a key the Secret lacks", "Secret pactum-db has no key pasword",
    (d) => { container(d).env.find((e) => e.name === "PGPASSWORD").valueFrom.secretKeyRef.key = "pasword"; }],
  ["signing key file the Secret lacks", "Secret pactum-signing has no key signer.key",
    (d) => { container(d).args[argIndex(d, "--sign-key") + 1] = "/etc/pactum/signing/signer.key"; }],
  ["API key file outside every mount", "--api-keys /etc/pactum/keys.txt: not under any volumeMount",
    (d) => { container(d).args[argIndex(d, "--api-keys") + 1] = "/etc/pactum/keys.txt"; }],
  ["Service selecting other pods", "spec.selector selects no pod of the Deployment",
    (d) => { find(d["service.yaml"], "Service").spec.selector["app.kubernetes.io/name"] = "pactum-api"; }],
  ["HPA scaling another Deployment", "scaleTargetRef: no Deployment pactum-api",
    (d) => { find(d["hpa.yaml"], "HorizontalPodAutoscaler").spec.scaleTargetRef.name = "pactum-api"; }],
  ["HPA with one replica", "minReplicas 1",
    (d) => { find(d["hpa.yaml"], "HorizontalPodAutoscaler").spec.minReplicas = 1; }],
  ["replicas set under an HPA", "spec.replicas is set although a HorizontalPodAutoscaler scales this Deployment",
    (d) => { find(d["deployment.yaml"], "Deployment").spec.replicas = 2; }],
  ["manifest missing from the kustomization", "pdb.yaml is not listed in resources",
    (d) => { d["kustomization.yaml"][0].resources = d["kustomization.yaml"][0].resources.filter((f) => f !== "pdb.yaml"); }],
];

// Compose: the fault edits the parsed document (yaml's Document, which keeps
// comments, quoting, the x-pactum anchor and the replicas' merge keys) and
// the text of nginx's upstream file.
const composeFaults = [
  ["depends_on condition outside the schema", "invalid-schema",
    (c) => { c.doc.setIn(["services", "nginx", "depends_on", "pactum-1", "condition"], "healthy"); }],
  ["misspelt healthcheck key", "invalid-schema",
    (c) => { const h = c.doc.getIn(["services", "postgres", "healthcheck"]); h.set("interva", h.get("interval")); h.delete("interval"); }],
  ["published port without an interface", "no-unbound-port-interfaces",
    (c) => { c.doc.setIn(["services", "nginx", "ports", 0], "8080:80"); }],
  ["stop_grace_period not above the shutdown", "stop_grace_period 150s must exceed --shutdown-seconds 150",
    (c) => { c.doc.setIn(["x-pactum", "stop_grace_period"], "150s"); }],
  ["health check on a path the service does not have", "/ready is not a GET path of openapi.json",
    (c) => { c.doc.setIn(["x-pactum", "healthcheck", "test", 4], "http://127.0.0.1:8080/ready"); }],
  ["nginx not waiting for a replica", "depends_on pactum-2 with condition service_healthy is expected",
    (c) => { c.doc.deleteIn(["services", "nginx", "depends_on", "pactum-2"]); }],
  ["replica missing from nginx's upstream", "no \"server pactum-2:8080;\"",
    (c) => { c.upstream = c.upstream.replace(/^\s*server pactum-2:8080;\n/m, ""); }],
  ["SQLite archive per replica", "a postgresql:// URI is expected",
    (c) => { c.doc.setIn(["x-pactum", "environment", "PACTUM_STORE"], "sqlite:/tmp/pactum.db"); }],
  ["database without a named volume", "must be on a named volume",
    (c) => { c.doc.setIn(["services", "postgres", "volumes", 0], "/srv/pg:/var/lib/postgresql/data"); }],
  ["memory limit below the worst case", "memory limit 4096 MiB is below the worst case pactum allows, 4176 MiB",
    (c) => { c.doc.setIn(["x-pactum", "deploy", "resources", "limits", "memory"], "4g"); }],
];

// A fresh copy of the deployment files in a temporary directory.
function copy(tmp) {
  const dst = path.join(tmp, "deploy");
  fs.cpSync(path.join(repo, "deploy"), dst, { recursive: true });
  return dst;
}

function mutate(dst, fault) {
  const docs = {};
  if (target === "kubernetes") {
    const dir = path.join(dst, "kubernetes");
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".yaml"))) docs[f] = load(path.join(dir, f));
    fault(docs);
    for (const [f, d] of Object.entries(docs)) save(path.join(dir, f), d);
    return dir;
  }
  const file = path.join(dst, "compose.yaml");
  const upstream = path.join(dst, "nginx", "upstream-compose.conf");
  const c = { doc: YAML.parseDocument(fs.readFileSync(file, "utf8")), upstream: fs.readFileSync(upstream, "utf8") };
  fault(c);
  fs.writeFileSync(file, c.doc.toString());
  fs.writeFileSync(upstream, c.upstream);
  return path.join(dst, "compose.yaml");
}

// The options and literal environment of the deployment's `pactum serve`.
function deployedServe() {
  if (target === "kubernetes") {
    const deployment = find(load(path.join(repo, "deploy", "kubernetes", "deployment.yaml")), "Deployment");
    const c = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    return { args: c.args.slice(1), env };
  }
  const [compose] = load(path.join(repo, "deploy", "compose.yaml"));
  const x = compose["x-pactum"];
  const env = Object.fromEntries(Object.entries(x.environment ?? {}).filter(([, v]) => !String(v).includes("${")));
  return { args: (x.command ?? ["serve"]).slice(1), env };
}

// Starts pactum with the deployment's settings on a free loopback port, with
// no archive and locally made secret files; resolves to a description of
// what went wrong, or null when it served and stopped with status 0.
async function startDeployed(dir) {
  const { args, env } = deployedServe();
  const keyFile = path.join(dir, "sign.key");
  const certFile = path.join(dir, "sign.crt");
  const gen = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                    "-subj", "/CN=pactum deploy test", "-days", "1", "-keyout", keyFile, "-out", certFile],
                        { encoding: "utf8" });
  if (gen.status !== 0) return `openssl could not make a signing key: ${gen.stderr || gen.error}`;
  const keysFile = path.join(dir, "keys.txt");
  fs.writeFileSync(keysFile, `${"ab".repeat(32)} deploy-test\n`);
  const local = { "--host": "127.0.0.1", "--port": "0", "--store": "none", "--api-keys": keysFile,
                  "--sign-key": keyFile, "--sign-cert": certFile };
  const argv = ["serve"];
  for (let i = 0; i < args.length; ++i) {
    const a = String(args[i]);
    argv.push(a);
    if (a in local) {
      argv.push(local[a]);
      ++i;
    } else if (a.startsWith("--") && !a.includes("=") && i + 1 < args.length && !String(args[i + 1]).startsWith("--")) {
      argv.push(String(args[++i]));
    }
  }
  for (const [flag, value] of Object.entries(local)) {
    if (!argv.includes(flag) && ["--host", "--port", "--store"].includes(flag)) argv.push(flag, value);
  }
  const childEnv = { PATH: process.env.PATH, HOME: dir, ...env, XDG_CACHE_HOME: path.join(dir, "cache") };
  for (const v of ["PACTUM_HOST", "PACTUM_PORT", "PACTUM_STORE"]) delete childEnv[v];
  const child = spawn(pactum, argv, { env: childEnv, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const exited = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const listening = new Promise((resolve) => {
    child.stderr.on("data", (chunk) => {
      log += chunk;
      if (/listening on http/.test(log)) resolve(true);
    });
  });
  const deadline = new Promise((resolve) => setTimeout(() => resolve(false), 30000).unref());
  const started = await Promise.race([listening, exited.then(() => false), deadline]);
  if (!started) {
    child.kill("SIGKILL");
    await exited;
    return `pactum ${argv.join(" ")} did not start serving:\n${log}`;
  }
  child.kill("SIGTERM");
  const { code, signal } = await exited;
  return code === 0 ? null : `pactum ${argv.join(" ")} exited with ${code ?? signal} after SIGTERM:\n${log}`;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `pactum-${target}-`));
let passed = 0;
let failed = 0;
function report(ok, name, detail) {
  if (ok) ++passed;
  else ++failed;
  console.log(`${ok ? "ok" : "FAILED"}: ${name}${ok ? "" : `\n${detail}`}`);
}
try {
  const real = target === "kubernetes" ? path.join(repo, "deploy", "kubernetes") : path.join(repo, "deploy", "compose.yaml");
  const r = check(real);
  report(r.status === 0, `${path.relative(repo, real)} passes`, r.out);

  // The round trip through the YAML writer alone changes nothing that the
  // checks see: a copy written back unchanged passes too.
  const same = check(mutate(copy(path.join(tmp, "unchanged")), () => {}));
  report(same.status === 0, "an unchanged copy, written back, passes", same.out);

  const faults = target === "kubernetes" ? kubernetesFaults : composeFaults;
  faults.forEach(([name, expected, fault], i) => {
    const input = mutate(copy(path.join(tmp, String(i))), fault);
    const b = check(input);
    report(b.status === 1 && b.out.includes(expected), `fails on: ${name}`,
           `  expected exit 1 with "${expected}", got exit ${b.status}:\n${b.out.replace(/^/gm, "    ")}`);
  });

  const startDir = path.join(tmp, "start");
  fs.mkdirSync(startDir);
  const why = await startDeployed(startDir);
  report(why === null, "pactum serve starts with the deployment's options and environment, and stops with 0 on SIGTERM", why);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
