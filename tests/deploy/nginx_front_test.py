#!/usr/bin/env python3
"""deploy.nginx_front: pactum behind deploy/nginx, attacked through nginx.

Usage: nginx_front_test.py PACTUM_BINARY DEPLOY_NGINX_DIR

Starts `pactum serve` on a free loopback port and nginx on another, with
deploy/nginx's nginx.conf and pactum.conf copied verbatim into a temporary
prefix directory; only upstream.conf (pactum's port) and listen.conf (nginx's
port) are written by the test. Everything nginx writes (pid, temp files, logs)
stays in that directory, so the test runs as root or not. Then, through nginx:

  (a) header flood: 4 connections each trying to send 200 MB of 8,000-byte
      header lines; each must be refused (431 or 400 with pactum's error JSON,
      or the connection closed)
      within a few seconds and a few MB;
  (b) slowloris: 200 connections dripping one header line a second for 15 s,
      while GET /healthz answers 200 within 1 s every second; nginx cuts the
      drippers at client_header_timeout;
  (c) GET /openapi.json with 2,700 byte ranges ("0-" each, 8 KB of header):
      200 with the document once, or 206 with one range, never more bytes
      than the document;
  (d) POST /v1/extract of a small one-page PDF: 200 with a JSON record, the
      client's X-Request-Id echoed;
  (e) nginx's own refusals are JSON in pactum's error model (431, 413).

Throughout, pactum's parent process's VmRSS is sampled from /proc; its peak
(and VmHWM at the end) must stay below 100 MB (300 MB for a sanitizer build,
whose shadow memory and quarantine inflate every process). Without nginx the
same header flood takes the parent past 1 GB. nginx and pactum are always
stopped at the end, on failure too; both also get SIGTERM if this process
dies (PR_SET_PDEATHSIG).
"""

import ctypes
import http.client
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

MB = 1024 * 1024
RSS_LIMIT = 100 * MB
RSS_LIMIT_SANITIZED = 300 * MB

FLOOD_CONNECTIONS = 4
FLOOD_BYTES = 200 * 1000 * 1000
FLOOD_LINE = 8000                 # bytes per header line, CRLF included
FLOOD_MAX_SECONDS = 5.0           # each flood connection refused within this
FLOOD_MAX_ACCEPTED = 16 * MB      # ... having got at most this much in (socket buffers)

SLOW_CONNECTIONS = 200
SLOW_SECONDS = 15
HEALTH_LIMIT_SECONDS = 1.0
HEADER_TIMEOUT_SECONDS = 10       # pactum.conf: client_header_timeout

RANGES = 2700

AGREEMENT_TEXT = "This Agreement is made between Alpha GmbH and Beta AG"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def log(message):
    print(message, flush=True)


# ---- processes -------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    # Runs in the child between fork and exec: SIGTERM when this test dies.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def start(argv, cwd, stdout_path, stderr_path):
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        return subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                preexec_fn=_die_with_parent)


def stop(proc, name, grace_seconds):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        log(f"{name} did not stop within {grace_seconds} s of SIGTERM; killing it")
        proc.kill()
        proc.wait(timeout=10)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_nginx():
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def is_sanitized(binary):
    """True for a build with AddressSanitizer or ThreadSanitizer."""
    markers = (b"__asan_init", b"__tsan_init")
    tail = b""
    with open(binary, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                return False
            window = tail + chunk
            if any(m in window for m in markers):
                return True
            tail = chunk[-32:]


def tail(path, lines=20):
    try:
        with open(path, "r", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"({e})"


# ---- HTTP ------------------------------------------------------------------

def get(port, path, headers=None, timeout=5.0):
    """(status, headers dict lower-case, body) of one request on a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def wait_ready(port, proc, name, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        check(proc.poll() is None, f"{name} exited with status {proc.returncode} while starting")
        try:
            status, _, _ = get(port, "/healthz", timeout=1.0)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise Failure(f"{name} did not answer GET /healthz on port {port} within {seconds} s")


def read_response(sock, timeout=5.0):
    """Whatever the peer sends until it closes (or timeout), as bytes."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    return data


def status_of(raw):
    if not raw.startswith(b"HTTP/1."):
        return None
    try:
        return int(raw.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def body_of(raw):
    at = raw.find(b"\r\n\r\n")
    return raw[at + 4:] if at >= 0 else b""


def error_code_of(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


# ---- pactum's memory ---------------------------------------------------------

def proc_status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class RssSampler(threading.Thread):
    """Samples VmRSS of one process every 20 ms; peak in bytes."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.samples = 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            kb = proc_status_kb(self.pid, "VmRSS")
            if kb is not None:
                self.peak = max(self.peak, kb * 1024)
                self.samples += 1
            self._halt.wait(0.02)

    def stop(self):
        self._halt.set()
        self.join(timeout=5)


# ---- a small PDF -----------------------------------------------------------

def one_page_pdf(text):
    """A minimal valid one-page PDF with `text` in Helvetica."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# ---- the attacks -------------------------------------------------------------

def header_flood_one(port, index, result):
    """Sends up to FLOOD_BYTES of header lines; records how it ended."""
    started = time.monotonic()
    sent = 0
    outcome = "accepted everything"
    raw = b""
    line = b"X-Flood-%d-%%07d: " % index
    pad = FLOOD_LINE - len(line % 0) - 2
    chunk_lines = 16
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    except OSError as e:
        result[index] = {"outcome": f"connect failed: {e}", "sent": 0, "seconds": 0.0, "status": None}
        return
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: pactum\r\n")
        number = 0
        while sent < FLOOD_BYTES and time.monotonic() - started < 60:
            block = b"".join((line % (number + i)) + b"a" * pad + b"\r\n" for i in range(chunk_lines))
            number += chunk_lines
            try:
                sock.sendall(block)
            except (BrokenPipeError, ConnectionResetError, socket.timeout) as e:
                outcome = f"closed by the proxy ({type(e).__name__})"
                break
            sent += len(block)
            if readable(sock):
                outcome = "answered"
                break
        raw = read_response(sock, timeout=5.0)
        if raw and outcome != "answered":
            outcome = "answered"
    finally:
        sock.close()
    result[index] = {"outcome": outcome, "sent": sent, "seconds": time.monotonic() - started,
                     "status": status_of(raw), "code": error_code_of(body_of(raw))}


def readable(sock):
    """True when the peer has sent something (or closed): a read would not block."""
    sel = selectors.DefaultSelector()
    try:
        sel.register(sock, selectors.EVENT_READ)
        return bool(sel.select(timeout=0))
    finally:
        sel.close()


def attack_header_flood(port):
    log(f"(a) header flood: {FLOOD_CONNECTIONS} connections x {FLOOD_BYTES // 1000000} MB of "
        f"{FLOOD_LINE}-byte header lines")
    result = {}
    threads = [threading.Thread(target=header_flood_one, args=(port, i, result)) for i in range(FLOOD_CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for i in range(FLOOD_CONNECTIONS):
        r = result.get(i)
        check(r is not None, f"flood connection {i} did not finish")
        log(f"    connection {i}: {r['outcome']}, status {r['status']} code {r.get('code')}, "
            f"{r['sent'] / MB:.2f} MB sent in {r['seconds']:.2f} s")
        check(r["outcome"] != "accepted everything", f"flood connection {i}: the proxy took all {FLOOD_BYTES} bytes")
        check(r["status"] in (None, 400, 431, 494),
              f"flood connection {i}: status {r['status']}, expected a refusal (431, 400) or a closed connection")
        if r["status"] is not None:
            check(r.get("code") == "bad_request", f"flood connection {i}: refusal body is not pactum's bad_request JSON")
        check(r["seconds"] <= FLOOD_MAX_SECONDS, f"flood connection {i}: refused only after {r['seconds']:.1f} s")
        check(r["sent"] <= FLOOD_MAX_ACCEPTED, f"flood connection {i}: {r['sent'] / MB:.1f} MB went in before the refusal")


def attack_slowloris(port):
    log(f"(b) slowloris: {SLOW_CONNECTIONS} connections, one header line a second for {SLOW_SECONDS} s; "
        f"GET /healthz every second")
    socks = []
    for i in range(SLOW_CONNECTIONS):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: pactum\r\n")
        socks.append(s)
    started = time.monotonic()
    open_socks = {i: s for i, s in enumerate(socks)}
    closed_at = {}
    latencies = []
    try:
        for second in range(1, SLOW_SECONDS + 1):
            for i, s in list(open_socks.items()):
                try:
                    s.sendall(b"X-Drip-%d: %d\r\n" % (second, i))
                    if readable(s) and not s.recv(4096):
                        raise ConnectionResetError("closed")
                except OSError:
                    closed_at[i] = time.monotonic() - started
                    s.close()
                    del open_socks[i]
            t0 = time.monotonic()
            try:
                status, _, body = get(port, "/healthz", timeout=5.0)
            except OSError as e:
                status, body = None, repr(e).encode()
            latency = time.monotonic() - t0
            latencies.append(latency)
            log(f"    t={time.monotonic() - started:5.1f} s: /healthz {status} in {latency * 1000:6.1f} ms, "
                f"{len(open_socks)} drip connections open")
            check(status == 200, f"/healthz during slowloris: status {status} ({body[:200]!r})")
            check(latency <= HEALTH_LIMIT_SECONDS, f"/healthz during slowloris took {latency:.2f} s")
            next_tick = started + second
            time.sleep(max(0.0, next_tick - time.monotonic()))
    finally:
        for s in open_socks.values():
            s.close()
    log(f"    /healthz latency: max {max(latencies) * 1000:.1f} ms, mean {sum(latencies) / len(latencies) * 1000:.1f} ms "
        f"over {len(latencies)} requests")
    if closed_at:
        times = sorted(closed_at.values())
        log(f"    proxy closed {len(closed_at)} of {SLOW_CONNECTIONS} drip connections, "
            f"first at {times[0]:.1f} s, last at {times[-1]:.1f} s")
    check(len(closed_at) == SLOW_CONNECTIONS,
          f"only {len(closed_at)} of {SLOW_CONNECTIONS} drip connections were closed by the proxy within {SLOW_SECONDS} s")
    check(min(closed_at.values()) >= HEADER_TIMEOUT_SECONDS - 2,
          "drip connections were closed before client_header_timeout")
    return latencies


def attack_ranges(port):
    status, _, whole = get(port, "/openapi.json")
    check(status == 200, f"GET /openapi.json: {status}")
    size = len(whole)
    ranges = ",".join(["0-"] * RANGES)
    header = "bytes=" + ranges
    log(f"(c) GET /openapi.json ({size} bytes) with {RANGES} byte ranges ({len(header)} bytes of Range header)")
    t0 = time.monotonic()
    status, headers, body = get(port, "/openapi.json", headers={"Range": header}, timeout=30)
    seconds = time.monotonic() - t0
    log(f"    status {status}, {len(body)} bytes, content-type {headers.get('content-type')}, {seconds * 1000:.1f} ms")
    check(status in (200, 206), f"many ranges: status {status}")
    check(len(body) <= size, f"many ranges: {len(body)} bytes answered for a {size}-byte document")
    check("multipart" not in headers.get("content-type", ""), "many ranges: a multipart answer")
    if status == 200:
        check(body == whole, "many ranges: 200 but not the document")


def attack_extract(port):
    pdf = one_page_pdf(AGREEMENT_TEXT)
    log(f"(d) POST /v1/extract of a one-page PDF ({len(pdf)} bytes)")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        t0 = time.monotonic()
        conn.request("POST", "/v1/extract", body=pdf,
                     headers={"Content-Type": "application/pdf", "X-Request-Id": "deploy-test-1"})
        resp = conn.getresponse()
        body = resp.read()
        seconds = time.monotonic() - t0
    finally:
        conn.close()
    log(f"    status {resp.status}, {len(body)} bytes, {seconds * 1000:.1f} ms")
    check(resp.status == 200, f"POST /v1/extract: {resp.status} {body[:300]!r}")
    check(resp.getheader("X-Request-Id") == "deploy-test-1",
          f"X-Request-Id not passed through: {resp.getheader('X-Request-Id')!r}")
    record = json.loads(body)
    check(isinstance(record, dict), "POST /v1/extract: not a JSON object")
    check("Alpha GmbH" in body.decode("utf-8", "replace"), "POST /v1/extract: the record does not mention Alpha GmbH")


def attack_refusals(port):
    log("(e) nginx's own refusals in pactum's error model")
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: pactum\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n")
        raw = read_response(s)
    finally:
        s.close()
    log(f"    9,000-byte header line: {status_of(raw)} {error_code_of(body_of(raw))}")
    check(status_of(raw) in (400, 431) and error_code_of(body_of(raw)) == "bad_request",
          f"long header line: {raw[:300]!r}")
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(b"POST /v1/extract HTTP/1.1\r\nHost: pactum\r\nContent-Length: %d\r\n\r\n" % (70 * MB))
        raw = read_response(s, timeout=2.0)
    finally:
        s.close()
    log(f"    Content-Length 70 MiB: {status_of(raw)} {error_code_of(body_of(raw))}")
    check(status_of(raw) == 413 and error_code_of(body_of(raw)) == "too_large",
          f"70 MiB body: {raw[:300]!r}")


# ---- main ----------------------------------------------------------------------

def write_nginx_prefix(prefix, deploy_dir, nginx_port, pactum_port):
    for name in ("nginx.conf", "pactum.conf"):
        shutil.copyfile(os.path.join(deploy_dir, name), os.path.join(prefix, name))
    with open(os.path.join(deploy_dir, "upstream.conf")) as f:
        upstream = f.read()
    shipped = "server 127.0.0.1:8080;"
    check(shipped in upstream, f"{deploy_dir}/upstream.conf does not contain '{shipped}'")
    with open(os.path.join(prefix, "upstream.conf"), "w") as f:
        f.write(upstream.replace(shipped, f"server 127.0.0.1:{pactum_port};"))
    with open(os.path.join(prefix, "listen.conf"), "w") as f:
        f.write(f"listen 127.0.0.1:{nginx_port} default_server;\n")


def main(argv):
    if len(argv) != 3:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    binary, deploy_dir = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    nginx = find_nginx()
    if nginx is None:
        print("FAIL: nginx not installed: run ./scripts/test", flush=True)
        return 1
    if not os.access(binary, os.X_OK):
        print(f"FAIL: {binary} is not an executable", flush=True)
        return 1

    sanitized = is_sanitized(binary)
    rss_limit = RSS_LIMIT_SANITIZED if sanitized else RSS_LIMIT
    prefix = tempfile.mkdtemp(prefix="pactum-nginx-")
    # nginx started as root runs its workers as nobody: they must reach the
    # temp directories it creates (and chowns) under the prefix.
    os.chmod(prefix, 0o755)
    pactum = nginx_proc = sampler = None
    pactum_port, nginx_port = free_port(), free_port()
    while nginx_port == pactum_port:
        nginx_port = free_port()
    failed = None
    try:
        pactum = start([binary, "serve", "--host", "127.0.0.1", "--port", str(pactum_port), "--store", "none",
                        "--workers", "1", "--log-level", "warn"],
                       prefix, os.path.join(prefix, "pactum.out"), os.path.join(prefix, "pactum.err"))
        sampler = RssSampler(pactum.pid)
        sampler.start()
        wait_ready(pactum_port, pactum, "pactum", 60)

        write_nginx_prefix(prefix, deploy_dir, nginx_port, pactum_port)
        nginx_proc = start([nginx, "-p", prefix + "/", "-c", os.path.join(prefix, "nginx.conf"), "-g", "daemon off;"],
                           prefix, os.path.join(prefix, "nginx-access.log"), os.path.join(prefix, "nginx-error.log"))
        wait_ready(nginx_port, nginx_proc, "nginx", 20)
        baseline = proc_status_kb(pactum.pid, "VmRSS") * 1024
        log(f"pactum {binary} on 127.0.0.1:{pactum_port} (pid {pactum.pid}, VmRSS {baseline / MB:.1f} MB"
            f"{', sanitizer build' if sanitized else ''}); nginx {nginx} on 127.0.0.1:{nginx_port}")

        attack_header_flood(nginx_port)
        attack_slowloris(nginx_port)
        attack_ranges(nginx_port)
        attack_extract(nginx_port)
        attack_refusals(nginx_port)

        check(pactum.poll() is None, f"pactum exited with status {pactum.returncode}")
        check(nginx_proc.poll() is None, f"nginx exited with status {nginx_proc.returncode}")
        hwm = (proc_status_kb(pactum.pid, "VmHWM") or 0) * 1024
        sampler.stop()
        peak = max(sampler.peak, hwm)
        log(f"pactum parent memory: peak VmRSS {sampler.peak / MB:.1f} MB over {sampler.samples} samples, "
            f"VmHWM {hwm / MB:.1f} MB (limit {rss_limit / MB:.0f} MB)")
        check(peak < rss_limit, f"pactum's parent peaked at {peak / MB:.1f} MB, limit {rss_limit / MB:.0f} MB")
    except Failure as e:
        failed = str(e)
    except Exception:  # a bug of this test: still stop everything below
        failed = "unexpected error:\n" + traceback.format_exc()
    finally:
        try:
            if sampler is not None:
                sampler.stop()
        finally:
            try:
                stop(nginx_proc, "nginx", 10)
            finally:
                stop(pactum, "pactum", 30)
        if failed is not None:
            log(f"--- nginx error log (tail) ---\n{tail(os.path.join(prefix, 'nginx-error.log'))}")
            log(f"--- pactum stderr (tail) ---\n{tail(os.path.join(prefix, 'pactum.err'))}")
        shutil.rmtree(prefix, ignore_errors=True)
    if failed is not None:
        log(f"FAIL: {failed}")
        return 1
    log("PASS: deploy.nginx_front")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
