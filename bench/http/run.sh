#!/usr/bin/env bash
# HTTP benchmark of `pactum serve`: wrk POSTs a born-digital corpus PDF to
# /v1/extract over 8 connections for 20 s and prints requests/s, latency
# percentiles and the number of non-2xx answers.
#
#   bench/http/run.sh [build-dir]          (default: build)
#
# Environment (optional):
#   PACTUM_BENCH_FILE      document to post (default: corpus dev/seed-born-digital.pdf)
#   PACTUM_BENCH_DURATION  wrk duration (default 20s)
#   PACTUM_BENCH_CONNECTIONS, PACTUM_BENCH_THREADS   wrk -c / -t (default 8 / 2)
#   PACTUM_CORPUS_DIR      shared corpus (default: <repo>/../shared/corpus)
#   PACTUM_WORKERS, PACTUM_QUEUE, ...  passed on to `pactum serve` as usual
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-build}"
[[ "$build" = /* ]] || build="$repo/$build"
bin="$build/pactum"
corpus="${PACTUM_CORPUS_DIR:-$repo/../shared/corpus}"
export PACTUM_BENCH_FILE="${PACTUM_BENCH_FILE:-$corpus/dev/seed-born-digital.pdf}"
duration="${PACTUM_BENCH_DURATION:-20s}"
connections="${PACTUM_BENCH_CONNECTIONS:-8}"
threads="${PACTUM_BENCH_THREADS:-2}"

command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
[[ -x "$bin" ]] || { echo "no pactum binary at $bin; build first (cmake --build $build)" >&2; exit 1; }
[[ -r "$PACTUM_BENCH_FILE" ]] || { echo "cannot read $PACTUM_BENCH_FILE" >&2; exit 1; }

log="$(mktemp "${TMPDIR:-/tmp}/pactum-bench-http.XXXXXX.log")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap cleanup EXIT

# Port 0: the server picks a free port and logs it.
"$bin" serve --host 127.0.0.1 --port 0 2>"$log" &
server_pid=$!

port=""
for _ in $(seq 1 200); do
  port="$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$log" | head -n1)"
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "pactum serve exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.05
done
[[ -n "$port" ]] || { echo "pactum serve did not report its port:" >&2; cat "$log" >&2; exit 1; }
url="http://127.0.0.1:$port/v1/extract"

grep -m1 "listening on" "$log" | sed 's/^.*\] /server: /'
# One request first: the document must extract at all.
status="$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$PACTUM_BENCH_FILE" "$url")"
[[ "$status" == 200 ]] || { echo "POST $url answered $status; not benchmarking" >&2; exit 1; }

echo "wrk -t$threads -c$connections -d$duration POST $url"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/post_document.lua" "$url"

kill -TERM "$server_pid"
wait "$server_pid" && echo "server stopped cleanly" || echo "server exited with status $?" >&2
server_pid=""
