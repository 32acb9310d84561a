#!/usr/bin/env bash
# Per-document extraction time in the service against `pdftotext -bbox-layout`:
# one client at a time, `curl` posting each born-digital PDF to a running
# `pactum serve` (workers warm) against pdftotext on the same file, both
# timed by hyperfine in the same run. Both sides pay one process start (curl's
# or pdftotext's); pactum's time is its whole request: guard, worker hand-off,
# pages, the reading and every extractor.
#
#   bench/extract/service.sh [BUILD_DIR] [CORPUS_DIR]
set -euo pipefail
. "$(dirname "$0")/../hyperfine.sh" "$@"
repo=$root dev_corpus=$corpus
PACTUM_BUILD_DIR=$build . "$root/bench/load/lib.sh"
corpus=$dev_corpus bin=$(realpath "$pactum")
load_workdir pactum-bench-extract
trap 'load_cleanup; rm -rf "$out"' EXIT
load_start_server --workers 1 >/dev/null

printf '%-28s %12s %12s %7s\n' document service_ms pdftotext_ms ratio
sum=0; n=0; worst=0
for f in "$corpus"/*born-digital*.pdf "$root/../shared/corpus/real-dev/de"/de-*[0-9].pdf; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  hyperfine -N --warmup 3 --runs 20 --export-json "$out/$name.json" \
    "curl -sf -o /dev/null --data-binary @$f $url/v1/extract" "pdftotext -bbox-layout $f /dev/null" >/dev/null 2>&1
  read -r a b < <(python3 -c "
import json; r=json.load(open('$out/$name.json'))['results']
print(r[0]['median']*1000, r[1]['median']*1000)")
  ratio=$(python3 -c "print(round($a/$b, 2))")
  printf '%-28s %12.1f %12.1f %7s\n' "${name:0:28}" "$a" "$b" "$ratio"
  sum=$(python3 -c "print($sum + $ratio)"); n=$((n + 1))
  worst=$(python3 -c "print(max($worst, $ratio))")
done
python3 -c "print('mean ratio %.2f, worst %.2f over %d documents (target: <= 1.5)' % ($sum / $n, $worst, $n))"
