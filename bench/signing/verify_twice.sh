#!/usr/bin/env bash
# POST /v1/verify of a ~1 MB PDF signed twice, against Poppler's pdfsig of
# the same file (issue 12; target: median ratio <= 1.5).
#
# Builds a ~1 MB PDF with qpdf (20 pages of unsigned.pdf + a 1 MB random
# attachment), signs it twice with `pactum sign` (RSA-2048, then an
# incremental second signature with ECDSA P-256; keys from
# tests/signing/pki/make_pki.sh), starts `pactum serve` on 127.0.0.1 with the
# test root as trust anchor, checks that both tools call both signatures
# valid and trusted, then times in one hyperfine run (-N --warmup 3):
#   curl -sS --fail -o /dev/null --data-binary @FILE http://127.0.0.1:PORT/v1/verify
#   pdfsig -nssdir sql:NSSDIR FILE      (an NSS database trusting the same root)
# and prints both medians and the ratio. Each side pays one process start
# (curl, pdfsig); the service's side includes HTTP, the job queue and its
# worker process, as a client sees it.
#
# Nothing is built and nothing in the tree is written.
#
#   bench/signing/verify_twice.sh [BUILD_DIR] [CORPUS_DIR]
#       BUILD_DIR   default: <repo>/build
#       CORPUS_DIR  default: <repo>/../shared/corpus/signatures
#   Environment (optional): PACTUM_BENCH_RUNS  hyperfine --runs (default 30)
#                           PACTUM_BENCH_KEEP  a directory to copy the signed PDF into
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
[[ "$build" = /* ]] || build="$PWD/$build"
corpus=${2:-$root/../shared/corpus/signatures}
runs=${PACTUM_BENCH_RUNS:-30}
pactum=$build/pactum
[ -x "$pactum" ] || { echo "build first: $pactum not found (cmake --build build --target pactum)" >&2; exit 2; }
for tool in hyperfine qpdf pdfsig certutil openssl curl python3; do
  command -v "$tool" >/dev/null ||
    { echo "$tool is required (apt-get install hyperfine qpdf poppler-utils libnss3-tools openssl curl)" >&2; exit 2; }
done
[ -r "$corpus/unsigned.pdf" ] || { echo "cannot read $corpus/unsigned.pdf" >&2; exit 2; }

out=$(mktemp -d "${TMPDIR:-/tmp}/pactum-bench-verify-twice.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$out"
}
trap cleanup EXIT

# --- fixtures ---------------------------------------------------------------
pki=$out/pki
bash "$root/tests/signing/pki/make_pki.sh" "$pki"
nss=$out/nss
mkdir -p "$nss"
certutil -N -d "sql:$nss" --empty-password
certutil -A -d "sql:$nss" -n root -t CT,C,C -i "$pki/root.pem"

pages=()
for _ in $(seq 20); do pages+=("$corpus/unsigned.pdf"); done
qpdf --empty --pages "${pages[@]}" -- "$out/pages.pdf"
head -c 1000000 /dev/urandom > "$out/random.bin"
qpdf "$out/pages.pdf" --add-attachment "$out/random.bin" -- "$out/1mb.pdf"
sign() {  # in out signer
  "$pactum" sign "$1" -o "$2" --sign-p12 "$pki/$3.p12" --sign-p12-password-file "$pki/$3.p12.pass"
}
sign "$out/1mb.pdf" "$out/once.pdf" rsa2048
sign "$out/once.pdf" "$out/twice.pdf" p256
file=$out/twice.pdf
size=$(stat -c %s "$file")
(( size > 900000 && size < 1200000 )) || { echo "twice.pdf is $size bytes, expected ~1 MB" >&2; exit 1; }
[ -n "${PACTUM_BENCH_KEEP:-}" ] && cp "$file" "$PACTUM_BENCH_KEEP/"

# --- the service ------------------------------------------------------------
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$pactum" serve --host 127.0.0.1 --port "$port" --store none --workers 1 --log-level warn \
  --trust-anchors "$pki/root.pem" 2>"$out/serve.log" &
server_pid=$!
url=http://127.0.0.1:$port
for _ in $(seq 100); do
  "$pactum" health --url "$url/readyz" --timeout 0.5 >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/serve.log" >&2; echo "pactum serve did not start" >&2; exit 1; }
  sleep 0.1
done
"$pactum" health --url "$url/readyz" >/dev/null || { cat "$out/serve.log" >&2; echo "pactum serve is not ready" >&2; exit 1; }

# Both tools must do the whole job: two signatures, both valid and trusted.
curl -sS --fail --data-binary @"$file" "$url/v1/verify" -o "$out/report.json"
python3 - "$out/report.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
sigs = r['signatures']
ok = r['status'] == 'valid' and len(sigs) == 2 and all(
    s['status'] == 'valid' and s['integrity'] == 'ok' and s['trust'] == 'trusted' for s in sigs)
if not ok:
    sys.exit('POST /v1/verify did not find two valid, trusted signatures: %s' % json.dumps(r)[:2000])
EOF
pdfsig -nssdir "sql:$nss" "$file" >"$out/pdfsig.txt" 2>&1 || true
[ "$(grep -c 'Signature is Valid.' "$out/pdfsig.txt")" = 2 ] && [ "$(grep -c 'Certificate is Trusted.' "$out/pdfsig.txt")" = 2 ] ||
  { cat "$out/pdfsig.txt" >&2; echo "pdfsig did not find two valid, trusted signatures" >&2; exit 1; }

# --- the measurement ---------------------------------------------------------
hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/hyperfine.json" \
  "curl -sS --fail -o /dev/null --data-binary @$file $url/v1/verify" \
  "pdfsig -nssdir sql:$nss $file" >"$out/hyperfine.log" 2>&1 || { cat "$out/hyperfine.log" >&2; exit 1; }
python3 - "$out/hyperfine.json" "$size" "$runs" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))['results']
size, runs = int(sys.argv[2]), sys.argv[3]
a, b = results[0]['median'] * 1000, results[1]['median'] * 1000
print('verify of a %d KiB PDF signed twice (RSA-2048, then ECDSA P-256), hyperfine -N --warmup 3 --runs %s:'
      % (size // 1024, runs))
print('  POST /v1/verify (curl, pactum serve on loopback)  median %8.2f ms' % a)
print('  pdfsig -nssdir                                   median %8.2f ms' % b)
print('median ratio POST /v1/verify / pdfsig: %.2f (target: <= 1.5)' % (a / b))
EOF
