#!/usr/bin/env bash
# Claim rate of the job queue on PostgreSQL: 8 replicas (a Store and one
# connection each, one thread each) take 2000 jobs off one queue on a
# throw-away cluster on loopback (tests/store/postgres.sh), first with
# fsync off (as the tests run it), then with fsync on (as a server runs);
# and the same on SQLite for comparison: 8 threads of one process on its
# one connection (synchronous=FULL: a commit waits for the disk).
#
#   bench/jobs/claim_rate.sh [build-dir]      (default: build)
#
# Environment: PACTUM_BENCH_JOBS (2000), PACTUM_BENCH_THREADS (8).
# Prints, per round: submissions/s (one thread), claims/s, ClaimNext()
# latency p50/p99, then claim+finish jobs/s with Finish() p50/p99; and
# checks that every job was claimed exactly once.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-build}"
[[ "$build" = /* ]] || build="$repo/$build"
jobs="${PACTUM_BENCH_JOBS:-2000}"
threads="${PACTUM_BENCH_THREADS:-8}"

cmake --build "$build" -j2 --target jobs_claim_rate >/dev/null
tool="$build/bench/jobs/jobs_claim_rate"
state="$(mktemp -d /tmp/pactum-bench-jobs.XXXXXX)"
cleanup() {
  bash "$repo/tests/store/postgres.sh" stop "$state" >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT

for fsync in off on; do
  echo "== PostgreSQL, fsync $fsync"
  PACTUM_PG_FSYNC=$fsync bash "$repo/tests/store/postgres.sh" start "$state" >/dev/null
  "$tool" "$(cat "$state/uri")" "$jobs" "$threads"
  bash "$repo/tests/store/postgres.sh" stop "$state"
done
echo "== SQLite (WAL, synchronous=FULL), one Store"
"$tool" "sqlite:$state/jobs.db" "$jobs" "$threads" shared
echo "($(nproc) cores; $(uname -r))"
