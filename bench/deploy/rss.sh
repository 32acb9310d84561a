#!/usr/bin/env bash
# Memory of `pactum serve` as deployed (deploy/kubernetes, deploy/compose.yaml):
# the figures behind the containers' memory requests and limits.
#
#   bench/deploy/rss.sh
#
# Starts a throw-away PostgreSQL on loopback (tests/store/postgres.sh) and
# `pactum serve --workers W --queue Q --store postgresql://...` (W, Q: the
# Deployment's, 2 and 4), then reads VmRSS, VmHWM (peak RSS) and VmPeak
# (peak address space, what RLIMIT_AS / PACTUM_WORKER_MEMORY caps) from
# /proc/PID/status of the parent and of each worker process:
#   idle          after /readyz answers
#   text          after every born-digital PDF of the dev corpus went through
#                 POST /v1/extract, 2 at a time (text layer, no OCR)
#   ocr           after every scan and image of the dev corpus went through
#                 POST /v1/extract, 2 at a time (each page OCRed)
#   archive       after every document went through POST /v1/documents
#                 (records and originals into PostgreSQL)
#   uploads       after Q+W+2 uploads of 60 MiB at once (a %PDF header and
#                 random bytes: read whole into the parent, then refused)
# Each phase runs on a fresh service, so a worker's VmHWM is that phase's.
# Then the OCR phase once more with --workers 1: the worker then OCRs
# (hardware threads / workers) pages at once, and the difference shows what
# one more OCR thread costs. The service is stopped with SIGTERM after each
# phase and must exit 0.
#
# Environment: PACTUM_BUILD_DIR (default <repo>/build), PACTUM_CORPUS_DIR
# (default <repo>/../shared/corpus), PACTUM_RSS_WORKERS (2), PACTUM_RSS_QUEUE (4).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=../load/lib.sh
. "$repo/bench/load/lib.sh"
workers="${PACTUM_RSS_WORKERS:-2}"
queue="${PACTUM_RSS_QUEUE:-4}"

load_need
load_build_if_needed
load_workdir pactum-bench-rss
# PostgreSQL first: load_cleanup removes $work, where its state is.
cleanup() {
  bash "$repo/tests/store/postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
  load_cleanup
}
trap cleanup EXIT

bash "$repo/tests/store/postgres.sh" start "$work/pg"
store="$(cat "$work/pg/uri")"
dev="$corpus/dev"
text_docs=("$dev"/*born-digital*.pdf)
ocr_docs=("$dev"/*scan*.pdf "$dev"/*.tif "$dev"/*.png "$dev"/*.jpg)

# Posts the files "$@" to $url$path, two at a time; every answer must have
# the status $want (200 for /v1/extract, 201 for /v1/documents).
post_all() {
  local path=$1 want=$2
  shift 2
  printf '%s\n' "$@" | xargs -P 2 -I{} sh -c \
    'code=$(curl -s -o /dev/null -w "%{http_code}" --data-binary @"$1" "$2"); [ "$code" = "$3" ] || { echo "$1: HTTP $code" >&2; exit 1; }' \
    _ {} "$url$path" "$want"
}

# One line per process: role, pid, VmRSS, VmHWM, VmPeak in MB.
report() {
  local phase=$1 p
  printf '%-8s %-7s %7s %8s %8s %9s\n' "$phase" parent "$server_pid" \
    "$(mb "$(proc_kb "$server_pid" VmRSS)")" "$(mb "$(proc_kb "$server_pid" VmHWM)")" \
    "$(mb "$(proc_kb "$server_pid" VmPeak)")"
  for p in $(descendants "$server_pid"); do
    printf '%-8s %-7s %7s %8s %8s %9s\n' "$phase" worker "$p" \
      "$(mb "$(proc_kb "$p" VmRSS)")" "$(mb "$(proc_kb "$p" VmHWM)")" "$(mb "$(proc_kb "$p" VmPeak)")"
  done
}

phase() {  # name workers
  local name=$1 w=$2
  load_start_server --workers "$w" --queue "$queue" --store "$store" >/dev/null
  case $name in
    text*) post_all /v1/extract 200 "${text_docs[@]}" ;;
    ocr*) post_all /v1/extract 200 "${ocr_docs[@]}" ;;
    archive) post_all /v1/documents 201 "${text_docs[@]}" "${ocr_docs[@]}" ;;
    uploads)
      local i n=$((queue + w + 2)) pids=()
      { printf '%%PDF-1.7\n'; head -c $((60 * 1024 * 1024)) /dev/urandom; } >"$work/big.pdf"
      for i in $(seq 1 "$n"); do
        curl -s -o /dev/null --data-binary @"$work/big.pdf" "$url/v1/extract" &
        pids+=($!)
      done
      wait "${pids[@]}"
      ;;
  esac
  report "$name"
  load_stop_server >/dev/null
}

echo "pactum serve --workers $workers --queue $queue --store postgresql (dev corpus: ${#text_docs[@]} born-digital PDFs, ${#ocr_docs[@]} scans and images)"
printf '%-8s %-7s %7s %8s %8s %9s\n' phase process pid "RSS MB" "HWM MB" "VmPeak MB"
phase idle "$workers"
phase text "$workers"
phase ocr "$workers"
phase archive "$workers"
phase uploads "$workers"
phase ocr-w1 1
echo "hardware threads: $(nproc) (OCR threads per worker: hardware threads / workers)"
