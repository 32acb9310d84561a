#!/usr/bin/env python3
"""A tiny RFC 3161 time-stamp authority over HTTP for the signing tests.

Listens on 127.0.0.1. A POST (any path) whose body is a DER TimeStampReq is
answered with the DER TimeStampResp made by `openssl ts -reply` with the test
PKI's tsa.cnf (see make_pki.sh), Content-Type application/timestamp-reply.

Usage: tsa_server.py PKI_DIR [PORT] [--mode MODE]
  PORT 0 (the default) picks a free port. The first line on stdout is always
  "PORT n", flushed, once the socket listens. Serves until killed.
  MODE (for failure tests): ok (default); http500 (answers 500); garbage
  (answers 200 with bytes that are no TimeStampResp); reject (answers a
  TimeStampResp with status rejection); slow (sleeps 30 s before answering).
Python standard library only.
"""

import argparse
import http.server
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

MAX_QUERY = 64 * 1024

# TimeStampResp { status PKIStatusInfo { status 2 (rejection) } }
REJECTION = bytes.fromhex("3005" "3003" "020102")


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "pactum-test-tsa/1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def _reply(self, status, body, ctype="application/timestamp-reply"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length <= 0 or length > MAX_QUERY:
            self._reply(400, b"bad length", "text/plain")
            return
        query = self.rfile.read(length)
        mode = self.server.mode
        if mode == "http500":
            self._reply(500, b"broken on purpose", "text/plain")
            return
        if mode == "garbage":
            self._reply(200, b"\x30\x03garbage")
            return
        if mode == "reject":
            self._reply(200, REJECTION)
            return
        if mode == "slow":
            time.sleep(30)
        reply = self._run_openssl(query)
        if reply is None:
            self._reply(500, b"openssl ts failed", "text/plain")
        else:
            self._reply(200, reply)

    def _run_openssl(self, query):
        with self.server.lock, tempfile.TemporaryDirectory() as tmp:
            qpath = os.path.join(tmp, "q.tsq")
            rpath = os.path.join(tmp, "r.tsr")
            with open(qpath, "wb") as f:
                f.write(query)
            proc = subprocess.run(
                ["openssl", "ts", "-reply", "-config", self.server.config,
                 "-queryfile", qpath, "-out", rpath],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
            if proc.returncode != 0 or not os.path.exists(rpath):
                sys.stderr.write(proc.stderr.decode(errors="replace"))
                return None
            with open(rpath, "rb") as f:
                return f.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pki_dir")
    parser.add_argument("port", nargs="?", type=int, default=0)
    parser.add_argument("--mode", default="ok",
                        choices=["ok", "http500", "garbage", "reject", "slow"])
    args = parser.parse_args()
    pki_config = os.path.join(os.path.abspath(args.pki_dir), "tsa.cnf")
    if not os.path.isfile(pki_config):
        sys.exit(f"no tsa.cnf in {args.pki_dir} (run make_pki.sh first)")
    # A private copy of the config with its own serial file, so that several
    # servers (parallel tests) never write the same file.
    private = tempfile.TemporaryDirectory(prefix="pactum-tsa-")
    serial = os.path.join(private.name, "tsaserial")
    with open(serial, "w") as f:
        f.write("01\n")
    config = os.path.join(private.name, "tsa.cnf")
    with open(pki_config) as src, open(config, "w") as dst:
        for line in src:
            if line.split("=")[0].strip() == "serial":
                line = f"serial = {serial}\n"
            dst.write(line)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    httpd.mode = args.mode
    httpd.config = config
    httpd.lock = threading.Lock()
    # SIGTERM ends serve_forever through SystemExit, so the copy is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"PORT {httpd.server_address[1]}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        private.cleanup()


if __name__ == "__main__":
    main()
