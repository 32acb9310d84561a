#!/usr/bin/env bash
# Runs every scanned document of the dev corpus through `pactum extract`,
# scores the records with the corpus scorer and fails when the overall F1 of
# the scans is below MIN_F1.
#
#   score_scans.sh PACTUM_BIN CORPUS_DIR MIN_F1 PYTHON
set -u -o pipefail
PACTUM=$1 CORPUS=$2 MIN_F1=$3 PYTHON=${4:-python3}
DEV="$CORPUS/dev"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pactum-scans-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/truth" "$WORK/out"

for f in "$DEV"/*-scan-*.pdf "$DEV"/*.tif "$DEV"/*.tiff "$DEV"/*.png "$DEV"/*.jpg "$DEV"/*.jpeg; do
  [ -f "$f" ] || continue
  base=$(basename -- "$f")
  name=${base%.*}
  [ -f "$DEV/$name.truth.json" ] || continue
  ln -s "$DEV/$name.truth.json" "$WORK/truth/$name.truth.json"
  start=$(date +%s.%N)
  # The record is the JSON object on stdout; anything before it is log.
  if "$PACTUM" extract "$f" > "$WORK/raw.txt" 2> "$WORK/$name.log"; then
    sed -n '/^{/,$p' "$WORK/raw.txt" > "$WORK/out/$name.json"
    status=ok
  else
    status="failed: $(tail -1 "$WORK/$name.log")"
  fi
  printf '%-26s %6.1fs %s\n' "$base" "$(echo "$(date +%s.%N) - $start" | bc)" "$status"
done

"$PYTHON" "$CORPUS/tools/score.py" "$WORK/truth" "$WORK/out" --json > "$WORK/score.json" || {
  echo "score.py failed" >&2
  exit 1
}
"$PYTHON" - "$WORK/score.json" "$MIN_F1" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
min_f1 = float(sys.argv[2])
for variant, v in sorted(report["by_variant"].items()):
    docs = [d for d in report["documents"] if d.get("variant") == variant]
    print("%-14s F1 %.3f   %s" % (variant, v["overall"]["f1"], "  ".join("%s %.3f" % (d["name"], d["f1"] or 0) for d in docs)))
overall = report["overall"]["f1"]
print("scan F1 %.3f (minimum %.3f)" % (overall, min_f1))
sys.exit(0 if overall + 1e-9 >= min_f1 else 1)
PY
