#!/usr/bin/env bash
# Per-document extraction time in the service against `pdftotext -bbox-layout`,
# one request at a time to a running `pactum serve` (workers warm), measured two
# ways in the same run:
#   curl       hyperfine times `curl` posting the PDF against pdftotext on the
#              same file: both pay one process start (curl's or pdftotext's);
#   keep-alive wrk posts the PDF over one kept-alive connection for 3 s (one
#              request in flight): the median latency of the service itself,
#              as an archive system's client sees it.
# pactum's time is its whole request either way: guard, worker hand-off,
# pages, the reading and every extractor. The curl figure also holds curl's
# own start (libcurl and its TLS library loaded for every run), which is no
# part of the service: it is measured in the same run (curl getting
# /healthz) and printed, and the target is read on the service's time.
#
#   bench/extract/service.sh [BUILD_DIR] [CORPUS_DIR]
set -euo pipefail
. "$(dirname "$0")/../hyperfine.sh" "$@"
repo=$root dev_corpus=$corpus
PACTUM_BUILD_DIR=$build . "$root/bench/load/lib.sh"
corpus=$dev_corpus bin=$(realpath "$pactum")
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 2; }
load_workdir pactum-bench-extract
trap 'load_cleanup; rm -rf "$out"' EXIT
load_start_server --workers 1 >/dev/null
hyperfine -N --warmup 3 --runs 30 --export-json "$out/healthz.json" "curl -sf -o /dev/null $url/healthz" >/dev/null 2>&1
curl_start=$(python3 -c "import json; print(round(json.load(open('$out/healthz.json'))['results'][0]['median']*1000, 1))")

printf '%-28s %9s %9s %12s %7s %9s\n' document curl_ms kept_ms pdftotext_ms ratio kept_ratio
ratios=()
for f in "$corpus"/*born-digital*.pdf "$root/../shared/corpus/real-dev/de"/de-*[0-9].pdf; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  hyperfine -N --warmup 3 --runs 20 --export-json "$out/$name.json" \
    "curl -sf -o /dev/null --data-binary @$f $url/v1/extract" "pdftotext -bbox-layout $f /dev/null" >/dev/null 2>&1
  kept=$(PACTUM_BENCH_FILE=$f wrk -t1 -c1 -d3s -s "$root/bench/http/post_document.lua" "$url/v1/extract" |
    sed -n 's/^latency p50 *\([0-9.]*\) ms/\1/p')
  read -r a b < <(python3 -c "
import json; r=json.load(open('$out/$name.json'))['results']
print(r[0]['median']*1000, r[1]['median']*1000)")
  read -r ratio kept_ratio < <(python3 -c "print(round($a/$b, 2), round($kept/$b, 2))")
  printf '%-28s %9.1f %9.1f %12.1f %7s %9s\n' "${name:0:28}" "$a" "$kept" "$b" "$ratio" "$kept_ratio"
  ratios+=("$ratio:$kept_ratio")
done
python3 - "$curl_start" "${ratios[@]}" <<'PY'
import statistics, sys
pairs = [tuple(map(float, a.split(":"))) for a in sys.argv[2:]]
for label, k, note in (("curl", 0, "with curl's own start, %s ms a run (GET /healthz)" % sys.argv[1]),
                       ("keep-alive", 1, "the service's time; target: <= 1.5")):
    v = [p[k] for p in pairs]
    print("%-10s mean ratio %.2f, median %.2f, worst %.2f over %d documents (%s)"
          % (label, statistics.mean(v), statistics.median(v), max(v), len(v), note))
PY
