#!/usr/bin/env bash
# Searchable PDF benchmark: pactum's searchable PDF/A against Debian's
# OCRmyPDF on the same scans, in the same run.
#
#   bench/searchable/run.sh [BUILD_DIR]      (default: build; needs BUILD_DIR/pactum)
#
# For every scanned PDF of the dev corpus ($PACTUM_CORPUS_DIR/dev/*-scan-*.pdf):
#   pactum  extract SCAN --searchable-pdf OUT     (OCR, fields and the PDF/A)
#   ocrmypdf -l deu+eng --output-type pdfa SCAN OUT
# timed with hyperfine (RUNS runs each, default 3; medians), then once more
# each under /usr/bin/time -v for the peak RSS. Printed per file and in
# total: median seconds, the ratio pactum / ocrmypdf, peak RSS, output sizes,
# and the words pdftotext reads from each output. Both sides use the same
# two OCR threads (PACTUM_OCR_THREADS, ocrmypdf --jobs) and one OpenMP
# thread per Tesseract.
#
# OCRmyPDF is a benchmark-only dependency: installed here with apt-get when
# missing (as root), never part of the runtime image.
# Needs: hyperfine, /usr/bin/time, pdftotext, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
PACTUM=$(cd "$BUILD" && pwd)/pactum
CORPUS=${PACTUM_CORPUS_DIR:-$ROOT/../shared/corpus}/dev
RUNS=${RUNS:-3}
JOBS=${JOBS:-2}
LANGS=deu+eng
export OMP_THREAD_LIMIT=1 PACTUM_OCR_THREADS=$JOBS

[ -x "$PACTUM" ] || { echo "no pactum binary at $PACTUM; build first" >&2; exit 2; }
if ! command -v ocrmypdf >/dev/null; then
  echo "== installing ocrmypdf (benchmark only)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ocrmypdf >/dev/null
fi
for tool in hyperfine pdftotext python3 ocrmypdf; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pactum-bench-searchable-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
SCANS=("$CORPUS"/*-scan-*.pdf)
echo "pactum $("$PACTUM" --version 2>/dev/null | head -1), ocrmypdf $(ocrmypdf --version), $(nproc) of $(nproc --all) cores usable, $RUNS runs"

# Peak RSS in KiB of one run of "$@".
peak_rss() {
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>&1
  awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt"
}

words() { pdftotext "$1" - 2>/dev/null | wc -w; }

: > "$WORK/rows.tsv"
for scan in "${SCANS[@]}"; do
  name=$(basename "$scan" .pdf)
  pages=$(pdfinfo "$scan" | awk '/^Pages:/ {print $2}')
  p_out=$WORK/$name.pactum.pdf
  o_out=$WORK/$name.ocrmypdf.pdf
  echo "== $name ($pages pages)"
  hyperfine --runs "$RUNS" --style basic --export-json "$WORK/$name.json" \
    -n pactum "'$PACTUM' extract '$scan' --searchable-pdf '$p_out' > /dev/null" \
    -n ocrmypdf "ocrmypdf -q -l $LANGS --jobs $JOBS --output-type pdfa '$scan' '$o_out'"
  p_rss=$(peak_rss "$PACTUM" extract "$scan" --searchable-pdf "$p_out")
  o_rss=$(peak_rss ocrmypdf -q -l "$LANGS" --jobs "$JOBS" --output-type pdfa "$scan" "$o_out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$pages" "$WORK/$name.json" "$p_rss" "$o_rss" \
    "$(stat -c %s "$scan")" "$(stat -c %s "$p_out")" "$(stat -c %s "$o_out")" "$(words "$p_out")" \
    "$(words "$o_out")" >> "$WORK/rows.tsv"
done

python3 - "$WORK/rows.tsv" <<'EOF'
import json, statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
print()
print(f"{'scan':26} {'pages':>5} {'pactum s':>9} {'ocrmypdf s':>10} {'ratio':>6} "
      f"{'RSS MiB p/o':>12} {'KB in':>7} {'KB pactum':>9} {'KB ocrmypdf':>11} {'words p/o':>11}")
tot = {"pages": 0, "p": 0.0, "o": 0.0, "in": 0, "ps": 0, "os": 0, "pw": 0, "ow": 0}
rss_p = rss_o = 0
for name, pages, js, p_rss, o_rss, size_in, size_p, size_o, w_p, w_o in rows:
    results = {r["command"]: r for r in json.load(open(js))["results"]}
    p = statistics.median(results["pactum"]["times"])
    o = statistics.median(results["ocrmypdf"]["times"])
    print(f"{name:26} {pages:>5} {p:9.2f} {o:10.2f} {p / o:6.2f} "
          f"{int(p_rss) / 1024:5.0f}/{int(o_rss) / 1024:<6.0f} {int(size_in) / 1000:7.0f} "
          f"{int(size_p) / 1000:9.0f} {int(size_o) / 1000:11.0f} {w_p:>5}/{w_o:<5}")
    tot["pages"] += int(pages); tot["p"] += p; tot["o"] += o
    tot["in"] += int(size_in); tot["ps"] += int(size_p); tot["os"] += int(size_o)
    tot["pw"] += int(w_p); tot["ow"] += int(w_o)
    rss_p = max(rss_p, int(p_rss)); rss_o = max(rss_o, int(o_rss))
print(f"{'total (sum of medians)':26} {tot['pages']:>5} {tot['p']:9.2f} {tot['o']:10.2f} {tot['p'] / tot['o']:6.2f} "
      f"{rss_p / 1024:5.0f}/{rss_o / 1024:<6.0f} {tot['in'] / 1000:7.0f} {tot['ps'] / 1000:9.0f} "
      f"{tot['os'] / 1000:11.0f} {tot['pw']:>5}/{tot['ow']:<5}")
print(f"\npactum: {tot['p'] / tot['pages']:.2f} s/page, ocrmypdf: {tot['o'] / tot['pages']:.2f} s/page; "
      f"ratio pactum/ocrmypdf {tot['p'] / tot['o']:.2f}; peak RSS max {rss_p / 1024:.0f} MiB vs {rss_o / 1024:.0f} MiB "
      "(the largest single process of each run: ocrmypdf's Tesseract and Ghostscript children are not summed)")
EOF
