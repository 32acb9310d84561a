#!/usr/bin/env bash
# Extract and score one part of a real-dev folder with the CLI.
#
#   bench/real-dev/run.sh cuad|de|dev train|validation|all [OUT_DIR]
#
# "validation" is the fixed quarter listed in bench/real-dev/FOLDER.validation (made once
# by split.py); "train" is the rest. Tune and train on "train" only. Writes OUT_DIR/NAME.json
# and OUT_DIR/timings.tsv, then prints score.py's report for exactly that part.
# PACTUM (default build/pactum), JOBS (default 2), EXTRACT_TIMEOUT (s, default 120), and
# EVERY=k to score only every k-th document of the part (a quick look while tuning).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
folder=${1:?usage: run.sh cuad|de|dev train|validation|all [OUT_DIR]}
part=${2:?usage: run.sh cuad|de|dev train|validation|all [OUT_DIR]}
out=${3:-$(mktemp -d)}
pactum=${PACTUM:-$repo/build/pactum}
jobs=${JOBS:-2}
timeout_s=${EXTRACT_TIMEOUT:-120}
shared=${PACTUM_SHARED:-$repo/../shared}
case $folder in
  dev) corpus=$shared/corpus/dev ;;
  *) corpus=$shared/corpus/real-dev/$folder ;;
esac
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
validation=$here/$folder.validation

truth=$(mktemp -d)
trap 'rm -rf "$truth"' EXIT
every=${EVERY:-1}
k=0
for t in "$corpus"/*.truth.json; do
  name=$(basename "$t" .truth.json)
  held=no
  [ -f "$validation" ] && grep -qxF "$name" "$validation" && held=yes
  case $part in
    train) [ $held = no ] || continue ;;
    validation) [ $held = yes ] || continue ;;
    all) ;;
    *) echo "part must be train, validation or all" >&2; exit 2 ;;
  esac
  k=$((k + 1))
  [ $(( (k - 1) % every )) -eq 0 ] || continue
  ln -s "$t" "$truth/"
done
[ -f "$corpus/manifest.json" ] && ln -s "$corpus/manifest.json" "$truth/"

mkdir -p "$out"
: > "$out/timings.tsv"
export pactum out corpus timeout_s
ls "$truth" | sed -n 's/\.truth\.json$//p' | xargs -P "$jobs" -I{} bash -c '
  name={}; file=$(ls "$corpus/$name".* | grep -v "\.truth\.json$" | head -1)
  start=$(date +%s.%N)
  if timeout "$timeout_s" "$pactum" extract "$file" > "$out/$name.json" 2>/dev/null; then status=200; else status=$?; fi
  end=$(date +%s.%N)
  printf "%s\t%s\t%.3f\n" "$(basename "$file")" "$status" "$(echo "$end - $start" | bc)" >> "$out/timings.tsv"'
echo "outputs in $out" >&2
python3 "$shared/corpus/tools/score.py" "$truth" "$out"
