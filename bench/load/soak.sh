#!/usr/bin/env bash
# Soak test of `pactum serve`: memory over a long, moderate load.
#
# Same start-up as bench/load/run.sh (build if needed, serve on a free
# loopback port, bad-input suite into a temp dir), then load.py for
# SOAK_SECONDS with SOAK_CLIENTS clients (the dev corpus to /v1/extract, the
# signature samples to /v1/verify, the bad inputs in turn, /healthz every
# second; no preflight). Every SOAK_INTERVAL seconds it samples VmRSS of the
# service process and of each child process and prints
#     time -> parent RSS, worker RSS list.
# At the end: parent RSS at the first sample after the warm-up
# (SOAK_WARMUP seconds) against the last sample, and the growth, plus the
# least-squares slope over the second half of the run (a plateau, e.g. malloc
# arenas filling up, has a slope near 0; a leak does not). Fails when
# the parent grew by more than 20 % + 10 MB, when load.py reports a problem,
# or when the service does not exit 0 on SIGTERM.
#
#   bench/load/soak.sh
#
# Environment (optional):
#   SOAK_SECONDS   default 600       SOAK_CLIENTS   default 4
#   SOAK_INTERVAL  default 30        SOAK_WARMUP    default 60
#   SOAK_MAX_GROWTH_PCT  default 20  SOAK_MAX_GROWTH_MB  default 10
#   SOAK_BAD=0     no bad inputs (good documents only)
#   PACTUM_SERVE_ARGS    more `pactum serve` flags
#   PACTUM_LOAD_ARGS, PACTUM_LOAD_API_KEY, PACTUM_LOAD_JSON_OUT, PACTUM_LOAD_QUICK,
#   PACTUM_LOAD_KEEP, PACTUM_BUILD_DIR, PACTUM_CORPUS_DIR: as for run.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

soak_seconds="${SOAK_SECONDS:-600}"
clients="${SOAK_CLIENTS:-4}"
interval="${SOAK_INTERVAL:-30}"
warmup="${SOAK_WARMUP:-60}"
max_pct="${SOAK_MAX_GROWTH_PCT:-20}"
max_mb="${SOAK_MAX_GROWTH_MB:-10}"

load_need
load_build_if_needed
load_workdir pactum-bench-soak
load_pid=""
cleanup() {
  [[ -n "$load_pid" ]] && kill "$load_pid" 2>/dev/null && wait "$load_pid" 2>/dev/null
  load_cleanup
}
trap cleanup EXIT

quick=()
[[ -n "${PACTUM_LOAD_QUICK:-}" ]] && quick=(--quick)
bad=()
if [[ "${SOAK_BAD:-1}" != 0 ]]; then
  echo "generating the bad-input suite into $work/bad"
  python3 "$here/make_bad_inputs.py" "$work/bad" --corpus "$corpus/dev" "${quick[@]}" 2>"$work/bad.log" ||
    { cat "$work/bad.log" >&2; exit 1; }
  bad=(--bad-dir "$work/bad")
fi

# shellcheck disable=SC2206
serve_args=(${PACTUM_SERVE_ARGS:-})
load_start_server "${serve_args[@]}"

api=()
[[ -n "${PACTUM_LOAD_API_KEY:-}" ]] && api=(--api-key "$PACTUM_LOAD_API_KEY")
json=()
[[ -n "${PACTUM_LOAD_JSON_OUT:-}" ]] && json=(--json-out "$PACTUM_LOAD_JSON_OUT")
# shellcheck disable=SC2206
extra=(${PACTUM_LOAD_ARGS:-})
python3 "$here/load.py" --url "$url" "${bad[@]}" --clients "$clients" --seconds "$soak_seconds" \
  --no-preflight --dev-corpus "$corpus/dev" --signatures "$corpus/signatures" \
  "${api[@]}" "${json[@]}" "${extra[@]}" >"$work/load.out" 2>"$work/load.err" &
load_pid=$!

# One sample: "t parent_kb children" with children as "pid:kb,pid:kb".
sample() {  # t
  local parent kids=() c kb
  parent="$(proc_kb "$server_pid" VmRSS)"
  for c in $(descendants "$server_pid"); do
    kb="$(proc_kb "$c" VmRSS)"
    [[ -n "$kb" ]] && kids+=("$c:$kb")
  done
  local joined list="" k
  joined="$(IFS=,; echo "${kids[*]}")"
  echo "$1 ${parent:-0} ${joined:--}" >>"$work/rss.txt"
  for k in "${kids[@]}"; do list+="$(mb "${k#*:}") "; done
  printf '%6s %12s   %s\n' "$1" "$(mb "${parent:-0}")" "${list:--}"
}

echo "soak: $clients clients for $soak_seconds s; RSS every $interval s (MB)"
printf '%6s %12s   %s\n' "t_s" "parent_MB" "worker_MB (one per child process)"
t0=$SECONDS
next=0
while kill -0 "$load_pid" 2>/dev/null; do
  if (( SECONDS - t0 >= next )); then
    kill -0 "$server_pid" 2>/dev/null || { echo "the service exited during the soak" >&2; break; }
    sample "$(( SECONDS - t0 ))"
    next=$(( next + interval ))
  fi
  sleep 1
done
load_status=0
wait "$load_pid" || load_status=$?
load_pid=""
if kill -0 "$server_pid" 2>/dev/null; then
  sample "$(( SECONDS - t0 ))"
fi

echo
cat "$work/load.out"
grep -E '\[ *[0-9.]+s\]' "$work/load.err" || true

echo
verdict=0
python3 - "$work/rss.txt" "$warmup" "$max_pct" "$max_mb" <<'EOF' || verdict=1
import sys
path, warmup, max_pct, max_mb = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rows = []
for line in open(path):
    t, parent, kids = line.split()
    rows.append((int(t), int(parent), [] if kids == "-" else [tuple(map(int, k.split(":"))) for k in kids.split(",")]))
if len(rows) < 2:
    print("too few RSS samples (%d) to judge growth" % len(rows))
    sys.exit(1)
base = next((r for r in rows if r[0] >= warmup), None)
if base is None or base is rows[-1]:
    print("no sample after the %.0f s warm-up before the end; comparing the first and the last" % warmup)
    base = rows[0]
end = rows[-1]
first = rows[0]
growth = (end[1] - base[1]) / 1024
limit = base[1] / 1024 * max_pct / 100 + max_mb
print("parent RSS: start %.1f MB (t=%d s), after warm-up %.1f MB (t=%d s), end %.1f MB (t=%d s)"
      % (first[1] / 1024, first[0], base[1] / 1024, base[0], end[1] / 1024, end[0]))
print("parent growth after warm-up: %+.1f MB (%+.1f %%); limit %.1f MB (%g %% + %g MB)"
      % (growth, 100 * (end[1] - base[1]) / base[1] if base[1] else 0.0, limit, max_pct, max_mb))
pids = {}
for t, _, kids in rows:
    for pid, kb in kids:
        pids.setdefault(pid, []).append((t, kb))
if pids:
    print("child processes seen: %d" % len(pids))
    for pid, s in sorted(pids.items()):
        print("  pid %-8d %3d samples, RSS first %.1f MB (t=%d s), last %.1f MB (t=%d s), max %.1f MB"
              % (pid, len(s), s[0][1] / 1024, s[0][0], s[-1][1] / 1024, s[-1][0], max(k for _, k in s) / 1024))
    tb, te = sum(k for _, k in base[2]), sum(k for _, k in end[2])
    print("sum of child RSS: after warm-up %.1f MB, end %.1f MB (%+.1f MB)" % (tb / 1024, te / 1024, (te - tb) / 1024))
else:
    print("no child processes seen")
half = [r for r in rows if r[0] >= rows[-1][0] / 2]
if len(half) >= 3:
    n = len(half)
    mt = sum(r[0] for r in half) / n
    mr = sum(r[1] for r in half) / n / 1024
    var = sum((r[0] - mt) ** 2 for r in half)
    slope = sum((r[0] - mt) * (r[1] / 1024 - mr) for r in half) / var * 60 if var else 0.0
    print("parent RSS over the second half (t >= %d s, %d samples): %.1f .. %.1f MB, slope %+.2f MB/min"
          % (half[0][0], n, min(r[1] for r in half) / 1024, max(r[1] for r in half) / 1024, slope))
if growth > limit:
    print("FAILED: the parent's RSS grew by %.1f MB, more than %.1f MB" % (growth, limit))
    sys.exit(1)
print("parent RSS growth within the limit")
EOF

stop_status=0
load_stop_server || stop_status=1
if (( load_status != 0 || stop_status != 0 || verdict != 0 )); then
  echo "FAILED: load.py exit $load_status, RSS growth $([[ $verdict == 0 ]] && echo ok || echo 'over the limit'), service stop $([[ $stop_status == 0 ]] && echo ok || echo failed)"
  exit 1
fi
echo "OK"
