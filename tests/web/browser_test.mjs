// web.browser: pactum's web app in a real browser (Debian's chromium,
// driven by puppeteer-core; no browser is downloaded) against real
// `pactum serve` processes on free loopback ports, each with a temporary
// SQLite archive.
//
// Scenario "en": an open service, the browser in English. Scenario "de": a
// service with --api-keys, the browser in German; the app asks for the key.
// In each: upload a scan of the dev corpus, follow its job until done, see
// the boxes over the page images, click a box and a field, correct a
// party's name, save, find the corrected name in the archive search, verify
// a signed sample and read its status, sign a PDF and get the download.
//
// Any failed step fails the test, and so does any console error, page error,
// failed request or HTTP error answer (but the 401 that makes the app ask
// for a key, before the key is given). Screenshots go to --out; their file
// names are printed.
//
//   node browser_test.mjs --pactum build/pactum --corpus ../shared/corpus --out build/tests/web/screenshots
import { spawn, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

let puppeteer;
try {
  puppeteer = (await import("puppeteer-core")).default;
} catch (error) {
  console.error("web.browser: puppeteer-core is not installed in tests/web/node_modules; run " +
    "`PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/web` (./scripts/test does): " + error.message);
  process.exit(1);
}

const { values: args } = parseArgs({
  options: {
    pactum: { type: "string" },
    corpus: { type: "string" },
    out: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    only: { type: "string" },
  },
});
for (const name of ["pactum", "corpus", "out"]) {
  if (!args[name]) {
    console.error(`web.browser: --${name} is required`);
    process.exit(2);
  }
}
const SCAN = join(args.corpus, "dev", "c03-png.png");          // one 300 dpi page: a small OCR job
const SIGNED = join(args.corpus, "signatures", "valid_cades_rsa2048_sha256.pdf");
const UNSIGNED = join(args.corpus, "signatures", "unsigned.pdf");
const ANCHORS = join(args.corpus, "signatures", "trust-root-ca.pem");
for (const path of [args.chromium, SCAN, SIGNED, UNSIGNED, ANCHORS]) {
  if (!existsSync(path)) {
    console.error(`web.browser: ${path} is missing`);
    process.exit(1);
  }
}
mkdirSync(args.out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "pactum-web-"));
const started = Date.now();
const children = [];

function log(message) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
}

// A signing key and certificate for the Sign view (an EC P-256 key made
// here, self-signed, valid for two days).
function makeSigningKey() {
  const key = join(work, "sign-key.pem"), cert = join(work, "sign-cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", key, "-out", cert, "-subj", "/CN=pactum web test signer/O=pactum tests", "-days", "2"],
  { stdio: "ignore" });
  return { key, cert };
}

// Starts `pactum serve` on a free port (--port 0; the port is read from its
// "listening on" line) with a fresh SQLite archive; resolves { url, stop }.
function startService(name, extra) {
  return new Promise((resolve, reject) => {
    const child = spawn(args.pactum, ["serve", "--host", "127.0.0.1", "--port", "0",
      "--store", "sqlite:" + join(work, name + ".db"), "--workers", "2", "--trust-anchors", ANCHORS,
      "--log-level", "info", ...extra], { stdio: ["ignore", "ignore", "pipe"] });
    children.push(child);
    let buffered = "";
    const timer = setTimeout(() => reject(new Error(`pactum serve (${name}) did not start in 30 s:\n${buffered}`)), 30000);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      buffered += chunk;
      const m = buffered.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m && timer) {
        clearTimeout(timer);
        resolve({ url: m[1], log: () => buffered, stop: () => child.kill("SIGTERM") });
      }
      if (buffered.length > 1 << 20) buffered = buffered.slice(-(1 << 19));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pactum serve (${name}) exited with ${code}:\n${buffered}`));
    });
  });
}

// The words each scenario expects, in its language.
const WORDS = {
  en: { upload: "Upload agreements", archive: "Archive", verify: "Verify signatures", valid: "valid",
    corrected: "Corrected Foundation Lindqvist", search: "Lindqvist", saved: "Saved" },
  de: { upload: "Vereinbarungen hochladen", archive: "Archiv", verify: "Signaturen prüfen", valid: "gültig",
    corrected: "Korrigierte Stiftung Brandtner", search: "Brandtner", saved: "gespeichert" },
};

async function runScenario(browser, lang, service, apiKey) {
  const words = WORDS[lang];
  const problems = [];
  let keyGiven = !apiKey;
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1366, height: 768 });
  // The browser's language, as navigator.languages reports it (Accept-Language
  // and navigator.language follow the override).
  const session = await page.createCDPSession();
  await session.send("Emulation.setLocaleOverride", { locale: lang === "de" ? "de-DE" : "en-US" });
  await page.setExtraHTTPHeaders({ "Accept-Language": lang === "de" ? "de-DE,de;q=0.9" : "en-US,en;q=0.9" });
  await page.evaluateOnNewDocument((languages) => {
    Object.defineProperty(navigator, "languages", { get: () => languages });
    Object.defineProperty(navigator, "language", { get: () => languages[0] });
  }, lang === "de" ? ["de-DE", "de"] : ["en-US", "en"]);

  const expected401 = (text) => !keyGiven && /status of 401/.test(text);
  page.on("console", (msg) => {
    if (msg.type() === "error" && !expected401(msg.text())) problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    problems.push(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on("response", (response) => {
    const status = response.status();
    if (status >= 400 && !(status === 401 && !keyGiven)) {
      problems.push(`HTTP ${status}: ${response.request().method()} ${response.url()}`);
    }
  });
  const check = async (step) => {
    // Nothing rendered as "[object …]", "undefined" or a key without its words.
    const body = await page.$eval("body", (el) => el.innerText);
    const broken = body.match(/\[object \w+\]|\bundefined\b|\bNaN\b/);
    if (broken) problems.push(`the page shows "${broken[0]}"`);
    // Every control has a label (a <label for>, a wrapping label or aria-label).
    const unlabeled = await page.$$eval("input, select, textarea, button", (els) => els
      .filter((el) => el.offsetParent !== null || el.type === "file")
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.textContent.trim())
      .map((el) => el.id || el.outerHTML.slice(0, 60)));
    if (unlabeled.length) problems.push(`controls without a label: ${unlabeled.join(", ")}`);
    if (problems.length) throw new Error(`${lang}: ${step}: ${problems.join("; ")}`);
    log(`${lang}: ${step}: ok`);
  };
  const shot = async (name) => {
    const file = join(args.out, `${lang}-${name}.png`);
    await page.screenshot({ path: file, fullPage: false });
    console.log(`screenshot: ${file}`);
  };
  const text = (selector) => page.$eval(selector, (el) => el.textContent);
  const answerKeyDialog = async () => {
    await page.waitForSelector("#key-dialog[open]", { timeout: 20000 });
    keyGiven = true;
    await page.type("#key-input", apiKey);
    await shot("api-key");
    await page.click("#key-ok");
    await page.waitForSelector("#key-dialog:not([open])");
  };

  // 1. The app in the browser's language.
  await page.goto(service.url + "/", { waitUntil: "load" });
  await page.waitForSelector("main h1");
  const heading = await text("main h1");
  if (heading !== words.upload) throw new Error(`${lang}: the upload view says "${heading}", want "${words.upload}"`);
  if ((await page.$eval("html", (el) => el.lang)) !== lang) throw new Error(`${lang}: <html lang> is not ${lang}`);
  await check("app loaded in the browser's language");

  // 2. Upload a scan; its job is followed until done.
  const input = await page.$("#upload-input");
  await input.uploadFile(SCAN);
  if (apiKey) await answerKeyDialog();
  await page.waitForSelector("#upload-list li", { timeout: 20000 });
  const seenStates = new Set();
  const deadline = Date.now() + 240000;
  for (;;) {
    const state = await page.$eval("#upload-list li", (li) => li.dataset.state);
    seenStates.add(state);
    if (state === "succeeded") break;
    if (state === "failed" || state === "cancelled") {
      throw new Error(`${lang}: the upload ${state}: ${await text("#upload-list li")}`);
    }
    if (Date.now() > deadline) throw new Error(`${lang}: the upload did not finish in 240 s (${state})`);
    await page.waitForFunction((s) => document.querySelector("#upload-list li")?.dataset.state !== s,
      { timeout: 240000, polling: 100 }, state);
  }
  const done = await page.$eval("#upload-list li progress", (p) => [p.value, p.max]);
  if (done[0] !== done[1] || done[1] < 1) throw new Error(`${lang}: progress ends at ${done[0]} of ${done[1]}`);
  await shot("upload");
  await check(`upload finished (states seen: ${[...seenStates].join(", ")}; pages ${done[1]})`);

  // 3. Review: page images with every field's box.
  await page.click("#upload-list a.review-link");
  await page.waitForSelector(".page[data-loaded] rect.box", { timeout: 30000 });
  const id = decodeURIComponent(page.url().split("#/review/")[1]);
  const record = await page.evaluate(async (docId, key) => {
    const headers = key ? { Authorization: "Bearer " + key } : {};
    return (await fetch("/v1/documents/" + docId, { headers })).json();
  }, id, apiKey || "");
  const fieldsOf = (a) => ["parties", "amounts", "dates", "signatories", "projects", "governing_law", "term"]
    .flatMap((s) => (Array.isArray(a[s]) ? a[s] : a[s] ? [a[s]] : []));
  const withBox = fieldsOf(record.agreement).filter((x) => x.evidence && x.evidence.bbox).length;
  const boxes = await page.$$eval("rect.box", (rects) => rects.length);
  if (boxes !== withBox || boxes === 0) throw new Error(`${lang}: ${boxes} boxes drawn, the record has ${withBox}`);
  if (!record.agreement.parties.length) throw new Error(`${lang}: the record has no party to correct`);
  // Fields under 70 % confidence are marked, in the list and on the page.
  const items = fieldsOf(record.agreement);
  const low = items.filter((x) => typeof x.evidence?.confidence === "number" && x.evidence.confidence < 0.7);
  const lowMarks = await page.$$eval(".item.low", (els) => els.length);
  const lowBoxes = await page.$$eval("rect.box.low", (els) => els.length);
  if (lowMarks !== low.length || lowBoxes !== low.filter((x) => x.evidence.bbox).length) {
    throw new Error(`${lang}: ${low.length} fields under 70 %, ${lowMarks} marked, ${lowBoxes} boxes marked`);
  }
  await check(`review shows ${boxes} boxes over ${record.document.pages} page image(s)`);

  // A box selects its field; a field selects its box.
  const partyBox = await page.$('rect[data-key="parties.0"]');
  if (!partyBox) throw new Error(`${lang}: the first party has no box`);
  await partyBox.click();
  await page.waitForSelector('.item.selected[data-key="parties.0"]');
  const focused = await page.evaluate(() => document.activeElement?.id);
  if (focused !== "f-parties-0-name") throw new Error(`${lang}: clicking the box focused ${focused}`);
  const otherKey = await page.$eval("rect.box:not([data-key='parties.0'])", (r) => r.dataset.key).catch(() => null);
  if (otherKey) {
    const [section] = otherKey.split(".");
    await page.focus(`#section-${section} .item[data-key="${otherKey}"] input`);
    await page.waitForSelector(`rect.box.selected[data-key="${otherKey}"]`);
    if (await page.$('rect.box.selected[data-key="parties.0"]')) throw new Error(`${lang}: two boxes selected`);
  }
  // By keyboard: a focused box and Enter select its field.
  await page.$eval('rect[data-key="parties.0"]', (rect) => rect.focus());
  await page.keyboard.press("Enter");
  await page.waitForSelector('.item.selected[data-key="parties.0"]');
  await shot("review");
  await check("box and field select each other");

  // 4. Correct the first party's name and save.
  await page.click("#f-parties-0-name", { clickCount: 3 });
  await page.keyboard.press("Backspace");
  await page.type("#f-parties-0-name", words.corrected);
  // Add a date and delete the last amount.
  const dateCount = record.agreement.dates.length, amountCount = record.agreement.amounts.length;
  await page.click("#add-dates");
  const newDate = `#f-dates-${dateCount}-date`;
  await page.waitForSelector(newDate);
  await page.$eval(newDate, (el) => {
    el.value = "2026-03-31";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.select(`#f-dates-${dateCount}-kind`, "deadline");
  await page.type(`#f-dates-${dateCount}-text`, "31.03.2026");
  if (amountCount > 0) await page.click(`#section-amounts .item[data-key="amounts.${amountCount - 1}"] button.danger`);
  await page.click("#save");
  await page.waitForSelector("#save[data-saved]", { timeout: 30000 });
  const statusText = await text("#status");
  if (!statusText.toLowerCase().includes(words.saved.toLowerCase())) {
    throw new Error(`${lang}: after saving the status says "${statusText}"`);
  }
  await page.waitForFunction(() => document.querySelectorAll("#versions li").length >= 2, { timeout: 10000 });
  const versions = await page.$$eval("#versions li", (items) => items.map((li) => li.textContent));
  const saved = await page.evaluate(async (docId, key) => {
    const headers = key ? { Authorization: "Bearer " + key } : {};
    return (await fetch("/v1/documents/" + docId, { headers })).json();
  }, id, apiKey || "");
  const added = saved.agreement.dates[dateCount];
  if (saved.agreement.parties[0].name !== words.corrected || saved.agreement.dates.length !== dateCount + 1 ||
      added.date !== "2026-03-31" || added.kind !== "deadline" || added.text !== "31.03.2026" ||
      saved.agreement.amounts.length !== Math.max(amountCount - 1, 0) || saved.version?.kind !== "correction") {
    throw new Error(`${lang}: the stored correction is ${JSON.stringify(saved.agreement)} (${JSON.stringify(saved.version)})`);
  }
  await shot("corrected");
  await check(`correction saved (${statusText.trim()}; versions: ${versions.length})`);

  // The version history: version 1 is the extraction, as it was.
  const original = record.agreement.parties[0].name;
  await page.click(`#versions a[href$="?version=1"]`);
  await page.waitForSelector("#version-notice");
  await page.waitForFunction((name) => document.querySelector("#f-parties-0-name")?.value === name, { timeout: 10000 }, original);
  await page.goBack();
  await page.waitForFunction((name) => document.querySelector("#f-parties-0-name")?.value === name && !document.querySelector("#version-notice"),
    { timeout: 10000 }, words.corrected);
  await check("version 1 shows the extraction, the latest the correction");

  // 5. The corrected name is found in the archive.
  await page.click("#nav-archive");
  await page.waitForSelector("#search-q");
  if ((await text("main h1")) !== words.archive) throw new Error(`${lang}: the archive view's heading`);
  await page.type("#search-q", words.search);
  await page.click("#search-button");
  // The listing shown before the search has the record too: the search's
  // answer is the one with a marked snippet.
  await page.waitForSelector(`#results li[data-id="${id}"] .snippet mark`, { timeout: 15000 });
  const found = await text(`#results li[data-id="${id}"]`);
  if (!found.includes(words.corrected)) throw new Error(`${lang}: the result shows "${found}"`);
  // The archive's highlight of the match (snippet_html's <mark>).
  const marked = await page.$$eval(`#results li[data-id="${id}"] .snippet mark`, (ms) => ms.map((m) => m.textContent));
  if (!marked.some((m) => m.toLowerCase() === words.search.toLowerCase())) {
    throw new Error(`${lang}: the snippet marks ${JSON.stringify(marked)}, not "${words.search}"`);
  }
  await shot("archive");
  await check(`archive search for "${words.search}" finds the corrected record`);

  // 6. Verify a signed sample.
  await page.click("#nav-verify");
  await page.waitForSelector("#verify-input");
  if ((await text("main h1")) !== words.verify) throw new Error(`${lang}: the verify view's heading`);
  await (await page.$("#verify-input")).uploadFile(SIGNED);
  await page.waitForSelector("#verify-status [data-status]", { timeout: 30000 });
  const verdict = await page.$eval("#verify-status [data-status]", (el) => [el.dataset.status, el.textContent]);
  if (verdict[0] !== "valid" || verdict[1] !== words.valid) {
    throw new Error(`${lang}: the report says ${verdict[1]} (${verdict[0]}), want ${words.valid}`);
  }
  const report = await text("#verify-report");
  if (!report.includes("Every signature is valid.")) throw new Error(`${lang}: the text report: ${report}`);
  const cards = await page.$$eval(".signature [data-status]", (els) => els.map((el) => el.dataset.status));
  if (cards.length !== 1 || cards[0] !== "valid") throw new Error(`${lang}: signature cards ${cards}`);
  const why = await text(".signature dl");
  if (!why.includes("valid: the signed bytes are intact")) throw new Error(`${lang}: the card says: ${why}`);
  await shot("verify");
  await page.emulateMediaType("print");
  await shot("verify-print");
  await page.emulateMediaType(null);
  await check(`verification reads "${words.valid}"`);

  // 7. Sign a PDF and get its download.
  await page.click("#nav-sign");
  await page.waitForSelector("#sign-file");
  await (await page.$("#sign-file")).uploadFile(UNSIGNED);
  await page.type("#sign-reason", lang === "de" ? "Freigabe" : "Approval");
  await page.click("#sign-button");
  await page.waitForSelector("#signed-link", { timeout: 30000 });
  const signedSize = await page.$eval("#signed-link", (a) => Number(a.dataset.bytes));
  if (signedSize <= 3264) throw new Error(`${lang}: the signed PDF has ${signedSize} bytes`);
  await shot("sign");
  await check(`signed PDF offered for download (${signedSize} bytes)`);

  await context.close();
}

let failed = false;
let browser;
try {
  const signing = makeSigningKey();
  const keyFile = join(work, "keys.txt");
  const apiKey = randomBytes(18).toString("base64url");
  writeFileSync(keyFile, createHash("sha256").update(apiKey).digest("hex") + " web-test\n");
  const signFlags = ["--sign-key", signing.key, "--sign-cert", signing.cert];
  browser = await puppeteer.launch({
    executablePath: args.chromium,
    headless: true,
    // Root in CI containers: chromium's sandbox needs user namespaces.
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check"],
  });
  log(`browser: ${await browser.version()}`);
  for (const lang of ["en", "de"]) {
    if (args.only && args.only !== lang) continue;
    const service = await startService(lang, lang === "de" ? [...signFlags, "--api-keys", keyFile] : signFlags);
    log(`${lang}: pactum serve at ${service.url}${lang === "de" ? " with an API key" : ""}`);
    try {
      await runScenario(browser, lang, service, lang === "de" ? apiKey : null);
    } catch (error) {
      failed = true;
      console.error(`FAILED: ${error.message}`);
      const tail = service.log().split("\n").filter((l) => /"level":"(warning|error|critical)"/.test(l)).slice(-10);
      if (tail.length) console.error("service warnings and errors:\n" + tail.join("\n"));
    } finally {
      service.stop();
    }
  }
} catch (error) {
  failed = true;
  console.error(`FAILED: ${error.stack || error.message}`);
} finally {
  if (browser) await browser.close();
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}
log(failed ? "web.browser failed" : "web.browser passed");
process.exit(failed ? 1 : 0);
