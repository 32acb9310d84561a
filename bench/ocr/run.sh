#!/usr/bin/env bash
# OCR benchmark: pactum's OCR path against the tesseract command line.
#
#   bench/ocr/run.sh [BUILD_DIR]        (default: build; needs BUILD_DIR/pactum)
#
# 1. Per page: the scanned PDFs of the dev corpus are rendered once at 300 dpi
#    grey (pdftoppm, as pactum renders them). Each page image is then read by
#    `tesseract PAGE - -l deu+eng` and by `pactum extract PAGE` (one worker),
#    one process per page on both sides (engine start-up included on both).
#    Reported: seconds per page and the ratio pactum / tesseract.
# 2. Throughput: one PDF of all scanned corpus pages, `pactum extract` with
#    PACTUM_OCR_THREADS=1 and =2: pages per second, and the speed-up.
# 3. Memory: a 100-page scan (corpus scan pages repeated with pdfunite), peak
#    RSS from /usr/bin/time -v, with the default worker count.
#
# Both sides run with OMP_THREAD_LIMIT=1 (tesseract's OpenMP threads only
# slow it down when every core is busy, and pactum runs one engine per core).
# Needs: pdftoppm, pdfunite, tesseract, /usr/bin/time, bc.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
PACTUM=$(cd "$BUILD" && pwd)/pactum
CORPUS=${PACTUM_CORPUS_DIR:-$ROOT/../shared/corpus}/dev
LANGS=deu+eng
export OMP_THREAD_LIMIT=1

for tool in pdftoppm pdfunite tesseract bc; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ -x "$PACTUM" ] || { echo "no pactum binary at $PACTUM; build first" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pactum-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
SCANS=("$CORPUS"/*-scan-*.pdf)

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

echo "== rendering the scanned corpus pages at 300 dpi"
n=0
for pdf in "${SCANS[@]}"; do
  pdftoppm -r 300 -gray -png "$pdf" "$WORK/page-$(basename "${pdf%.pdf}")"
done
PAGES=("$WORK"/page-*.png)
n=${#PAGES[@]}
echo "$n pages"

echo "== 1. per page: tesseract CLI vs pactum (1 worker), one process per page"
# Wall time, and CPU time (user + system): the CPU figure holds up when
# other work shares the machine, the wall figure does not.
w_cli=0; c_cli=0; w_pac=0; c_pac=0
add() { echo "$1 + $2" | bc -l; }
for p in "${PAGES[@]}"; do
  /usr/bin/time -f '%e %U %S' -o "$WORK/t" tesseract "$p" - -l "$LANGS" >/dev/null 2>&1
  read -r e u s < "$WORK/t"; w_cli=$(add "$w_cli" "$e"); c_cli=$(add "$c_cli" "$u + $s")
  PACTUM_OCR_THREADS=1 /usr/bin/time -f '%e %U %S' -o "$WORK/t" "$PACTUM" extract "$p" >/dev/null 2>&1
  read -r e u s < "$WORK/t"; w_pac=$(add "$w_pac" "$e"); c_pac=$(add "$c_pac" "$u + $s")
done
printf 'tesseract CLI   %.2f s/page wall, %.2f s/page CPU\n' "$(echo "$w_cli / $n" | bc -l)" "$(echo "$c_cli / $n" | bc -l)"
printf 'pactum          %.2f s/page wall, %.2f s/page CPU (with clean-up, orientation, layout, fields)\n' \
  "$(echo "$w_pac / $n" | bc -l)" "$(echo "$c_pac / $n" | bc -l)"
printf 'ratio pactum / tesseract = %.2f wall, %.2f CPU (target <= 1.0, aim <= 0.75)\n' \
  "$(echo "$w_pac / $w_cli" | bc -l)" "$(echo "$c_pac / $c_cli" | bc -l)"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 2. throughput on one $n-page PDF"
pdfunite "${SCANS[@]}" "$WORK/all.pdf"
declare -A rate
for w in 1 2; do
  t0=$(now)
  PACTUM_OCR_THREADS=$w "$PACTUM" extract "$WORK/all.pdf" >/dev/null 2>&1
  t1=$(now)
  rate[$w]=$(echo "$n / $(secs "$t0" "$t1")" | bc -l)
  printf '%d worker(s)     %.3f pages/s   (load average %s)\n' "$w" "${rate[$w]}" "$(cut -d' ' -f1 /proc/loadavg)"
done
printf 'speed-up 2 vs 1 = %.2fx (target >= 1.7x on 2 cores)\n' "$(echo "${rate[2]} / ${rate[1]}" | bc -l)"

echo "== 3. peak memory on a 100-page scan"
# seed-scan-300-gray.pdf (4 grey 300 dpi JPEG pages, the heaviest variant) 25 times.
parts=()
for _ in $(seq 25); do parts+=("$CORPUS/seed-scan-300-gray.pdf"); done
pdfunite "${parts[@]}" "$WORK/100.pdf"
echo "pages: $(pdfinfo "$WORK/100.pdf" | awk '/^Pages:/ {print $2}')"
t0=$(now)
/usr/bin/time -v "$PACTUM" extract "$WORK/100.pdf" >/dev/null 2>"$WORK/time.txt"
t1=$(now)
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
printf 'peak RSS %.0f MB (target < 400 MB), %.1f s, %.3f pages/s\n' "$(echo "$rss_kb / 1024" | bc -l)" \
  "$(secs "$t0" "$t1")" "$(echo "100 / $(secs "$t0" "$t1")" | bc -l)"
