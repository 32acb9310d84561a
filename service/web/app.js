// pactum web app: upload, review and correct, archive search, signature
// verification and signing, on the service's own API (same origin). Plain
// modules, no framework, nothing fetched from elsewhere.
import { t, setLanguage, language, preferredLanguage } from "./i18n.js";

const KEY_STORAGE = "pactum.api-key";   // sessionStorage: this tab only
const LANG_STORAGE = "pactum.language"; // localStorage: the switch's choice
const PAGE_DPI = 96;
const LOW_CONFIDENCE = 0.7;

// ---------------------------------------------------------------- helpers

// An element: h("a", {href: "#"}, "text", child, ...). Attributes starting
// with "on" are listeners; null and false attributes are left out.
function h(tag, attrs = {}, ...children) {
  const svg = tag.startsWith("svg:");
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.setAttribute("class", value);
    else if (name === "value" && !svg) el.value = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function status(message, kind = "info") {
  const region = document.getElementById("status");
  region.textContent = message;
  region.className = "status" + (kind === "error" ? " error" : "");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Text with <mark> kept and every other element dropped (its text stays):
// the archive's snippet_html is escaped by the service; this makes sure.
function markedText(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const out = document.createDocumentFragment();
  const walk = (node, into) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) into.append(child.textContent);
      else if (child.nodeName === "MARK") into.append(h("mark", {}, child.textContent));
      else walk(child, into);
    }
  };
  walk(template.content, out);
  return out;
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let keyPrompt = null;

// Asks for an API key (once at a time); resolves true when one was given.
function askForKey(problem) {
  if (keyPrompt) return keyPrompt;
  const dialog = document.getElementById("key-dialog");
  const input = document.getElementById("key-input");
  document.getElementById("key-error").textContent = problem || "";
  input.value = "";
  keyPrompt = new Promise((resolve) => {
    const done = (given) => {
      dialog.removeEventListener("close", onClose);
      document.getElementById("key-cancel").removeEventListener("click", onCancel);
      keyPrompt = null;
      resolve(given);
    };
    const onClose = () => {
      if (dialog.returnValue === "ok" && input.value.trim()) {
        sessionStorage.setItem(KEY_STORAGE, input.value.trim());
        updateKeyButton();
        done(true);
      } else {
        done(false);
      }
    };
    const onCancel = () => {
      dialog.returnValue = "cancel";
      dialog.close();
    };
    dialog.addEventListener("close", onClose);
    document.getElementById("key-cancel").addEventListener("click", onCancel);
    dialog.returnValue = "";
    dialog.showModal();
    input.focus();
  });
  return keyPrompt;
}

// fetch() on the service with the session's key; a 401 asks for a key and
// tries again. Throws ApiError with the contract's error for other answers
// that are not 2xx.
async function api(path, options = {}) {
  let problem = "";
  for (;;) {
    const headers = new Headers(options.headers || {});
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) headers.set("Authorization", "Bearer " + key);
    const response = await fetch(path, { ...options, headers });
    if (response.status === 401) {
      const error = await errorOf(response);
      if (key) {
        sessionStorage.removeItem(KEY_STORAGE);
        updateKeyButton();
        problem = t("keyWrong", { message: error.message });
      }
      if (await askForKey(problem)) continue;
      throw error;
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }
}

async function errorOf(response) {
  try {
    const body = await response.json();
    if (body && body.error) return new ApiError(response.status, body.error.code, body.error.message);
  } catch (_) {
    // not the contract's JSON error
  }
  return new ApiError(response.status, "http_" + response.status, response.statusText || String(response.status));
}

async function apiJson(path, options) {
  return (await api(path, options)).json();
}

function fileForm(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  return form;
}

// ---------------------------------------------------------------- shell

const main = () => document.getElementById("main");

function updateKeyButton() {
  const button = document.getElementById("key-forget");
  button.hidden = !sessionStorage.getItem(KEY_STORAGE);
}

function translateShell() {
  document.getElementById("skip-link").textContent = t("skip");
  for (const [id, key] of [["nav-upload", "navUpload"], ["nav-archive", "navArchive"], ["nav-verify", "navVerify"],
    ["nav-sign", "navSign"], ["lang-label", "language"], ["key-forget", "keyForget"], ["key-title", "keyTitle"],
    ["key-text", "keyText"], ["key-label", "keyLabel"], ["key-ok", "keyOk"], ["key-cancel", "keyCancel"]]) {
    document.getElementById(id).textContent = t(key);
  }
  document.getElementById("lang-select").value = language();
}

function parseRoute() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { view: parts[0] || "upload", arg: parts[1], params: new URLSearchParams(query) };
}

let renderToken = 0;

async function render() {
  const route = parseRoute();
  const token = ++renderToken;
  for (const a of document.querySelectorAll("nav a")) {
    const current = a.getAttribute("href") === "#/" + route.view ||
      (route.view === "review" && a.id === "nav-archive");
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const views = { upload: uploadView, review: reviewView, archive: archiveView, verify: verifyView, sign: signView };
  const view = views[route.view] || uploadView;
  const container = main();
  container.replaceChildren(h("p", {}, t("loading")));
  try {
    const content = await view(route);
    if (token !== renderToken) return;  // another view was asked for meanwhile
    container.replaceChildren(content);
    const heading = container.querySelector("h1");
    if (heading) {
      heading.tabIndex = -1;
      if (document.activeElement === document.body || document.activeElement === container ||
          !container.contains(document.activeElement)) heading.focus({ preventScroll: true });
    }
  } catch (error) {
    if (token !== renderToken) return;
    container.replaceChildren(h("p", { class: "error", role: "alert" }, t("error", { message: error.message })));
  }
}

// A drop zone around a file input: drag and drop, click, keyboard (the
// input itself is focusable inside the label).
function dropZone(id, text, accept, multiple, onFiles) {
  const input = h("input", { type: "file", id, accept, multiple });
  input.addEventListener("change", () => {
    if (input.files.length) onFiles([...input.files]);
    input.value = "";
  });
  const zone = h("label", { class: "drop", for: id }, input, h("span", {}, text));
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const files = [...e.dataTransfer.files];
    if (files.length) onFiles(multiple ? files : files.slice(0, 1));
  });
  return zone;
}

// ---------------------------------------------------------------- upload

const uploads = [];  // {file, state, done, total, recordId, error, li}

function uploadItemText(u) {
  const stateKey = { uploading: "stateUploading", queued: "stateQueued", running: "stateRunning",
    succeeded: "stateSucceeded", failed: "stateFailed", cancelled: "stateCancelled" }[u.state];
  let text = t(stateKey || "stateQueued");
  if (u.total > 0 && u.state !== "succeeded") text += " · " + t("pagesProgress", { done: u.done, total: u.total });
  return text;
}

function updateUploadItem(u) {
  const progress = h("progress", { max: Math.max(u.total, 1), value: u.state === "succeeded" ? Math.max(u.total, 1) : u.done,
    "aria-label": u.file.name });
  if (u.state === "uploading" || (u.state === "queued" && !u.total)) progress.removeAttribute("value");
  const outcome = u.recordId
    ? h("a", { href: "#/review/" + u.recordId, class: "review-link" }, t("openReview", { name: u.file.name }))
    : u.error ? h("span", { class: "error" }, u.error) : "";
  u.li.dataset.state = u.state;
  u.li.replaceChildren(h("span", { class: "name" }, u.file.name), progress,
    h("span", { class: "state" }, uploadItemText(u)), h("span", { class: "outcome" }, outcome));
}

async function runUpload(u) {
  try {
    const job = await apiJson("/v1/jobs?op=extract&store=true", { method: "POST", body: fileForm(u.file) });
    let current = job;
    for (;;) {
      u.state = current.state;
      u.done = current.pages_done || 0;
      u.total = current.pages_total || 0;
      updateUploadItem(u);
      if (["succeeded", "failed", "cancelled"].includes(current.state)) break;
      await sleep(400);
      current = await apiJson("/v1/jobs/" + job.id);
    }
    if (current.state === "succeeded") {
      const record = await apiJson("/v1/jobs/" + job.id + "/result");
      u.recordId = record.id;
    } else if (current.state === "failed") {
      try {
        await api("/v1/jobs/" + job.id + "/result");
      } catch (error) {
        u.error = error.message;
      }
    }
  } catch (error) {
    u.state = "failed";
    u.error = error.message;
  }
  updateUploadItem(u);
  status(u.file.name + ": " + uploadItemText(u) + (u.error ? " — " + u.error : ""), u.error ? "error" : "info");
}

function addUploads(files, list) {
  for (const file of files) {
    const u = { file, state: "uploading", done: 0, total: 0, recordId: null, error: null, li: h("li") };
    uploads.push(u);
    updateUploadItem(u);
    list.append(u.li);
    runUpload(u);
  }
}

function uploadView() {
  const list = h("ul", { class: "uploads", id: "upload-list", "aria-live": "polite" });
  for (const u of uploads) {
    updateUploadItem(u);
    list.append(u.li);
  }
  return h("section", {},
    h("h1", {}, t("uploadTitle")),
    h("p", {}, t("uploadIntro")),
    dropZone("upload-input", t("dropHere"), ".pdf,.png,.jpg,.jpeg,.tif,.tiff,application/pdf,image/*", true,
      (files) => addUploads(files, list)),
    list);
}

// ---------------------------------------------------------------- review

// The editable lists of the record and their fields: [member, label key,
// kind]; kind: "grow" (wide text), "short", "date", "kind" (date kind),
// "nullable" text (empty is null).
const SECTIONS = [
  ["parties", [["name", "fName", "grow"], ["short_name", "fShortName", "short", true]],
    () => ({ name: "", short_name: null })],
  ["amounts", [["value", "fValue", "short"], ["currency", "fCurrency", "short"], ["text", "fText", "grow"]],
    () => ({ value: "0.00", currency: "EUR", text: "", context: "" })],
  ["dates", [["date", "fDate", "date"], ["kind", "fKind", "kind"], ["text", "fText", "grow"]],
    () => ({ date: new Date().toISOString().slice(0, 10), text: "", kind: "other" })],
  ["signatories", [["name", "fName", "grow"], ["title", "fTitle", "grow", true],
    ["organization", "fOrganization", "grow", true], ["place", "fPlace", "short", true], ["date", "fDate", "date", true]],
    () => ({ name: "", title: null, organization: null, place: null, date: null })],
  ["projects", [["category", "fCategory", "grow"], ["name", "fName", "grow"]],
    () => ({ category_number: null, category: "", name: "" })],
  // One object or null, not a list.
  ["governing_law", [["jurisdiction", "fJurisdiction", "grow"], ["text", "fText", "grow"]],
    () => ({ jurisdiction: "", text: "" }), true],
  ["term", [["duration", "fDuration", "short"], ["text", "fText", "grow"]],
    () => ({ duration: "P1Y", text: "" }), true],
];

// The items of a section of `agreement` as a list, with removing and adding
// (a single section holds one object or null).
function itemsOf(agreement, section, single) {
  if (single) {
    return {
      items: agreement[section] ? [agreement[section]] : [],
      remove: () => { agreement[section] = null; },
      add: (item) => { agreement[section] = item; },
      full: () => Boolean(agreement[section]),
    };
  }
  const items = agreement[section] || (agreement[section] = []);
  return { items, remove: (i) => items.splice(i, 1), add: (item) => items.push(item), full: () => false };
}
const DATE_KINDS = ["signature", "effective", "expiry", "deadline", "other"];

function confidenceText(confidence) {
  return (confidence * 100).toFixed(0) + " %";
}

async function pageImage(id, page) {
  const response = await api(`/v1/documents/${id}/pages/${page}.png?dpi=${PAGE_DPI}`);
  return URL.createObjectURL(await response.blob());
}

async function reviewView(route) {
  const id = route.arg;
  const version = route.params.get("version");
  const record = await apiJson(`/v1/documents/${encodeURIComponent(id)}` + (version ? `?version=${encodeURIComponent(version)}` : ""));
  const state = { id, record, selected: null, viewingVersion: version };
  const name = record.document.file_name || record.agreement.title || id.slice(0, 12);

  const pages = h("div", { class: "pages", id: "pages", "aria-label": t("pageLabel", { n: "" }).trim() });
  const fields = h("div", { class: "fields", id: "fields" });
  state.pagesEl = pages;
  state.fieldsEl = fields;

  const total = record.document.pages || 1;
  for (let n = 1; n <= total; n++) {
    const svg = h("svg:svg", { "aria-hidden": "false", role: "group", "aria-label": t("pageLabel", { n }) });
    const img = h("img", { alt: t("pageAlt", { n, total }), "data-page": n });
    const figure = h("div", { class: "page", id: "page-" + n }, img, svg, h("span", { class: "page-label" }, t("pageLabel", { n })));
    pages.append(figure);
    pageImage(id, n).then((url) => {
      img.addEventListener("load", () => {
        const width = img.naturalWidth * 72 / PAGE_DPI, height = img.naturalHeight * 72 / PAGE_DPI;
        svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
        figure.dataset.loaded = "true";
        drawBoxes(state);
      }, { once: true });
      img.src = url;
    }).catch((error) => status(t("error", { message: error.message }), "error"));
  }

  renderFields(state);
  const versions = h("section", { class: "no-print", "aria-labelledby": "versions-title" });
  state.versionsEl = versions;
  loadVersions(state);

  return h("section", {},
    h("h1", {}, t("reviewTitle", { name })),
    record.partial ? h("p", { class: "notice" }, t("partial", { pages: (record.missing_pages || []).join(", ") })) : null,
    version ? h("p", { class: "notice", id: "version-notice" }, t("viewingVersion", { n: version })) : null,
    h("div", { class: "review" }, pages, h("div", {}, fields, versions)));
}

function evidenceOf(item) {
  return item && item.evidence ? item.evidence : null;
}

// Every box of the record: {key, section, index, page, bbox, confidence}.
function boxesOf(record) {
  const out = [];
  for (const [section, , , single] of SECTIONS) {
    itemsOf(record.agreement, section, single).items.forEach((item, index) => {
      const e = evidenceOf(item);
      if (e && e.bbox) out.push({ key: `${section}.${index}`, section, index, page: e.page, bbox: e.bbox, confidence: e.confidence });
    });
  }
  return out;
}

function drawBoxes(state) {
  for (const figure of state.pagesEl.querySelectorAll(".page")) {
    const svg = figure.querySelector("svg");
    svg.replaceChildren();
  }
  for (const box of boxesOf(state.record)) {
    const figure = state.pagesEl.querySelector("#page-" + box.page);
    if (!figure) continue;
    const [x0, y0, x1, y1] = box.bbox;
    const low = box.confidence !== null && box.confidence !== undefined && box.confidence < LOW_CONFIDENCE;
    const label = `${t(box.section)} ${box.index + 1}` + (low ? ` (${t("lowConfidence", { value: confidenceText(box.confidence) })})` : "");
    const rect = h("svg:rect", {
      x: x0, y: y0, width: Math.max(x1 - x0, 1), height: Math.max(y1 - y0, 1),
      class: "box" + (low ? " low" : "") + (state.selected === box.key ? " selected" : ""),
      "data-key": box.key, id: "box-" + box.key.replace(".", "-"), tabindex: 0, role: "button", "aria-label": label,
    }, h("svg:title", {}, label));
    rect.addEventListener("click", () => select(state, box.key, "box"));
    rect.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        select(state, box.key, "box");
      }
    });
    figure.querySelector("svg").append(rect);
  }
}

// Marks the field `key` ("parties.0") and its box; `from` says which side
// was clicked, the other one is scrolled into view.
function select(state, key, from) {
  state.selected = key;
  for (const el of document.querySelectorAll(".selected")) el.classList.remove("selected");
  const rect = state.pagesEl.querySelector(`rect[data-key="${key}"]`);
  const item = state.fieldsEl.querySelector(`.item[data-key="${key}"]`);
  if (rect) rect.classList.add("selected");
  if (item) item.classList.add("selected");
  if (from === "box" && item) {
    scrollWithin(state.fieldsEl, item, false);
    const input = item.querySelector("input, select");
    if (input) input.focus({ preventScroll: true });
  } else if (from === "field" && rect) {
    scrollWithin(state.pagesEl, rect, true);
  }
}

// Scrolls `container` (only it, not the window) so that `el` is in view:
// centred, or just enough.
function scrollWithin(container, el, centre) {
  const outer = container.getBoundingClientRect(), inner = el.getBoundingClientRect();
  if (centre) {
    container.scrollTop += inner.top - outer.top - (outer.height - inner.height) / 2;
    container.scrollLeft += inner.left - outer.left - (outer.width - inner.width) / 2;
  } else if (inner.top < outer.top) {
    container.scrollTop -= outer.top - inner.top;
  } else if (inner.bottom > outer.bottom) {
    container.scrollTop += inner.bottom - outer.bottom;
  }
}

function inputFor(state, section, index, item, [member, labelKey, kind, nullable]) {
  const id = `f-${section}-${index}-${member}`;
  let control;
  if (kind === "kind") {
    control = h("select", { id }, DATE_KINDS.map((k) =>
      h("option", { value: k, selected: item[member] === k }, t("kind" + k[0].toUpperCase() + k.slice(1)))));
  } else {
    control = h("input", { id, type: kind === "date" ? "date" : "text", value: item[member] ?? "",
      class: kind === "short" ? "short" : null });
  }
  const update = () => {
    const value = control.value;
    item[member] = nullable && value.trim() === "" ? null : value;
  };
  control.addEventListener("input", update);
  control.addEventListener("change", update);
  control.addEventListener("focus", () => select(state, `${section}.${index}`, "field"));
  return h("div", { class: kind === "grow" ? "grow" : null }, h("label", { for: id }, t(labelKey)), control);
}

function renderFields(state) {
  const record = state.record;
  const agreement = record.agreement;
  const general = h("fieldset", {}, h("legend", {}, t("general")),
    h("div", { class: "general" },
      [["type", "fType"], ["title", "fTitle"], ["year", "fYear"], ["subject", "fSubject"]].map(([member, labelKey]) => {
        const id = "f-" + member;
        const control = h("input", { id, type: member === "year" ? "number" : "text", value: agreement[member] ?? "" });
        control.addEventListener("input", () => {
          const v = control.value.trim();
          agreement[member] = v === "" ? null : member === "year" ? Number(v) : control.value;
        });
        return h("div", {}, h("label", { for: id }, t(labelKey)), control);
      })));

  const sections = SECTIONS.map(([section, columns, make, single]) => {
    const list = itemsOf(agreement, section, single);
    const items = list.items;
    const set = h("fieldset", { id: "section-" + section }, h("legend", {}, t(section)));
    items.forEach((item, index) => {
      const e = evidenceOf(item) || {};
      const key = `${section}.${index}`;
      const low = typeof e.confidence === "number" && e.confidence < LOW_CONFIDENCE;
      const badge = typeof e.confidence === "number"
        ? h("span", { class: "badge" + (low ? " low" : "") },
          t(low ? "lowConfidence" : "confidence", { value: confidenceText(e.confidence) }))
        : null;
      const where = e.bbox
        ? h("button", { type: "button", class: "secondary", onclick: () => select(state, key, "field") },
          t("showBox") + " (" + t("onPage", { page: e.page }) + ")")
        : h("span", { class: "badge" }, e.page ? t("onPage", { page: e.page }) + ", " + t("noBox") : t("noBox"));
      const remove = h("button", { type: "button", class: "danger", "aria-label": t("removeItem", { section: t(section), n: index + 1 }),
        onclick: () => {
          list.remove(index);
          state.selected = null;
          renderFields(state);
          drawBoxes(state);
        } }, t("remove"));
      set.append(h("div", { class: "item" + (low ? " low" : "") + (state.selected === key ? " selected" : ""), "data-key": key },
        columns.map((c) => inputFor(state, section, index, item, c)), badge, where, remove));
    });
    if (!list.full()) set.append(h("button", { type: "button", class: "secondary", id: "add-" + section,
      onclick: () => {
        list.add({ ...make(), evidence: { page: 1, bbox: null, confidence: null } });
        renderFields(state);
        const inputs = state.fieldsEl.querySelectorAll(`#section-${section} .item:last-of-type input`);
        if (inputs.length) inputs[0].focus();
      } }, t("addItem", { section: t(section) })));
    return set;
  });

  const save = h("button", { type: "button", id: "save", onclick: () => saveRecord(state, save) }, t("save"));
  const original = h("button", { type: "button", class: "secondary", onclick: () => downloadOriginal(state) }, t("original"));
  state.fieldsEl.replaceChildren(general, ...sections, h("div", { class: "actions no-print" }, save, original));
}

async function downloadOriginal(state) {
  try {
    const blob = await (await api(`/v1/documents/${state.id}/file`)).blob();
    const a = h("a", { href: URL.createObjectURL(blob), download: state.record.document.file_name || state.id });
    document.body.append(a);
    a.click();
    a.remove();
  } catch (error) {
    status(t("error", { message: error.message }), "error");
  }
}

async function saveRecord(state, button) {
  button.disabled = true;
  try {
    const headers = { "Content-Type": "application/json" };
    if (state.record.version && !state.viewingVersion) headers["If-Match"] = `"${state.record.version.number}"`;
    const saved = await apiJson(`/v1/documents/${state.id}`, { method: "PUT", headers, body: JSON.stringify(state.record) });
    state.record = saved;
    state.viewingVersion = null;
    const notice = document.getElementById("version-notice");
    if (notice) notice.remove();
    renderFields(state);
    drawBoxes(state);
    status(saved.version ? t("saved", { n: saved.version.number }) : t("savedPlain"));
    document.getElementById("save").dataset.saved = saved.version ? String(saved.version.number) : "true";
    loadVersions(state);
  } catch (error) {
    if (error.status === 409) {
      state.record = await apiJson(`/v1/documents/${state.id}`);
      renderFields(state);
      drawBoxes(state);
      status(t("conflict"), "error");
    } else {
      status(t("error", { message: error.message }), "error");
    }
  } finally {
    const current = document.getElementById("save");
    if (current) current.disabled = false;
  }
}

async function loadVersions(state) {
  const el = state.versionsEl;
  try {
    const body = await apiJson(`/v1/documents/${state.id}/versions`);
    const list = Array.isArray(body) ? body : body.versions || [];
    el.replaceChildren(h("h2", { id: "versions-title" }, t("versions")),
      h("ol", { class: "versions", id: "versions" }, list.map((v) => {
        const kind = v.kind === "correction" ? t("kindCorrection") : t("kindExtraction");
        const when = v.created_at ? new Date(v.created_at).toLocaleString(language()) : "";
        return h("li", {}, t("versionItem", { n: v.number, kind, when, who: v.created_by || "—" }),
          h("a", { href: `#/review/${state.id}?version=${v.number}` }, t("showVersion")));
      })));
  } catch (error) {
    el.replaceChildren(h("h2", { id: "versions-title" }, t("versions")), h("p", {}, t("noVersions") + " (" + error.message + ")"));
  }
}

// ---------------------------------------------------------------- archive

async function archiveView(route) {
  const p = route.params;
  const q = p.get("q") || "", party = p.get("party") || "", year = p.get("year") || "", type = p.get("type") || "";
  const field = (id, labelKey, value, attrs = {}) =>
    h("div", { class: id === "search-q" ? "q" : null }, h("label", { for: id }, t(labelKey)), h("input", { id, value, ...attrs }));
  const form = h("form", { class: "search", role: "search" },
    field("search-q", "searchLabel", q, { type: "search" }),
    field("search-party", "partyLabel", party),
    field("search-year", "yearLabel", year, { type: "number", min: 1, max: 9999, class: "short" }),
    field("search-type", "typeLabel", type, { placeholder: t("anyType") }),
    h("button", { type: "submit", id: "search-button" }, t("search")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [name, id] of [["q", "search-q"], ["party", "search-party"], ["year", "search-year"], ["type", "search-type"]]) {
      const v = document.getElementById(id).value.trim();
      if (v) next.set(name, v);
    }
    const target = "#/archive" + (next.toString() ? "?" + next : "");
    if (location.hash === target) render();
    else location.hash = target;
  });
  const results = h("ol", { class: "results", id: "results" });
  const summary = h("p", { id: "result-count", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("moreResults"));
  let shown = 0;
  const load = async (cursor) => {
    const query = new URLSearchParams();
    if (q) query.set("q", q);
    if (party) query.set("party", party);
    if (year) query.set("year", year);
    query.set("limit", "20");
    if (cursor) query.set("cursor", cursor);
    const page = await apiJson("/v1/documents?" + query);
    const hits = new Map((page.hits || []).map((hit) => [hit.id, hit]));
    // The type filter is applied here, on each page of results.
    const wanted = type.toLowerCase();
    for (const record of page.documents) {
      const a = record.agreement || {};
      if (wanted && !(a.type || "").toLowerCase().includes(wanted)) continue;
      const hit = hits.get(record.id);
      const title = a.title || record.document.file_name || t("untitled");
      const meta = [a.type, a.year, (a.parties || []).map((x) => x.name).join("; ")].filter(Boolean).join(" · ");
      results.append(h("li", { "data-id": record.id },
        h("a", { href: "#/review/" + record.id, class: "result-title" }, title),
        h("div", { class: "meta" }, meta),
        hit && hit.snippet_html ? h("div", { class: "snippet" }, markedText(hit.snippet_html)) : null));
      shown++;
    }
    summary.textContent = shown === 1 ? t("resultOne") : shown ? t("resultCount", { n: shown }) : t("noResults");
    more.hidden = !page.next_cursor;
    more.onclick = () => load(page.next_cursor).catch((error) => status(t("error", { message: error.message }), "error"));
  };
  await load(null);
  return h("section", {}, h("h1", {}, t("archiveTitle")), form, summary, results, more);
}

// ---------------------------------------------------------------- verify

const STATUS_KEYS = { valid: "stValid", invalid: "stInvalid", indeterminate: "stIndeterminate", unsigned: "stUnsigned" };

function statusWord(s) {
  return h("span", { class: "verdict st-" + s, "data-status": s }, STATUS_KEYS[s] ? t(STATUS_KEYS[s]) : s);
}

// The "Why:" sentence of each signature in the text report (the CLI's
// words), by signature number: the line and its indented continuations.
function whyOf(text) {
  const out = new Map();
  const blocks = text.split(/^Signature (\d+) of \d+/m);
  for (let i = 1; i + 1 < blocks.length; i += 2) {
    const m = blocks[i + 1].match(/^ {2}Why: +(.*(?:\n {4,}\S.*)*)/m);
    if (m) out.set(Number(blocks[i]), m[1].replace(/\n +/g, " "));
  }
  return out;
}

function signatureCard(sig, n, why) {
  const source = { signature_timestamp: "srcSignatureTimestamp", document_timestamp: "srcDocumentTimestamp",
    current_time: "srcCurrentTime" }[sig.validation_time_source];
  const rows = [
    ["signer", sig.signer ? sig.signer.subject : null],
    ["issuer", sig.signer ? sig.signer.issuer : null],
    ["signingTime", sig.signing_time],
    ["validationTime", sig.validation_time],
    ["timeSource", source ? t(source) + (sig.timestamp ? ` (${sig.timestamp.tsa}, ${sig.timestamp.time})` : "") : null],
    ["integrity", sig.integrity],
    ["trust", sig.trust],
    ["changesAfter", sig.modification_level || (sig.modified_after_signing ? "yes" : t("none"))],
    ["reasons", (sig.reasons || []).length ? sig.reasons.join(", ") : t("none")],
    ["why", why],
  ].filter(([, v]) => v !== null && v !== undefined && v !== "");
  return h("article", { class: "signature", "data-field": sig.field },
    h("h3", {}, t("signatureN", { n, field: sig.field }), " — ", statusWord(sig.status)),
    h("dl", {}, rows.map(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, String(v))])));
}

async function verifyFile(file, out) {
  out.replaceChildren(h("p", {}, t("loading")));
  try {
    const report = await apiJson("/v1/verify", { method: "POST", body: fileForm(file) });
    const text = await (await api("/v1/verify?format=text", { method: "POST", body: fileForm(file) })).text();
    out.replaceChildren(
      h("h2", { id: "verify-status" }, t("documentStatus", { status: "" }), statusWord(report.status)),
      ...(report.signatures || []).map((sig, i) => signatureCard(sig, i + 1, whyOf(text).get(i + 1))),
      h("h2", {}, t("fullReport")),
      h("pre", { class: "report", id: "verify-report" }, text),
      h("button", { type: "button", class: "no-print", onclick: () => window.print() }, t("print")));
    status(file.name + ": " + (STATUS_KEYS[report.status] ? t(STATUS_KEYS[report.status]) : report.status));
  } catch (error) {
    out.replaceChildren(h("p", { class: "error", role: "alert" }, t("error", { message: error.message })));
  }
}

function verifyView() {
  const out = h("div", { id: "verify-result", "aria-live": "polite" });
  return h("section", {}, h("h1", {}, t("verifyTitle")), h("p", { class: "no-print" }, t("verifyIntro")),
    dropZone("verify-input", t("dropPdf"), ".pdf,application/pdf", false, (files) => verifyFile(files[0], out)), out);
}

// ---------------------------------------------------------------- sign

function signView() {
  const out = h("div", { id: "sign-result", "aria-live": "polite" });
  const levels = ["", "b-b", "b-t", "b-lt", "b-lta"];
  const form = h("form", { class: "sign-form" },
    h("div", {}, h("label", { for: "sign-file" }, t("signFile")), h("input", { type: "file", id: "sign-file", accept: ".pdf,application/pdf", required: true })),
    h("div", {}, h("label", { for: "sign-reason" }, t("reason")), h("input", { id: "sign-reason", maxlength: 256 })),
    h("div", {}, h("label", { for: "sign-location" }, t("location")), h("input", { id: "sign-location", maxlength: 256 })),
    h("div", {}, h("label", { for: "sign-level" }, t("level")),
      h("select", { id: "sign-level" }, levels.map((l) => h("option", { value: l }, l ? l.toUpperCase() : t("levelDefault"))))),
    h("div", {}, h("button", { type: "submit", id: "sign-button" }, t("signButton"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = document.getElementById("sign-file").files[0];
    if (!file) return;
    const query = new URLSearchParams();
    for (const [name, id] of [["reason", "sign-reason"], ["location", "sign-location"], ["level", "sign-level"]]) {
      const v = document.getElementById(id).value.trim();
      if (v) query.set(name, v);
    }
    out.replaceChildren(h("p", {}, t("loading")));
    try {
      const blob = await (await api("/v1/sign" + (query.toString() ? "?" + query : ""), { method: "POST", body: fileForm(file) })).blob();
      const name = file.name.replace(/\.pdf$/i, "") + "-signed.pdf";
      out.replaceChildren(h("p", {}, t("signedReady"), " ",
        h("a", { href: URL.createObjectURL(blob), download: name, id: "signed-link", "data-bytes": blob.size },
          t("download") + " (" + name + ", " + Math.ceil(blob.size / 1024) + " KiB)")));
    } catch (error) {
      out.replaceChildren(h("p", { class: "error", role: "alert" }, t("error", { message: error.message })));
    }
  });
  return h("section", {}, h("h1", {}, t("signTitle")), h("p", {}, t("signIntro")), form, out);
}

// ---------------------------------------------------------------- start

function start() {
  setLanguage(preferredLanguage(localStorage.getItem(LANG_STORAGE), navigator.languages || [navigator.language]));
  translateShell();
  updateKeyButton();
  document.getElementById("lang-select").addEventListener("change", (e) => {
    localStorage.setItem(LANG_STORAGE, e.target.value);
    setLanguage(e.target.value);
    translateShell();
    render();
  });
  document.getElementById("key-forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    updateKeyButton();
    status(t("keyForgotten"));
  });
  window.addEventListener("hashchange", render);
  render();
}

start();
