#!/usr/bin/env bash
# Instructions per extraction stage for one document, warm, with callgrind:
# deterministic, so it holds up on a busy machine where wall times do not.
#
#   bench/extract/stages.sh DOCUMENT [BUILD_DIR]
#
# The CLI's batch mode reads a folder in a worker process, as the service
# does. The document is read once, then twice, in a fresh worker each time;
# the difference is the cost of one document in a warm worker (language data,
# patterns and OCR engines made once are left out). Printed: inclusive
# instructions (millions) of each stage's function.
set -euo pipefail
doc=${1:?usage: stages.sh DOCUMENT [BUILD_DIR]}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/build}
command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)" >&2; exit 2; }
[ -x "$build/pactum" ] || { echo "build first: $build/pactum not found" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ext=${doc##*.}
mkdir -p "$work/one" "$work/two"
cp "$doc" "$work/one/1.$ext"; cp "$doc" "$work/two/1.$ext"; cp "$doc" "$work/two/2.$ext"
for k in one two; do
  PACTUM_OCR_THREADS=1 valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$work/cg.$k.%p" \
    "$build/pactum" extract -j 1 "$work/$k" >/dev/null 2>"$work/$k.log"
  sleep 2  # the worker's profile is written as it exits
  callgrind_annotate --inclusive=yes --threshold=100 "$(ls -S "$work"/cg.$k.* | head -1)" >"$work/$k.txt" 2>/dev/null
done
python3 - "$work" <<'PY'
import re, sys
work = sys.argv[1]
stages = [
    ("document in the worker", "pactum::service::Process("),
    ("  guard (qpdf)", "pactum::service::Guard("),
    ("  extraction", "pactum::extract::Extract(std"),
    ("    pages", "pactum::extract::ReadPages("),
    ("      text layer (Poppler)", "PdfDocument::TextLayer("),
    ("      glance and OCR renderings", "PdfDocument::Render("),
    ("      marks outside the text layer", "CountUnreadGlyphs("),
    ("      page content check", "PdfDocument::MarksBesidesText("),
    ("      OCR", "OcrPage("),
    ("      layout", "pactum::extract::BuildLayout("),
    ("    fields", "pactum::extract::ExtractFields"),
    ("      reading", "pactum::extract::Reading::Of("),
    ("      title", "pactum::extract::ExtractTitle("),
    ("      parties", "pactum::extract::ExtractParties("),
    ("      amounts", "pactum::extract::ExtractAmounts("),
    ("      dates", "pactum::extract::ExtractDates("),
    ("      projects", "pactum::extract::ExtractProjects("),
    ("      signatories", "pactum::extract::ExtractSignatories("),
    ("      governing law", "pactum::extract::ExtractGoverningLaw("),
    ("      term", "pactum::extract::ExtractTerm("),
    ("  (regular expressions)", "fields::Regex::Run("),
]
def load(name):
    costs = {}
    for line in open(f"{work}/{name}.txt"):
        m = re.match(r"\s*([\d,]+) \([\s\d.]+%\)\s+(.*)", line)
        if m:
            costs.setdefault(m.group(2), int(m.group(1).replace(",", "")))
    return costs
one, two = load("one"), load("two")
def total(costs, pattern):
    # Recursive entries ('2) are inside their outer call.
    return sum(v for k, v in costs.items() if pattern in k and "'2" not in k)
for name, pattern in stages:
    print(f"{name:36s} {(total(two, pattern) - total(one, pattern)) / 1e6:9.2f} M")
PY
