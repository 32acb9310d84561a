#!/usr/bin/env bash
# Split jobs: one long scan as a job, read by one replica of one worker and
# by two replicas of one worker each, on one PostgreSQL queue (a throw-away
# cluster on loopback, tests/store/postgres.sh), in the same run:
#
#   1x1 whole   one replica, --job-part-pages 0 (the job runs as one)
#   1x1 parts   one replica, the job split into parts (the parts' overhead)
#   2x1 parts   two replicas, the parts read by both
#
#   bench/jobs/fanout.sh [build-dir]        (default: build)
#
# Environment: PACTUM_BENCH_PAGES (60: the dev corpus's 4-page seed scan
# repeated), PACTUM_BENCH_PART_PAGES (4). Each replica is pinned to a CPU
# of its own (taskset), as a one-CPU pod is: the first to CPU 0, the second
# to CPU 1; its worker then OCRs one page at a time (threads follow the
# CPUs a process may use).
# Prints each round's wall time from submission to success, the speed-up of
# two replicas over one, and checks that every round answered the same
# record.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-build}"
[[ "$build" = /* ]] || build="$repo/$build"
corpus="${PACTUM_CORPUS_DIR:-$repo/../shared/corpus}"
pages="${PACTUM_BENCH_PAGES:-60}"
part_pages="${PACTUM_BENCH_PART_PAGES:-4}"
for tool in qpdf curl python3 taskset; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done

cmake --build "$build" -j2 --target pactum >/dev/null
bin="$build/pactum"
state="$(mktemp -d /tmp/pactum-bench-fanout.XXXXXX)"
pids=()
stop_replicas() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_replicas
  bash "$repo/tests/store/postgres.sh" stop "$state" >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT

seed="$corpus/dev/seed-scan-300-gray.pdf"
copies=()
for _ in $(seq 1 $(((pages + 3) / 4))); do copies+=("$seed"); done
qpdf --empty --pages "${copies[@]}" 1-z -- "$state/long.pdf"
qpdf --empty --pages "$state/long.pdf" "1-$pages" -- "$state/scan.pdf"
[ "$(nproc)" -ge 2 ] || { echo "two CPUs are needed (one per replica)" >&2; exit 2; }
echo "scan: $pages pages ($(stat -c %s "$state/scan.pdf") bytes); parts of $part_pages pages; $(nproc) cores"

bash "$repo/tests/store/postgres.sh" start "$state" >/dev/null
uri="$(cat "$state/uri")"

# start_replica PORT PART_PAGES CPU: a replica of one worker on the queue,
# on CPU number CPU.
start_replica() {
  taskset -c "$3" "$bin" serve --port "$1" --workers 1 --store "$uri" --job-part-pages "$2" \
    --job-timeout-seconds 3600 >"$state/replica-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "replica on port $1 did not start:" >&2
  cat "$state/replica-$1.log" >&2
  exit 1
}

# round NAME PORT: submits the scan to the replica on PORT, waits for the
# job; prints its seconds and keeps its record.
round() {
  local id start end
  start=$(date +%s.%N)
  id=$(curl -fs -X POST --data-binary @"$state/scan.pdf" "http://127.0.0.1:$2/v1/jobs?op=extract" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while :; do
    state_now=$(curl -fs "http://127.0.0.1:$2/v1/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    case "$state_now" in
      succeeded) break ;;
      failed|cancelled) echo "$1: job $id $state_now" >&2; exit 1 ;;
    esac
    sleep 0.2
  done
  end=$(date +%s.%N)
  curl -fs "http://127.0.0.1:$2/v1/jobs/$id/result" >"$state/$1.json"
  python3 -c "print(f'{\"$1\":<10} {$end - $start:8.1f} s')" | tee -a "$state/times"
}

start_replica 18581 0 0
round 1x1-whole 18581
stop_replicas
start_replica 18581 "$part_pages" 0
round 1x1-parts 18581
stop_replicas
start_replica 18581 "$part_pages" 0
start_replica 18582 "$part_pages" 1
round 2x1-parts 18581
stop_replicas
echo "claims in the last round (the parts, the split and the join): $(grep -c ') started' "$state/replica-18581.log")" \
  "on one replica, $(grep -c ') started' "$state/replica-18582.log") on the other"

cmp -s "$state/1x1-whole.json" "$state/1x1-parts.json" && cmp -s "$state/1x1-whole.json" "$state/2x1-parts.json" ||
  { echo "the rounds answered different records" >&2; exit 1; }
echo "all rounds answered the same record"
python3 - "$state/times" <<'PY'
import sys
t = {name: float(s) for name, s, _ in (line.split() for line in open(sys.argv[1]))}
print(f"speed-up of two replicas over one: {t['1x1-whole'] / t['2x1-parts']:.2f}x "
      f"(parts on one replica: {t['1x1-whole'] / t['1x1-parts']:.2f}x)")
PY
