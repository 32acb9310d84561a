#!/usr/bin/env bash
# Load and bad-input benchmark of `pactum serve`.
#
# Builds build/pactum (Release, scripts/common.sh) if there is none, starts
# `pactum serve` on a free loopback port (trusting the corpus signature root),
# waits for /readyz, generates the bad-input suite into a temp dir
# (make_bad_inputs.py), then runs load.py:
#   - preflight: each bad input once on the idle service, /healthz after each;
#   - 60 s of 16 clients posting the dev corpus (born-digital PDFs, scans,
#     images) to /v1/extract and the signature samples to /v1/verify, while one
#     thread posts the bad inputs in turn and checks their answers against the
#     manifest, and another polls /healthz every second.
# Prints the load table, the bad-input table, the service's peak RSS (VmHWM
# of the parent and of every child process, sampled every second so that
# short-lived children count too), then stops the service with SIGTERM and
# checks that it exits 0.
#
#   bench/load/run.sh
#
# Environment (optional):
#   PACTUM_BUILD_DIR        default <repo>/build
#   PACTUM_CORPUS_DIR       default <repo>/../shared/corpus
#   PACTUM_LOAD_CLIENTS     default 16
#   PACTUM_LOAD_SECONDS     default 60
#   PACTUM_LOAD_ARGS        more load.py flags, e.g. "--born-digital-only --no-preflight"
#   PACTUM_LOAD_API_KEY     sent as Authorization: Bearer KEY (start the service with keys
#                           through PACTUM_API_KEYS as usual)
#   PACTUM_LOAD_JSON_OUT    also write load.py's results as JSON to this file
#   PACTUM_LOAD_QUICK=1     256 MiB bombs instead of 2 GiB (quicker to generate)
#   PACTUM_LOAD_KEEP=1      keep the temp dir (bad inputs, service log)
#   PACTUM_STOP_TIMEOUT     seconds to wait for the exit after SIGTERM (default 60)
#   PACTUM_SERVE_ARGS       more `pactum serve` flags, e.g. "--workers 4 --queue 32"
#   PACTUM_WORKERS, PACTUM_QUEUE, PACTUM_TIMEOUT, ...   read by `pactum serve` as usual
# Exit status: 0 when load.py found nothing wrong and the service stopped with 0.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

clients="${PACTUM_LOAD_CLIENTS:-16}"
seconds="${PACTUM_LOAD_SECONDS:-60}"

load_need
load_build_if_needed
load_workdir pactum-bench-load
sampler_pid=""
cleanup() {
  [[ -n "$sampler_pid" ]] && kill "$sampler_pid" 2>/dev/null && wait "$sampler_pid" 2>/dev/null
  load_cleanup
}
trap cleanup EXIT

quick=()
[[ -n "${PACTUM_LOAD_QUICK:-}" ]] && quick=(--quick)
echo "generating the bad-input suite into $work/bad"
python3 "$here/make_bad_inputs.py" "$work/bad" --corpus "$corpus/dev" "${quick[@]}" 2>"$work/bad.log" ||
  { cat "$work/bad.log" >&2; exit 1; }

# shellcheck disable=SC2206
serve_args=(${PACTUM_SERVE_ARGS:-})
load_start_server "${serve_args[@]}"

# RSS sampler: every second, "sample pid ppid VmHWM VmRSS" of the service and its
# descendants, so that the peak of a child that exits (or is replaced) is kept.
(
  n=0
  while kill -0 "$server_pid" 2>/dev/null; do
    n=$((n + 1))
    for p in "$server_pid" $(descendants "$server_pid"); do
      hwm="$(proc_kb "$p" VmHWM)"; rss="$(proc_kb "$p" VmRSS)"
      [[ -n "$hwm" ]] && echo "$n $p $(awk '$1 == "PPid:" { print $2 }' "/proc/$p/status" 2>/dev/null) $hwm $rss"
    done
    sleep 1
  done
) >"$work/rss.txt" 2>/dev/null &
sampler_pid=$!

api=()
[[ -n "${PACTUM_LOAD_API_KEY:-}" ]] && api=(--api-key "$PACTUM_LOAD_API_KEY")
json=()
[[ -n "${PACTUM_LOAD_JSON_OUT:-}" ]] && json=(--json-out "$PACTUM_LOAD_JSON_OUT")
# shellcheck disable=SC2206
extra=(${PACTUM_LOAD_ARGS:-})
load_status=0
python3 "$here/load.py" --url "$url" --bad-dir "$work/bad" --clients "$clients" --seconds "$seconds" \
  --dev-corpus "$corpus/dev" --signatures "$corpus/signatures" "${api[@]}" "${json[@]}" "${extra[@]}" ||
  load_status=$?

# Last sample, then the peaks.
sleep 1
kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
echo
echo "peak RSS (VmHWM, sampled every second; children = descendants of the service process):"
if [[ -s "$work/rss.txt" ]]; then
  awk -v parent="$server_pid" '
    { hwm[$2] = ($4 > hwm[$2]) ? $4 : hwm[$2]; ppid[$2] = $3
      t[$1] += $5; if (t[$1] > peak_total) peak_total = t[$1] }
    END {
      printf "  parent   pid %-8s %8.1f MB\n", parent, hwm[parent] / 1024
      n = 0; sum = 0
      for (p in hwm) if (p != parent) { n++; sum += hwm[p]; if (hwm[p] > maxc) maxc = hwm[p]
        printf "  child    pid %-8s %8.1f MB (parent %s)\n", p, hwm[p] / 1024, ppid[p] }
      if (n == 0) print "  no child processes seen"
      else printf "  %d child processes seen; largest peak %.1f MB, sum of peaks %.1f MB\n", n, maxc / 1024, sum / 1024
      printf "  largest sampled total RSS (parent + children at one time): %.1f MB\n", peak_total / 1024
    }' "$work/rss.txt"
else
  echo "  no samples (the service was gone)"
fi
if kill -0 "$server_pid" 2>/dev/null; then
  now="$(proc_kb "$server_pid" VmHWM)"
  echo "  parent VmHWM at the end: $(mb "$now") MB"
fi

crashes="$(grep -ciE 'segfault|signal [0-9]|abort|terminate called|crash' "$work/serve.log" || true)"
(( crashes > 0 )) && { echo "service log mentions crashes/aborts ($crashes lines):"; grep -iE 'segfault|signal [0-9]|abort|terminate called|crash' "$work/serve.log" | head -10; }

stop_status=0
load_stop_server || stop_status=1
if (( load_status != 0 || stop_status != 0 )); then
  echo "FAILED: load.py exit $load_status, service stop $([[ $stop_status == 0 ]] && echo ok || echo failed)"
  exit 1
fi
echo "OK"
