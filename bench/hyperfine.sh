# shellcheck shell=bash
# Shared by the hyperfine benchmarks (bench/extract, bench/cli): the build
# and corpus from the arguments, the tools checked, a temp dir removed on
# exit. Sourced, not executed, with the script's own arguments:
#   . "$(dirname "$0")/../hyperfine.sh" "$@"
# Sets: root, build, corpus, pactum, out.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
corpus=${2:-$root/../shared/corpus/dev}
pactum=$build/pactum
[ -x "$pactum" ] || { echo "build first: $pactum not found" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
