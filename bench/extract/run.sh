#!/usr/bin/env bash
# Per-document extraction time of `pactum extract` against
# `pdftotext -bbox-layout` (Poppler's own word-box dump) on the same
# born-digital PDFs, in the same run, with hyperfine. Prints the medians and
# the ratio per document and overall, plus pactum's peak RSS.
#
#   bench/extract/run.sh [BUILD_DIR] [CORPUS_DIR]
set -euo pipefail
. "$(dirname "$0")/../hyperfine.sh" "$@"

printf '%-28s %12s %12s %7s %10s\n' document pactum_ms pdftotext_ms ratio peak_rss_kb
sum_ratio=0; n=0; worst=0
for f in "$corpus"/*born-digital*.pdf; do
  name=$(basename "$f")
  hyperfine -N --warmup 3 --runs 30 --export-json "$out/$name.json" \
    "$pactum extract $f" "pdftotext -bbox-layout $f /dev/null" >/dev/null 2>&1
  read -r a b < <(python3 -c "
import json,sys; r=json.load(open('$out/$name.json'))['results']
print(r[0]['median']*1000, r[1]['median']*1000)")
  rss=$( { /usr/bin/time -f '%M' "$pactum" extract "$f" >/dev/null; } 2>&1 | tail -1)
  ratio=$(python3 -c "print(round($a/$b, 2))")
  printf '%-28s %12.1f %12.1f %7s %10s\n' "$name" "$a" "$b" "$ratio" "$rss"
  sum_ratio=$(python3 -c "print($sum_ratio + $ratio)"); n=$((n + 1))
  worst=$(python3 -c "print(max($worst, $ratio))")
done
python3 -c "print('mean ratio %.2f, worst %.2f over %d documents (target: <= 2.0)' % ($sum_ratio / $n, $worst, $n))"
