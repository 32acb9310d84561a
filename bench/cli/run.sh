#!/usr/bin/env bash
# Start-up and batch figures of the command line against Poppler's own
# tools, in the same run, with hyperfine (medians, ratios):
#   pactum --version             vs  pdftotext -v                (target <= 2x)
#   pactum extract ONE.pdf       vs  pdftotext -bbox-layout ONE  (target <= 1.3x)
#   pactum extract -j1|-j2 DIR/  vs  pdftotext -bbox-layout on each file in turn
# plus the peak RSS of the batch (/usr/bin/time). RUNS sets hyperfine's runs
# of the single commands (default 30; the batch runs 10 times).
#
#   bench/cli/run.sh [BUILD_DIR] [CORPUS_DIR]
set -euo pipefail
. "$(dirname "$0")/../hyperfine.sh" "$@"

# The batch: every born-digital PDF of the corpus, five times over (links).
mkdir -p "$out/batch"
n=0
for f in "$corpus"/*born-digital*.pdf; do
  for i in 1 2 3 4 5; do
    ln -s "$f" "$out/batch/$i-$(basename "$f")"
    n=$((n + 1))
  done
done
one=$(ls "$corpus"/*born-digital*.pdf | head -1)
[ -n "$one" ] || { echo "no born-digital PDF in $corpus" >&2; exit 2; }

# Median seconds of each command in one hyperfine run.
medians() {
  local json=$1
  shift
  hyperfine -N --warmup 3 --runs "${RUNS:-30}" --export-json "$json" "$@" >/dev/null 2>&1
  python3 -c "import json; print(' '.join(str(r['median']) for r in json.load(open('$json'))['results']))"
}
ratio() { python3 -c "print('%.1f ms vs %.1f ms: %.2fx' % ($1 * 1000, $2 * 1000, $1 / $2))"; }

read -r a b < <(medians "$out/version.json" "$pactum --version" "pdftotext -v")
echo "start-up       pactum --version vs pdftotext -v: $(ratio "$a" "$b") (target <= 2.0x)"
read -r a b < <(medians "$out/one.json" "$pactum extract $one" "pdftotext -bbox-layout $one /dev/null")
echo "one document   pactum extract vs pdftotext -bbox-layout ($(basename "$one")): $(ratio "$a" "$b") (target <= 1.3x)"
loop="sh -c 'for f in $out/batch/*.pdf; do pdftotext -bbox-layout \"\$f\" /dev/null; done'"
read -r a b c < <(RUNS=10 medians "$out/batch.json" \
  "$pactum extract -j 1 $out/batch" "$pactum extract -j 2 $out/batch" "$loop")
echo "batch of $n    pactum extract -j 1 vs pdftotext per file: $(ratio "$a" "$c")"
echo "batch of $n    pactum extract -j 2 vs pdftotext per file: $(ratio "$b" "$c")"
/usr/bin/time -f '%M' -o "$out/rss" "$pactum" extract -j 2 "$out/batch" >/dev/null 2>&1 || true
echo "batch of $n    peak RSS of the largest process (parent or a worker), -j 2: $(tail -1 "$out/rss") KiB"
