#!/usr/bin/env bash
# Archive benchmark of `pactum serve`: what keeping documents costs, on
# SQLite and on PostgreSQL (a throw-away cluster on loopback).
#
#   bench/archive/run.sh [build-dir]      (default: build)
#
# For each store: N distinct born-digital PDFs (the seed with a numbered
# comment after its end) are posted to /v1/extract, then to /v1/documents
# (4 at a time, curl); then wrk reads one record, one original, and a
# search page for 10 s each, against GET /healthz (the bare HTTP path) as
# the reference. Prints documents/s and the ratios, and the parent's RSS.
# The searches are ranked full-text searches over all N records: a word of
# the title (every record matches; ranking sorts all N) and a word found
# only in the body's full text (every record matches too).
#
# Environment: PACTUM_BENCH_DOCS (default 500), PACTUM_BENCH_DURATION (10s),
# PACTUM_BENCH_STORES ("sqlite postgresql"), PACTUM_CORPUS_DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
if [[ -n "${1:-}" ]]; then
  PACTUM_BUILD_DIR="$1"
  [[ "$PACTUM_BUILD_DIR" = /* ]] || PACTUM_BUILD_DIR="$repo/$PACTUM_BUILD_DIR"
fi
# shellcheck source=../load/lib.sh
. "$repo/bench/load/lib.sh"
docs="${PACTUM_BENCH_DOCS:-500}"
duration="${PACTUM_BENCH_DURATION:-10s}"
stores="${PACTUM_BENCH_STORES:-sqlite postgresql}"

command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
load_need
load_build_if_needed
load_workdir pactum-bench-archive
cleanup() {
  load_cleanup
  bash "$repo/tests/store/postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

mkdir -p "$work/docs"
seed="$corpus/dev/seed-born-digital.pdf"
for i in $(seq 1 "$docs"); do
  { cat "$seed"; printf '%% pactum archive benchmark %d\n' "$i"; } >"$work/docs/$i.pdf"
done

post_all() {  # $1: path; prints the wall seconds for all documents
  local t0 t1
  t0=$(date +%s.%N)
  ls "$work/docs" | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' --data-binary @"$work/docs/{}" \
    "$url$1" >"$work/codes"
  t1=$(date +%s.%N)
  local bad
  bad=$(grep -vcE '^20[01]$' "$work/codes" || true)  # 201: stored anew
  [[ "$bad" == 0 ]] || { echo "$bad answers other than 200 or 201 on $1" >&2; exit 1; }
  echo "$t1 - $t0" | bc -l
}

rps() {  # $1: URL; wrk requests/s and p99 in ms
  wrk -t2 -c8 -d"$duration" --latency "$1" |
    awk '/Requests\/sec/ {r=$2} / 99%/ {p=$2} /Non-2xx/ {n=$NF} END {printf "%s %s %s\n", r, p, (n==""?0:n)}'
}

echo "archive benchmark: $docs documents of $(stat -c %s "$seed") bytes each; wrk -t2 -c8 -d$duration"
for kind in $stores; do
  case $kind in
    sqlite) uri="sqlite:$work/bench.db" ;;
    postgresql) bash "$repo/tests/store/postgres.sh" start "$work/pg" >/dev/null; uri="$(cat "$work/pg/uri")" ;;
    *) echo "unknown store $kind" >&2; exit 1 ;;
  esac
  load_start_server --workers 2 --queue 64 --store "$uri" --log-level warn >/dev/null
  extract_s=$(post_all /v1/extract)
  store_s=$(post_all /v1/documents)
  id=$(curl -s --data-binary @"$work/docs/1.pdf" "$url/v1/extract" | sed 's/^{"id":"\([0-9a-f]*\)".*/\1/')
  read -r h_rps h_p99 h_bad < <(rps "$url/healthz")
  read -r r_rps r_p99 r_bad < <(rps "$url/v1/documents/$id")
  read -r f_rps f_p99 f_bad < <(rps "$url/v1/documents/$id/file")
  read -r s_rps s_p99 s_bad < <(rps "$url/v1/documents?q=zielvereinbarung&limit=20")
  read -r b_rps b_p99 b_bad < <(rps "$url/v1/documents?q=behindertenrechtskonvention&limit=20")
  read -r l_rps l_p99 l_bad < <(rps "$url/v1/documents?limit=20")
  rss=$(mb "$(proc_kb "$server_pid" VmHWM)")
  load_stop_server >/dev/null
  printf '\n---- %s ----\n' "$kind"
  printf 'POST /v1/extract      %6.1f documents/s\n' "$(echo "$docs / $extract_s" | bc -l)"
  printf 'POST /v1/documents    %6.1f documents/s   (time ratio to extract alone: %.2f)\n' \
    "$(echo "$docs / $store_s" | bc -l)" "$(echo "$store_s / $extract_s" | bc -l)"
  printf 'GET /healthz          %8.0f req/s  p99 %s  (reference)\n' "$h_rps" "$h_p99"
  printf 'GET record            %8.0f req/s  p99 %s  (%.2f of healthz)\n' "$r_rps" "$r_p99" "$(echo "$r_rps / $h_rps" | bc -l)"
  printf 'GET original          %8.0f req/s  p99 %s  (%.2f of healthz)\n' "$f_rps" "$f_p99" "$(echo "$f_rps / $h_rps" | bc -l)"
  printf 'GET list, 20/page     %8.0f req/s  p99 %s  (%.2f of healthz)\n' "$l_rps" "$l_p99" "$(echo "$l_rps / $h_rps" | bc -l)"
  printf 'GET search title word %8.0f req/s  p99 %s  (%.2f of healthz)\n' "$s_rps" "$s_p99" "$(echo "$s_rps / $h_rps" | bc -l)"
  printf 'GET search body word  %8.0f req/s  p99 %s  (%.2f of healthz)\n' "$b_rps" "$b_p99" "$(echo "$b_rps / $h_rps" | bc -l)"
  printf 'non-2xx               %s\n' "$((h_bad + r_bad + f_bad + s_bad + b_bad + l_bad))"
  printf 'parent peak RSS       %.1f MB\n' "$rss"
  [[ $kind == postgresql ]] && bash "$repo/tests/store/postgres.sh" stop "$work/pg" >/dev/null
done
