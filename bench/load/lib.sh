# shellcheck shell=bash
# Shared by bench/load/run.sh and bench/load/soak.sh: build if needed, start
# `pactum serve` on a free loopback port in a temp dir, wait for /readyz,
# read RSS of the service and its child processes, stop it with SIGTERM.
# Sourced, not executed. Expects $repo (the checkout) to be set.

corpus="${PACTUM_CORPUS_DIR:-$repo/../shared/corpus}"
build="${PACTUM_BUILD_DIR:-$repo/build}"
bin="$build/pactum"
server_pid=""
work=""

load_need() {
  for tool in python3 curl pgrep; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
  done
  command -v qpdf >/dev/null || echo "qpdf not found: the encrypted-PDF bad inputs are left out" >&2
  [[ -d "$corpus/dev" ]] || { echo "no corpus at $corpus (set PACTUM_CORPUS_DIR)" >&2; exit 2; }
}

# Builds (Release, like scripts/run) only when there is no binary yet.
load_build_if_needed() {
  if [[ ! -x "$bin" ]]; then
    echo "no $bin: building (Release)" >&2
    # shellcheck source=../../scripts/common.sh disable=SC1091
    . "$repo/scripts/common.sh"
    pactum_build "$build" >&2
  fi
  [[ -x "$bin" ]] || { echo "build failed: no $bin" >&2; exit 2; }
}

load_workdir() {  # prefix
  work="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  mkdir -p "$work/srv" "$work/bad"
}

load_cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null || true
  fi
  [[ -n "$work" && -z "${PACTUM_LOAD_KEEP:-}" ]] && rm -rf "$work"
  [[ -n "$work" && -n "${PACTUM_LOAD_KEEP:-}" ]] && echo "kept $work" >&2
  return 0
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts the service (cwd: $work/srv, so that any file it writes stays in the
# temp dir; log: $work/serve.log) and waits for GET /readyz.
load_start_server() {
  local port anchors=()
  port="$(free_port)"
  [[ -r "$corpus/signatures/trust-root-ca.pem" ]] && anchors=(--trust-anchors "$corpus/signatures/trust-root-ca.pem")
  (cd "$work/srv" && exec "$bin" serve --host 127.0.0.1 --port "$port" "${anchors[@]}" "$@") >"$work/serve.log" 2>&1 &
  server_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "$url/readyz" && break
    kill -0 "$server_pid" 2>/dev/null || { echo "pactum serve exited:" >&2; cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  curl -sf -o /dev/null "$url/readyz" || { echo "no 200 from $url/readyz after 30 s:" >&2; tail -20 "$work/serve.log" >&2; exit 1; }
  echo "server: $bin serve on $url (pid $server_pid) ${anchors[*]}"
  grep -m1 "listening on" "$work/serve.log" | sed 's/^.*\] /server: /' || true
}

# Child processes of $1, recursively (workers and whatever they start).
descendants() {
  local c
  for c in $(pgrep -P "$1" 2>/dev/null); do
    echo "$c"
    descendants "$c"
  done
}

# "$2" field of /proc/$1/status in kB (VmRSS, VmHWM), or empty.
proc_kb() {
  awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

mb() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }

# Stops the service with SIGTERM; returns 0 only if it exits 0 within
# PACTUM_STOP_TIMEOUT seconds (default 60: requests in flight finish first).
load_stop_server() {
  local limit="${PACTUM_STOP_TIMEOUT:-60}" status
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid" 2>/dev/null; status=$?
    echo "server had already exited (status $status) before SIGTERM; log tail:" >&2
    tail -20 "$work/serve.log" >&2
    server_pid=""
    return 1
  fi
  kill -TERM "$server_pid"
  local t0=$SECONDS
  while kill -0 "$server_pid" 2>/dev/null && (( SECONDS - t0 < limit )); do sleep 0.2; done
  if kill -0 "$server_pid" 2>/dev/null; then
    echo "server still running $limit s after SIGTERM; killing it" >&2
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    return 1
  fi
  wait "$server_pid" && status=0 || status=$?
  server_pid=""
  if (( status == 0 )); then
    echo "server stopped cleanly after SIGTERM (exit 0, $(( SECONDS - t0 )) s)"
    return 0
  fi
  echo "server exited with status $status after SIGTERM; log tail:" >&2
  tail -20 "$work/serve.log" >&2
  return 1
}
