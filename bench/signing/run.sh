#!/usr/bin/env bash
# Signature benchmarks of pactum, with public tools only (hyperfine, GNU time,
# openssl, qpdf, certutil, pdfsig from poppler-utils).
#
# 1. Verify: time per file of `pactum verify FILE --trust-anchors ROOTS`
#    against Poppler's `pdfsig -nssdir sql:NSSDIR FILE` on the same files, in
#    the same hyperfine run (hyperfine -N --warmup 3 --runs 30). NSSDIR is an
#    NSS database made in a temp dir that trusts the same roots. Files: the
#    shared samples valid_adbe_rsa2048_sha256.pdf, valid_cades_rsa2048_sha256.pdf
#    and digest_mismatch.pdf, plus a ~1 MB PDF the script builds with qpdf
#    (20 pages of unsigned.pdf + a 1 MB random attachment) signed by pactum
#    once (RSA-2048) and twice (RSA-2048, then a second revision with ECDSA
#    P-256). Prints per file the verdict of both tools, the medians, the ratio
#    pactum/pdfsig and pactum's peak RSS, then the mean and worst ratio
#    (target: <= 1.0).
# 2. Sign: `pactum sign IN -o OUT --sign-p12 P12 --sign-p12-password-file PASS`
#    on the 1 MB PDF with RSA-2048 and with ECDSA P-256: hyperfine median ->
#    documents/s of one process, peak RSS from /usr/bin/time -v. For scale,
#    `openssl cms -sign` of the same 1 MB bytes (detached, DER, same key) is
#    timed in the same run and the ratio pactum/openssl printed.
#
# The test PKI comes from tests/signing/pki/make_pki.sh (into a temp dir).
# Nothing is built and nothing in the tree is written; takes about 20 s.
#
#   bench/signing/run.sh [BUILD_DIR] [CORPUS_DIR]
#       BUILD_DIR   default: <repo>/build
#       CORPUS_DIR  default: <repo>/../shared/corpus/signatures
#   Environment (optional): PACTUM_BENCH_RUNS  hyperfine --runs (default 30)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
[[ "$build" = /* ]] || build="$PWD/$build"
corpus=${2:-$root/../shared/corpus/signatures}
runs=${PACTUM_BENCH_RUNS:-30}
pactum=$build/pactum
[ -x "$pactum" ] || { echo "build first: $pactum not found (run ./scripts/test, or cmake -S . -B build && cmake --build build)" >&2; exit 2; }
for tool in hyperfine qpdf pdfsig certutil openssl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install hyperfine qpdf poppler-utils libnss3-tools openssl)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is required (apt-get install time)" >&2; exit 2; }
for f in unsigned.pdf trust-root-ca.pem valid_adbe_rsa2048_sha256.pdf valid_cades_rsa2048_sha256.pdf digest_mismatch.pdf; do
  [ -r "$corpus/$f" ] || { echo "cannot read $corpus/$f" >&2; exit 2; }
done
out=$(mktemp -d "${TMPDIR:-/tmp}/pactum-bench-signing.XXXXXX")
trap 'rm -rf "$out"' EXIT

# --- fixtures ---------------------------------------------------------------
pki=$out/pki
bash "$root/tests/signing/pki/make_pki.sh" "$pki"
# The shared samples chain to the corpus root, pactum's own signatures to the
# test PKI root: both tools trust both.
anchors=("$pki/root.pem" "$corpus/trust-root-ca.pem")
nss=$out/nss
mkdir -p "$nss"
certutil -N -d "sql:$nss" --empty-password
certutil -A -d "sql:$nss" -n root -t CT,C,C -i "$pki/root.pem"
certutil -A -d "sql:$nss" -n corpus-root -t CT,C,C -i "$corpus/trust-root-ca.pem"

pages=()
for _ in $(seq 20); do pages+=("$corpus/unsigned.pdf"); done
qpdf --empty --pages "${pages[@]}" -- "$out/pages.pdf"
head -c 1000000 /dev/urandom > "$out/random.bin"
qpdf "$out/pages.pdf" --add-attachment "$out/random.bin" -- "$out/1mb.pdf"
size=$(stat -c %s "$out/1mb.pdf")
(( size > 900000 && size < 1200000 )) || { echo "1mb.pdf is $size bytes, expected ~1 MB" >&2; exit 1; }

sign() {  # in out signer
  "$pactum" sign "$1" -o "$2" --sign-p12 "$pki/$3.p12" --sign-p12-password-file "$pki/$3.p12.pass"
}
sign "$out/1mb.pdf" "$out/1mb_signed_once.pdf" rsa2048
sign "$out/1mb_signed_once.pdf" "$out/1mb_signed_twice.pdf" p256

median_ms() {  # json index
  python3 -c "import json; print(json.load(open('$1'))['results'][$2]['median'] * 1000)"
}
peak_rss_kb() {  # command...
  /usr/bin/time -v -o "$out/time.txt" "$@" >/dev/null
  sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$out/time.txt"
}
# hyperfine's table goes to the JSON; its warnings only show when it fails.
bench() {  # json command...
  local json=$1; shift
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$json" "$@" >"$out/hyperfine.log" 2>&1 ||
    { cat "$out/hyperfine.log" >&2; exit 1; }
}
# Verdicts, to make sure both tools did the same job: "valid" when every
# signature is intact and its certificate trusted, else "invalid".
pactum_verdict() {
  "$pactum" verify "$1" --trust-anchors "${anchors[@]}" |
    python3 -c "import json,sys; print(json.load(sys.stdin)['status'])"
}
pdfsig_verdict() {
  pdfsig -nssdir "sql:$nss" "$1" 2>&1 | python3 -c "
import sys
t = sys.stdin.read()
n = t.count('Signature #')
ok = n > 0 and t.count('Signature is Valid.') == n and t.count('Certificate is Trusted.') == n
print('valid' if ok else 'invalid')"
}

# --- 1. verify --------------------------------------------------------------
echo "verify: pactum verify vs pdfsig (hyperfine -N --warmup 3 --runs $runs, medians)"
printf '%-32s %8s %15s %10s %10s %7s %13s\n' file size_kb verdict pactum_ms pdfsig_ms ratio pactum_rss_kb
ratios=()
for f in "$corpus/valid_adbe_rsa2048_sha256.pdf" "$corpus/valid_cades_rsa2048_sha256.pdf" \
         "$corpus/digest_mismatch.pdf" "$out/1mb_signed_once.pdf" "$out/1mb_signed_twice.pdf"; do
  name=$(basename "$f" .pdf)
  json=$out/verify_$name.json
  bench "$json" \
    "$pactum verify $f --trust-anchors ${anchors[*]}" \
    "pdfsig -nssdir sql:$nss $f"
  a=$(median_ms "$json" 0); b=$(median_ms "$json" 1)
  ratio=$(python3 -c "print('%.2f' % ($a / $b))")
  ratios+=("$ratio")
  rss=$(peak_rss_kb "$pactum" verify "$f" --trust-anchors "${anchors[@]}")
  printf '%-32s %8d %15s %10.2f %10.2f %7s %13s\n' "$name" $(( $(stat -c %s "$f") / 1024 )) \
    "$(pactum_verdict "$f")/$(pdfsig_verdict "$f")" "$a" "$b" "$ratio" "$rss"
done
python3 -c "
r = [float(x) for x in '${ratios[*]}'.split()]
print('verify ratio pactum/pdfsig: mean %.2f, worst %.2f over %d files (target: <= 1.0)' % (sum(r) / len(r), max(r), len(r)))"

# --- 2. sign ----------------------------------------------------------------
echo
echo "sign: pactum sign of a $(( size / 1024 )) KiB PDF, one process per document (hyperfine -N --warmup 3 --runs $runs)"
printf '%-10s %10s %8s %13s %11s %12s\n' key pactum_ms docs/s pactum_rss_kb openssl_ms ratio_vs_ossl
for signer in rsa2048 p256; do
  json=$out/sign_$signer.json
  bench "$json" \
    "$pactum sign $out/1mb.pdf -o $out/bench_$signer.pdf --sign-p12 $pki/$signer.p12 --sign-p12-password-file $pki/$signer.p12.pass" \
    "openssl cms -sign -binary -outform DER -md sha256 -in $out/1mb.pdf -signer $pki/$signer.pem -inkey $pki/$signer.key -certfile $pki/intermediate.pem -out $out/bench_$signer.p7s"
  a=$(median_ms "$json" 0); b=$(median_ms "$json" 1)
  rss=$(peak_rss_kb "$pactum" sign "$out/1mb.pdf" -o "$out/rss_$signer.pdf" \
        --sign-p12 "$pki/$signer.p12" --sign-p12-password-file "$pki/$signer.p12.pass")
  [ "$(pactum_verdict "$out/bench_$signer.pdf")" = valid ] || { echo "pactum sign ($signer) did not produce a valid signature" >&2; exit 1; }
  python3 -c "print('%-10s %10.2f %8.1f %13s %11.2f %12.2f' % ('$signer', $a, 1000 / $a, '$rss', $b, $a / $b))"
done
