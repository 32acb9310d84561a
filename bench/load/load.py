#!/usr/bin/env python3
"""Load driver for a running `pactum serve` (Python standard library only).

    bench/load/load.py [--url http://127.0.0.1:8080] [--clients 16] [--seconds 60]
                       [--bad-dir DIR] [--api-key KEY] [--json-out FILE] ...

What it does, against --url:

  preflight  (with --bad-dir, unless --no-preflight) every bad-input case of
             DIR/manifest.json (bench/load/make_bad_inputs.py) is posted once,
             one after the other, to the idle service; after each, GET /healthz
             must answer. A service that stops answering is reported with the
             input that took it down, and the run ends there (exit 3).
  load       --clients threads post documents for --seconds: the dev corpus
             (born-digital PDFs, scanned PDFs, TIFF/PNG/JPEG; --born-digital-only
             keeps the PDFs with a text layer) to /v1/extract and the signature
             samples to /v1/verify (--verify-share of the requests), each client
             on one keep-alive connection, a --multipart-share of the uploads as
             multipart/form-data. 503/429 "overloaded" is legitimate under load:
             counted apart, and the client sleeps for Retry-After (capped by
             --retry-after-cap) before its next request.
  bad loop   meanwhile --bad-concurrency threads post the bad-input cases in
             turn (each thread one at a time, --bad-interval seconds apart) and
             check each answer: the status must be in the case's `accept` list
             and every error body the contract's {"error": {"code", "message"}}
             with the code of its status. 503/429 answers are not judged (the
             queue was full): after Retry-After (capped) the same input is
             posted again, up to --bad-retries times.
  healthz    another thread GETs /healthz every --healthz-interval seconds, on a
             new connection, and counts answers other than 200 within
             --healthz-timeout seconds.

Prints per endpoint (and per kind of document for /v1/extract): requests,
throughput, p50/p90/p99/max latency of the 200 answers, answers by status and
socket errors; then the bad-input table and the healthz figures. Where the
service has GET /metrics with pactum_worker_restarts_total{cause=...}, worker
processes replaced while a preflight case ran are shown beside that case (a
worker that crashed on a bad input answers 422 like a clean refusal: this is
how the two are told apart), and the restarts during the load by cause.

Exit status: 0 all well; 1 a bad input got an unexpected answer (or none),
/healthz failed, or a good document got an answer other than 200, 429/503 or
504 (e.g. 500, or 401 without the right --api-key), a non-contract body or a
socket error; 2 usage; 3 the service went down during the preflight.
"""

import argparse
import collections
import email.utils
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

EXT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
             ".tif": "image/tiff", ".tiff": "image/tiff"}
ERROR_CODES = {400: "bad_request", 401: "unauthorized", 404: "not_found", 413: "too_large",
               415: "unsupported_media_type", 422: "unprocessable", 429: "overloaded", 503: "overloaded",
               504: "timeout", 500: "internal"}
OVERLOADED = (429, 503)


# --- HTTP ----------------------------------------------------------------------

class Target:
    def __init__(self, url, api_key, timeout):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError("--url must be http://HOST[:PORT][/prefix], got %r" % url)
        self.https = u.scheme == "https"
        self.host = u.hostname
        self.port = u.port or (443 if self.https else 80)
        self.prefix = u.path.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def connect(self, timeout=None):
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout or self.timeout)

    def headers(self, extra=None):
        h = {"User-Agent": "pactum-bench-load/1"}
        if self.api_key:
            h["Authorization"] = "Bearer " + self.api_key
        if extra:
            h.update(extra)
        return h


class Answer:
    __slots__ = ("status", "headers", "body", "seconds", "error")

    def __init__(self, status=None, headers=None, body=b"", seconds=0.0, error=None):
        self.status, self.headers, self.body, self.seconds, self.error = status, headers or {}, body, seconds, error


def multipart(data, filename):
    boundary = "pactumbench%016x" % random.getrandbits(64)
    head = ('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
            'Content-Type: application/octet-stream\r\n\r\n' % (boundary, filename)).encode()
    tail = ("\r\n--%s--\r\n" % boundary).encode()
    return head + data + tail, "multipart/form-data; boundary=" + boundary


STALE = ("remote-disconnected", "broken-pipe", "connection-reset")


def request(target, conn, method, path, body=None, headers=None, timeout=None):
    """One request on `conn` (None: a new connection, closed afterwards).
    Returns (Answer, connection to reuse or None). A kept-alive connection
    that the server closed while idle is retried once on a new connection,
    as HTTP clients do."""
    if conn is not None and getattr(conn, "pactum_used", False):
        a, conn2 = _request(target, conn, method, path, body, headers, timeout)
        if a.error not in STALE:
            return a, conn2
        conn = target.connect()
    return _request(target, conn, method, path, body, headers, timeout)


def _request(target, conn, method, path, body, headers, timeout):
    own = conn is None
    if own:
        conn = target.connect(timeout)
    t0 = time.monotonic()
    try:
        conn.request(method, target.prefix + path, body=body, headers=target.headers(headers))
        r = conn.getresponse()
        data = r.read()
        a = Answer(r.status, {k.lower(): v for k, v in r.getheaders()}, data, time.monotonic() - t0)
        keep = not own and not r.will_close
        conn.pactum_used = True
    except (OSError, http.client.HTTPException) as e:
        a = Answer(None, None, b"", time.monotonic() - t0, error_name(e))
        keep = False
    if not keep:
        conn.close()
        conn = None
    return a, conn


def error_name(e):
    if isinstance(e, socket.timeout):
        return "timeout"
    if isinstance(e, ConnectionRefusedError):
        return "connection-refused"
    if isinstance(e, ConnectionResetError):
        return "connection-reset"
    if isinstance(e, BrokenPipeError):
        return "broken-pipe"
    if isinstance(e, http.client.RemoteDisconnected):
        return "remote-disconnected"
    return type(e).__name__


def retry_after_seconds(headers, default=1.0):
    v = headers.get("retry-after")
    if not v:
        return default
    try:
        return max(0.0, float(v))
    except ValueError:
        try:
            return max(0.0, email.utils.parsedate_to_datetime(v).timestamp() - time.time())
        except (TypeError, ValueError):
            return default


def check_error_body(status, body):
    """None if `body` is the contract's error JSON for `status`, else why not."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "error body is not JSON: %r" % body[:80]
    err = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(err, dict):
        return "error body has no \"error\" object: %r" % body[:80]
    code, message = err.get("code"), err.get("message")
    if not isinstance(code, str) or not isinstance(message, str) or not message:
        return "error object needs string code and non-empty message: %r" % body[:120]
    want = ERROR_CODES.get(status)
    if want and code != want:
        return "status %d with code %r (contract: %r)" % (status, code, want)
    return None


def check_ok_body(endpoint, body):
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "200 body is not JSON: %r" % body[:80]
    if not isinstance(doc, dict) or "id" not in doc:
        return "200 body has no id"
    if endpoint == "/v1/verify" and "status" not in doc:
        return "verify 200 body has no status"
    if endpoint == "/v1/extract" and ("document" not in doc or "agreement" not in doc):
        return "extract 200 body has no document/agreement"
    return None


def worker_restarts(target):
    """{cause: count} from GET /metrics (pactum_worker_restarts_total), or
    None when the service has no such metric."""
    a, _ = request(target, None, "GET", "/metrics", timeout=5)
    if a.status != 200:
        return None
    out = {}
    for line in a.body.decode("utf-8", "replace").splitlines():
        if line.startswith("#") or "worker_restarts_total" not in line:
            continue
        name, _, value = line.rpartition(" ")
        cause = name.split('cause="', 1)[1].split('"', 1)[0] if 'cause="' in name else "all"
        try:
            out[cause] = out.get(cause, 0) + int(float(value))
        except ValueError:
            pass
    return out if out else None


def restarts_diff(before, after):
    if before is None or after is None:
        return {}
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0) > 0}


# --- statistics ----------------------------------------------------------------

def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.errors = collections.Counter()
        self.ok_latencies = []
        self.all_latencies = []
        self.bad_bodies = collections.Counter()
        self.sample_bad_body = {}
        self.bytes_sent = 0
        self.done_at = []        # (monotonic time of the answer, status or None)

    def add(self, answer, sent, body_problem=None):
        with self.lock:
            self.bytes_sent += sent
            self.done_at.append((time.monotonic(), answer.status))
            if answer.status is None:
                self.errors[answer.error] += 1
                return
            self.statuses[answer.status] += 1
            self.all_latencies.append(answer.seconds)
            if answer.status == 200:
                self.ok_latencies.append(answer.seconds)
            if body_problem:
                self.bad_bodies[answer.status] += 1
                self.sample_bad_body.setdefault(answer.status, body_problem)

    def summary(self, t_start, window):
        """Counts over the whole run; rates over the load window only
        (answers that arrived within `window` seconds of `t_start`)."""
        with self.lock:
            lat = sorted(self.ok_latencies)
            answered = sum(self.statuses.values())
            n = answered + sum(self.errors.values())
            in_window = [st for t, st in self.done_at if t - t_start <= window]
            return {
                "requests": n,
                "answered": answered,
                "in_window": len(in_window),
                "throughput_rps": len(in_window) / window,
                "ok": self.statuses.get(200, 0),
                "ok_rps": sum(1 for st in in_window if st == 200) / window,
                "overloaded": sum(self.statuses.get(s, 0) for s in OVERLOADED),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "socket_errors": dict(self.errors),
                "bad_bodies": {str(k): v for k, v in self.bad_bodies.items()},
                "bad_body_samples": {str(k): v for k, v in self.sample_bad_body.items()},
                "latency_ok_s": {"p50": percentile(lat, 50), "p90": percentile(lat, 90),
                                 "p99": percentile(lat, 99), "max": lat[-1] if lat else None},
                "mbytes_sent": self.bytes_sent / 1e6,
            }


# --- corpus --------------------------------------------------------------------

def load_documents(dev_dir, sig_dir, born_digital_only):
    kinds = {}
    manifest = os.path.join(dev_dir, "manifest.json")
    if os.path.isfile(manifest):
        with open(manifest) as fh:
            for d in json.load(fh).get("documents", []):
                kinds[d["file"]] = d.get("variant", "")
    extract = []
    for name in sorted(os.listdir(dev_dir)):
        ext = os.path.splitext(name)[1].lower()
        if ext not in EXT_TYPES:
            continue
        variant = kinds.get(name) or ("born-digital" if "born-digital" in name else "scan" if ext == ".pdf" else "image")
        kind = "born-digital" if variant == "born-digital" else "scan-pdf" if ext == ".pdf" else "image"
        if born_digital_only and kind != "born-digital":
            continue
        with open(os.path.join(dev_dir, name), "rb") as fh:
            extract.append({"name": name, "kind": kind, "type": EXT_TYPES[ext], "data": fh.read()})
    verify = []
    if sig_dir and os.path.isdir(sig_dir):
        for name in sorted(os.listdir(sig_dir)):
            if name.lower().endswith(".pdf"):
                with open(os.path.join(sig_dir, name), "rb") as fh:
                    verify.append({"name": name, "kind": "signed-pdf", "type": "application/pdf", "data": fh.read()})
    return extract, verify


# --- the run -------------------------------------------------------------------

class Run:
    def __init__(self, args, target):
        self.args = args
        self.target = target
        self.stop = threading.Event()
        self.t_start = None
        # "/v1/extract", "/v1/extract born-digital", ...: made up front (threads only look up).
        self.endpoint_stats = {k: Stats() for k in ("/v1/extract", "/v1/verify", "/v1/extract born-digital",
                                                     "/v1/extract scan-pdf", "/v1/extract image")}
        self.failures = []             # human-readable reasons for exit 1
        self.flock = threading.Lock()
        self.inflight = {}             # thread name -> (what, started)
        self.ilock = threading.Lock()
        self.bad = collections.OrderedDict()   # case name -> results
        self.healthz = {"polls": 0, "failures": 0, "max_s": 0.0, "fail_times": [], "errors": collections.Counter()}
        self.retry_sleeps = 0
        self.bad_next = 0
        self.restarts_load = {}

    def fail(self, msg):
        with self.flock:
            self.failures.append(msg)

    def now(self):
        return time.monotonic() - self.t_start if self.t_start else 0.0

    def set_inflight(self, what):
        with self.ilock:
            if what is None:
                self.inflight.pop(threading.current_thread().name, None)
            else:
                self.inflight[threading.current_thread().name] = (what, time.monotonic())

    def inflight_now(self):
        with self.ilock:
            return [(w, time.monotonic() - t) for w, t in self.inflight.values()]

    # healthz ------------------------------------------------------------------
    def probe_healthz(self):
        a, _ = request(self.target, None, "GET", "/healthz", timeout=self.args.healthz_timeout)
        return a

    def wait_healthy(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            a = self.probe_healthz()
            if a.status == 200:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.25)

    def healthz_loop(self):
        h = self.healthz
        while not self.stop.is_set():
            t0 = time.monotonic()
            a = self.probe_healthz()
            h["polls"] += 1
            h["max_s"] = max(h["max_s"], a.seconds)
            if a.status != 200:
                h["failures"] += 1
                h["errors"][a.error or str(a.status)] += 1
                if len(h["fail_times"]) < 50:
                    h["fail_times"].append(round(self.now(), 1))
                if h["failures"] == 1:
                    bad_inflight = [w for w, _ in self.inflight_now() if w.startswith("bad ")]
                    print("  [%6.1fs] /healthz failed (%s)%s" % (self.now(), a.error or a.status,
                          "; bad input in flight: " + ", ".join(bad_inflight) if bad_inflight else ""),
                          file=sys.stderr, flush=True)
            self.stop.wait(max(0.0, self.args.healthz_interval - (time.monotonic() - t0)))

    # good documents -------------------------------------------------------------
    def client_loop(self, idx, extract_docs, verify_docs):
        rng = random.Random(self.args.seed * 1000 + idx)
        conn = None
        while not self.stop.is_set():
            if verify_docs and (not extract_docs or rng.random() < self.args.verify_share):
                endpoint, doc = "/v1/verify", rng.choice(verify_docs)
            else:
                endpoint, doc = "/v1/extract", rng.choice(extract_docs)
            if rng.random() < self.args.multipart_share:
                body, ctype = multipart(doc["data"], doc["name"])
            else:
                body, ctype = doc["data"], doc["type"]
            if conn is None:
                conn = self.target.connect()
            self.set_inflight("%s %s" % (endpoint, doc["name"]))
            a, conn = request(self.target, conn, "POST", endpoint, body, {"Content-Type": ctype})
            self.set_inflight(None)
            problem = None
            if a.status == 200:
                problem = check_ok_body(endpoint, a.body)
            elif a.status is not None:
                problem = check_error_body(a.status, a.body)
            self.endpoint_stats[endpoint].add(a, len(body), problem)
            if endpoint == "/v1/extract":
                self.endpoint_stats["%s %s" % (endpoint, doc["kind"])].add(a, len(body), problem)
            if a.status in OVERLOADED:
                with self.flock:
                    self.retry_sleeps += 1
                self.stop.wait(min(retry_after_seconds(a.headers), self.args.retry_after_cap) * rng.uniform(0.5, 1.0))
            elif a.status is None:
                self.stop.wait(0.2)  # the service may be down: do not spin
        if conn is not None:
            conn.close()

    # bad inputs -------------------------------------------------------------------
    def judge(self, case, a):
        """(verdict, detail): verdict is ok, deferred, wrong, no-answer."""
        if a.status is None:
            return "no-answer", a.error
        if a.status in OVERLOADED and a.status not in case["accept"]:
            problem = check_error_body(a.status, a.body)
            return ("deferred", None) if not problem else ("wrong", problem)
        if a.status not in case["accept"]:
            detail = "status %d, want %s" % (a.status, "|".join(map(str, case["accept"])))
            if a.status >= 400:
                try:
                    detail += ": " + json.loads(a.body)["error"]["message"][:160]
                except (ValueError, KeyError, TypeError):
                    detail += ": " + repr(a.body[:80])
            return "wrong", detail
        if a.status >= 400:
            problem = check_error_body(a.status, a.body)
            if problem:
                return "wrong", problem
        elif a.status == 200:
            problem = check_ok_body(case["endpoint"], a.body)
            if problem:
                return "wrong", problem
        return "ok", None

    def bad_entry(self, case):
        return self.bad.setdefault(case["name"], {
            "file": case["file"], "endpoint": case["endpoint"], "accept": case["accept"],
            "preflight": None, "posts": 0, "statuses": collections.Counter(), "verdicts": collections.Counter(),
            "max_s": 0.0, "problems": []})

    def post_bad(self, case, data, phase):
        e = self.bad_entry(case)
        ctype = EXT_TYPES.get(os.path.splitext(case["file"])[1].lower(), "application/octet-stream")
        self.set_inflight("bad %s" % case["name"])
        a, _ = request(self.target, None, "POST", case["endpoint"], data, {"Content-Type": ctype},
                       timeout=self.args.request_timeout)
        self.set_inflight(None)
        verdict, detail = self.judge(case, a)
        if phase == "preflight":
            e["preflight"] = {"status": a.status, "error": a.error, "seconds": round(a.seconds, 3),
                              "verdict": verdict, "detail": detail}
        else:
            e["posts"] += 1
            e["statuses"][str(a.status) if a.status else a.error] += 1
            e["verdicts"][verdict] += 1
            e["max_s"] = max(e["max_s"], a.seconds)
        if verdict in ("wrong", "no-answer"):
            msg = "%s: %s %s -> %s" % (phase, case["name"], case["endpoint"], detail)
            if detail not in e["problems"] and len(e["problems"]) < 5:
                e["problems"].append(detail)
                self.fail(msg)
        return a, verdict

    def preflight(self, cases, data):
        print("preflight: each bad input once, on the idle service (healthz checked after each)", file=sys.stderr)
        for case in cases:
            before = worker_restarts(self.target)
            a, verdict = self.post_bad(case, data[case["file"]], "preflight")
            restarts = restarts_diff(before, worker_restarts(self.target))
            if restarts:
                self.bad_entry(case)["preflight"]["worker_restarts"] = restarts
            print("  %-26s %-11s -> %-4s %7.2fs  %s%s" % (case["name"], case["endpoint"], a.status or a.error,
                  a.seconds, verdict, "  worker restarts: %s" % restarts if restarts else ""),
                  file=sys.stderr, flush=True)
            if not self.wait_healthy(5.0):
                self.fail("preflight: the service stopped answering /healthz after %s (%s): %s"
                          % (case["name"], case["file"], a.error or a.status))
                self.bad_entry(case)["took_service_down"] = True
                return False
        return True

    def bad_loop(self, cases, data):
        """One of --bad-concurrency threads taking the cases in turn."""
        while not self.stop.is_set():
            with self.flock:
                case = cases[self.bad_next % len(cases)]
                self.bad_next += 1
            a, verdict = self.post_bad(case, data[case["file"]], "load")
            retries = 0
            while verdict == "deferred" and retries < self.args.bad_retries and not self.stop.is_set():
                # Queue full: wait as told (capped), then the same case again.
                retries += 1
                self.stop.wait(min(retry_after_seconds(a.headers), self.args.retry_after_cap))
                a, verdict = self.post_bad(case, data[case["file"]], "load")
            if verdict == "no-answer" and not self.wait_healthy(5.0):
                self.fail("load: /healthz down after %s gave no answer (%s)" % (case["name"], a.error))
                self.bad_entry(case)["took_service_down"] = True
                print("  [%6.1fs] service down after bad input %s (%s)" % (self.now(), case["name"], a.error),
                      file=sys.stderr, flush=True)
            self.stop.wait(self.args.bad_interval)


# --- output --------------------------------------------------------------------

def fmt_s(v):
    if v is None:
        return "-"
    return "%.3f" % v if v < 10 else "%.1f" % v


def print_summary(run, seconds, results):
    if results:
        print_load(run, seconds, results)
    print_bad(run)
    if run.healthz["polls"]:
        print_healthz(run)


def print_load(run, seconds, results):
    print()
    print("load: %d clients for %.0f s; the answers in flight then took %.1f s more (limit %.0f s)"
          % (run.args.clients, run.args.seconds, max(0.0, seconds - run.args.seconds), run.args.drain_seconds))
    print("  reqs, statuses, latencies: every answer, the late ones too; req/s and ok/s: answers within the %.0f s;"
          % run.args.seconds)
    print("  latency percentiles: 200 answers only; 503 = overloaded (legitimate under load)")
    hdr = "%-26s %6s %6s %7s %7s %5s %5s %5s %7s %8s %8s %8s %8s"
    print(hdr % ("endpoint", "reqs", "req/s", "ok(200)", "ok/s", "503", "504", "other", "sockerr",
                 "p50_s", "p90_s", "p99_s", "max_s"))
    for key in sorted(results, key=lambda k: (k.split()[0], len(k.split()), k)):
        s = results[key]
        other = sum(v for k, v in s["statuses"].items() if k not in ("200", "503", "429", "504"))
        lat = s["latency_ok_s"]
        label = key if " " not in key else "  " + key.split(" ", 1)[1]
        print(hdr % (label, s["requests"], "%.2f" % s["throughput_rps"], s["ok"], "%.2f" % s["ok_rps"],
                     s["overloaded"], s["statuses"].get("504", 0), other, sum(s["socket_errors"].values()),
                     fmt_s(lat["p50"]), fmt_s(lat["p90"]), fmt_s(lat["p99"]), fmt_s(lat["max"])))
    for key in sorted(k for k in results if " " not in k):
        s = results[key]
        print("  %s statuses: %s%s%s" % (
            key, ", ".join("%s=%d" % kv for kv in s["statuses"].items()) or "none",
            "; socket errors: " + ", ".join("%s=%d" % kv for kv in s["socket_errors"].items()) if s["socket_errors"] else "",
            "; bad bodies: %s (%s)" % (s["bad_bodies"], s["bad_body_samples"]) if s["bad_bodies"] else ""))


def print_bad(run):
    if run.bad:
        print()
        posted = sum(1 for e in run.bad.values() if e["posts"])
        if run.t_start:
            print("bad inputs (preflight: idle service; load: posted in turn by %d threads during the load, 503 not "
                  "judged; %d of %d cases posted during the load)" % (run.args.bad_concurrency, posted, len(run.bad)))
        else:
            print("bad inputs (preflight on the idle service)")
        hdr = "%-26s %-11s %-8s %-16s %5s %-28s %7s  %s"
        print(hdr % ("case", "endpoint", "accept", "preflight", "posts", "load statuses", "max_s", "verdict"))
        for name, e in run.bad.items():
            pf = e["preflight"]
            pf_s = "-" if pf is None else "%s %.2fs" % (pf["status"] or pf["error"], pf["seconds"])
            bad = (pf and pf["verdict"] in ("wrong", "no-answer")) or e["verdicts"].get("wrong") or e["verdicts"].get("no-answer")
            verdict = "TOOK SERVICE DOWN" if e.get("took_service_down") else "WRONG" if bad else "ok"
            if verdict == "ok" and e["posts"] and e["verdicts"].get("ok", 0) == 0:
                verdict = "ok (under load: 503 only, not judged)"
            if verdict != "ok" and e["problems"]:
                verdict += ": " + e["problems"][0]
            if pf and pf.get("worker_restarts"):
                verdict += "; WORKER RESTARTS on it: %s" % pf["worker_restarts"]
            print(hdr % (name, e["endpoint"], "|".join(map(str, e["accept"])), pf_s, e["posts"],
                         ",".join("%s=%d" % kv for kv in sorted(e["statuses"].items())) or "-",
                         fmt_s(e["max_s"]) if e["posts"] else "-", verdict))


def print_healthz(run):
    h = run.healthz
    print()
    print("healthz: %d polls, %d failures, slowest %.3f s%s" % (
        h["polls"], h["failures"], h["max_s"],
        " (at %s s: %s)" % (h["fail_times"][:10], dict(h["errors"])) if h["failures"] else ""))
    print("503/429 answers honoured with a sleep: %d" % run.retry_sleeps)
    if run.restarts_load:
        print("worker processes replaced during the load (from /metrics), by cause: %s" % run.restarts_load)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    corpus = os.environ.get("PACTUM_CORPUS_DIR", os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "corpus")))
    ap = argparse.ArgumentParser(description="Load, bad-input and health driver for pactum serve.",
                                 epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--api-key", default=os.environ.get("PACTUM_API_KEY"), help="sent as Authorization: Bearer KEY")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--json-out", metavar="FILE")
    ap.add_argument("--bad-dir", metavar="DIR", help="output of make_bad_inputs.py (manifest.json); none: no bad inputs")
    ap.add_argument("--dev-corpus", default=os.path.join(corpus, "dev"))
    ap.add_argument("--signatures", default=os.path.join(corpus, "signatures"))
    ap.add_argument("--born-digital-only", action="store_true", help="extract only the PDFs with a text layer")
    ap.add_argument("--verify-share", type=float, default=0.25, help="share of client requests to /v1/verify")
    ap.add_argument("--multipart-share", type=float, default=0.1, help="share of uploads sent as multipart/form-data")
    ap.add_argument("--request-timeout", type=float, default=300, help="client-side limit per request, s")
    ap.add_argument("--drain-seconds", type=float, default=150,
                    help="after --seconds, wait this long for requests in flight")
    ap.add_argument("--retry-after-cap", type=float, default=2.0, help="longest sleep after 503, s")
    ap.add_argument("--bad-interval", type=float, default=0.5,
                    help="pause of a bad-input thread between its posts, s")
    ap.add_argument("--bad-concurrency", type=int, default=4,
                    help="threads posting the bad inputs in turn during the load (a worker-bound bad input "
                         "waits in the queue behind the good documents)")
    ap.add_argument("--bad-retries", type=int, default=3,
                    help="posts of the same bad input again after 503/429 (Retry-After honoured) before the next")
    ap.add_argument("--healthz-interval", type=float, default=1.0)
    ap.add_argument("--healthz-timeout", type=float, default=2.0)
    ap.add_argument("--no-preflight", action="store_true")
    ap.add_argument("--preflight-only", action="store_true", help="post each bad input once and stop")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.clients < 0 or args.seconds <= 0:
        ap.error("--clients >= 0 and --seconds > 0")

    try:
        target = Target(args.url, args.api_key, args.request_timeout)
    except ValueError as e:
        ap.error(str(e))
    extract_docs, verify_docs = load_documents(args.dev_corpus, args.signatures, args.born_digital_only)
    if args.clients and not extract_docs and not verify_docs:
        ap.error("no documents in %s / %s" % (args.dev_corpus, args.signatures))
    cases, bad_data = [], {}
    if args.bad_dir:
        with open(os.path.join(args.bad_dir, "manifest.json")) as fh:
            cases = json.load(fh)["cases"]
        for c in cases:
            if c["file"] not in bad_data:
                with open(os.path.join(args.bad_dir, c["file"]), "rb") as fh:
                    bad_data[c["file"]] = fh.read()

    run = Run(args, target)
    if not run.wait_healthy(10.0):
        print("no 200 from %s/healthz" % args.url, file=sys.stderr)
        return 2
    print("documents: %d for /v1/extract (%s), %d for /v1/verify; %d bad-input cases" % (
        len(extract_docs), ", ".join("%s=%d" % kv for kv in sorted(collections.Counter(d["kind"] for d in extract_docs).items())),
        len(verify_docs), len(cases)), file=sys.stderr)

    alive = True
    if cases and not args.no_preflight:
        alive = run.preflight(cases, bad_data)
    results, elapsed, stuck = {}, 0.0, []
    if alive and not args.preflight_only:
        print("load: %d clients for %.0f s%s" % (args.clients, args.seconds,
              ", bad inputs in turn" if cases else ""), file=sys.stderr, flush=True)
        run.t_start = time.monotonic()
        threads = [threading.Thread(target=run.healthz_loop, name="healthz", daemon=True)]
        threads += [threading.Thread(target=run.client_loop, args=(i, extract_docs, verify_docs),
                                     name="client-%d" % i, daemon=True) for i in range(args.clients)]
        if cases:
            threads += [threading.Thread(target=run.bad_loop, args=(cases, bad_data), name="bad-%d" % i, daemon=True)
                        for i in range(args.bad_concurrency)]
        restarts_before = worker_restarts(target)
        for t in threads:
            t.start()
        run.stop.wait(args.seconds)
        run.stop.set()
        drain_end = time.monotonic() + args.drain_seconds
        for t in threads:
            t.join(max(0.0, drain_end - time.monotonic()))
        elapsed = time.monotonic() - run.t_start
        run.restarts_load = restarts_diff(restarts_before, worker_restarts(target))
        stuck = run.inflight_now()
        for what, age in stuck:
            run.fail("no answer after %.0f s (still in flight at the end): %s" % (age, what))
        if run.healthz["failures"]:
            run.fail("/healthz failed %d of %d times" % (run.healthz["failures"], run.healthz["polls"]))
        results = {k: s.summary(run.t_start, args.seconds) for k, s in run.endpoint_stats.items()
                   if s.statuses or s.errors}
        for key, s in results.items():
            if " " in key:
                continue
            unexpected = {k: v for k, v in s["statuses"].items() if k not in ("200", "429", "503", "504")}
            if unexpected:
                run.fail("%s: good documents answered %s (only 200, 429/503 overloaded and 504 are expected%s)"
                         % (key, unexpected, "; API key missing or wrong?" if "401" in unexpected else ""))
            if s["socket_errors"]:
                run.fail("%s: socket errors %s" % (key, s["socket_errors"]))
            if s["bad_bodies"]:
                run.fail("%s: answers not following the contract %s" % (key, s["bad_body_samples"]))
        if not run.wait_healthy(5.0):
            run.fail("/healthz does not answer after the load")
    print_summary(run, elapsed, results)
    if stuck:
        print("still in flight at the end: " + "; ".join("%s (%.0f s)" % s for s in stuck))
    print()
    if run.failures:
        print("FAILED (%d):" % len(run.failures))
        for f in run.failures:
            print("  - " + f)
    else:
        print("OK: %s/healthz always up" % ("every bad input answered as the contract says, " if cases else ""))

    if args.json_out:
        out = {"url": args.url, "clients": args.clients, "seconds": args.seconds, "elapsed_s": elapsed,
               "born_digital_only": args.born_digital_only, "verify_share": args.verify_share,
               "endpoints": results,
               "bad_inputs": {k: dict(v, statuses=dict(v["statuses"]), verdicts=dict(v["verdicts"]))
                              for k, v in run.bad.items()},
               "healthz": dict(run.healthz, errors=dict(run.healthz["errors"])),
               "still_in_flight": [{"what": w, "age_s": a} for w, a in stuck],
               "worker_restarts_during_load": run.restarts_load,
               "failures": run.failures}
        with open(args.json_out, "w") as fh:
            json.dump(out, fh, indent=2)
            fh.write("\n")
    if not alive:
        return 3
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
