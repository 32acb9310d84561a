#!/usr/bin/env bash
# Generates the test PKI of the signing tests into OUTDIR with the openssl CLI.
# Nothing it writes is committed. Idempotent: when OUTDIR already holds a PKI
# made by this very script (same SHA-256, stamp file) whose short-lived
# certificates have a week left, it exits at once; otherwise the PKI is built
# in a temporary directory beside OUTDIR and moved into place, so readers
# never see half a PKI.
#
# Usage: make_pki.sh OUTDIR
#
# Output files (all PEM unless said otherwise; keys are unencrypted PKCS#8):
#   root.pem root.key                     trusted root CA (EC P-384)
#   intermediate.pem intermediate.key     intermediate CA under root (EC P-256)
#   For each signer S in rsa2048 (RSA PKCS#1 v1.5), rsapss (RSASSA-PSS key),
#   p256, p384 (ECDSA), expired (2020-2021), notyet (from 2099), revoked
#   (listed on the intermediate's CRL):
#     S.pem        the signer certificate (issued by the intermediate)
#     S.key        its private key
#     S-chain.pem  S.pem followed by intermediate.pem
#     S.p12        PKCS#12 with key, certificate and intermediate
#     S.p12.pass   the PKCS#12 password (one line, no newline)
#   ltv, ltv-revoked (the same files): short-lived signers (EC P-256), valid
#     from a day before generation for 30 days, so that a clock moved a few
#     years on (faketime) sees them expired; ltv-revoked is on the CRL
#   intermediate.crl.pem intermediate.crl.der   the intermediate's CRL listing
#                                               revoked and ltv-revoked
#   root.crl.pem root.crl.der                   the root's CRL (revokes nothing;
#                                               vouches for the intermediate)
#   intermediate.index.txt                      the intermediate's `openssl ca`
#                                               database (for `openssl ocsp -index`)
#   untrusted-root.pem untrusted-root.key       a root nobody trusts
#   untrusted.pem untrusted.key untrusted-chain.pem untrusted.p12
#   untrusted.p12.pass                          a signer under that root (its
#                                               chain file ends with that root)
#   tsa.pem tsa.key tsa-chain.pem               time-stamping unit under the
#                                               intermediate (EKU timeStamping,
#                                               critical)
#   tsa.cnf tsaserial                           `openssl ts -reply -config tsa.cnf`
#   stamp                                       SHA-256 of this script
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi

script="${BASH_SOURCE[0]}"
outdir="$1"
mkdir -p "$(dirname "$outdir")"
outdir="$(cd "$(dirname "$outdir")" && pwd)/$(basename "$outdir")"
stamp="$(sha256sum "$script" | cut -d' ' -f1)"

if [[ -f "$outdir/stamp" && "$(cat "$outdir/stamp")" == "$stamp" ]] &&
  openssl x509 -checkend 604800 -noout -in "$outdir/ltv.pem" >/dev/null 2>&1; then
  exit 0
fi

work="$(mktemp -d "${outdir}.tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"

password="pactum-test"
subject_base="/C=DE/O=pactum tests"

# A minimal `openssl ca` setup per CA, so that certificates can have dates in
# the past or the future and revocations end up in a CRL.
make_ca_dir() {  # name
  mkdir -p "ca-$1/new"
  : > "ca-$1/index.txt"
  echo 1000 > "ca-$1/serial"
  cat > "ca-$1/ca.cnf" <<EOF
[ca]
default_ca = this_ca
[this_ca]
dir = $work/ca-$1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $work/$1.pem
private_key = $work/$1.key
default_md = sha256
default_days = 3650
default_crl_days = 3650
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
countryName = optional
organizationName = optional
commonName = supplied
[ext_ca]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ext_signer]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ext_tsa]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

gen_key() {  # type file
  case "$1" in
    rsa2048) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
    rsapss) openssl genpkey -quiet -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
    p256) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" ;;
    p384) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$2" ;;
    *) echo "unknown key type $1" >&2; exit 1 ;;
  esac
}

self_signed_root() {  # name keytype cn
  gen_key "$2" "$1.key"
  openssl req -new -x509 -key "$1.key" -out "$1.pem" -days 7300 -sha384 \
    -subj "$subject_base/CN=$3" \
    -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
  make_ca_dir "$1"
}

issue() {  # ca name keytype cn ext [startdate enddate]
  local ca="$1" name="$2" keytype="$3" cn="$4" ext="$5"
  gen_key "$keytype" "$name.key"
  openssl req -new -key "$name.key" -subj "$subject_base/CN=$cn" -out "$name.csr" 2>/dev/null
  local dates=()
  if [[ $# -ge 7 ]]; then
    dates=(-startdate "$6" -enddate "$7")
  fi
  openssl ca -batch -notext -config "ca-$ca/ca.cnf" -extensions "$ext" \
    "${dates[@]}" -in "$name.csr" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr"
}

bundle() {  # name chain-cert
  local name="$1"
  shift
  cat "$name.pem" "$@" > "$name-chain.pem"
  printf '%s' "$password" > "$name.p12.pass"
  openssl pkcs12 -export -inkey "$name.key" -in "$name.pem" -certfile "$1" \
    -name "$name" -passout "file:$name.p12.pass" -out "$name.p12"
}

self_signed_root root p384 "pactum test root CA"
issue root intermediate p256 "pactum test intermediate CA" ext_ca
make_ca_dir intermediate

issue intermediate rsa2048 rsa2048 "pactum signer rsa2048" ext_signer
issue intermediate rsapss rsapss "pactum signer rsa-pss" ext_signer
issue intermediate p256 p256 "pactum signer p256" ext_signer
issue intermediate p384 p384 "pactum signer p384" ext_signer
issue intermediate expired p256 "pactum signer expired" ext_signer 20200101000000Z 20210101000000Z
issue intermediate notyet p256 "pactum signer not yet valid" ext_signer 20990101000000Z 20991231000000Z
issue intermediate revoked p256 "pactum signer revoked" ext_signer
issue intermediate tsa p256 "pactum test TSA" ext_tsa
short_start="$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"
short_end="$(date -u -d '+30 days' +%Y%m%d%H%M%SZ)"
issue intermediate ltv p256 "pactum signer short-lived" ext_signer "$short_start" "$short_end"
issue intermediate ltv-revoked p256 "pactum signer short-lived revoked" ext_signer "$short_start" "$short_end"
for s in rsa2048 rsapss p256 p384 expired notyet revoked ltv ltv-revoked; do
  bundle "$s" intermediate.pem
done
cat tsa.pem intermediate.pem > tsa-chain.pem

openssl ca -batch -config ca-intermediate/ca.cnf -revoke revoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca-intermediate/ca.cnf -revoke ltv-revoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca-intermediate/ca.cnf -gencrl -out intermediate.crl.pem 2>/dev/null
openssl crl -in intermediate.crl.pem -outform DER -out intermediate.crl.der
openssl ca -batch -config ca-root/ca.cnf -gencrl -out root.crl.pem 2>/dev/null
openssl crl -in root.crl.pem -outform DER -out root.crl.der

self_signed_root untrusted-root p256 "pactum untrusted root CA"
issue untrusted-root untrusted p256 "pactum signer untrusted" ext_signer
bundle untrusted untrusted-root.pem

echo 01 > tsaserial
cat > tsa.cnf <<EOF
[tsa]
default_tsa = tsa_config
[tsa_config]
dir = $outdir
serial = \$dir/tsaserial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
certs = \$dir/intermediate.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha1, sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
EOF

cp ca-intermediate/index.txt intermediate.index.txt
rm -rf ca-root ca-intermediate ca-untrusted-root
echo "$stamp" > stamp

rm -rf "$outdir"
mv "$work" "$outdir"
trap - EXIT
chmod 755 "$outdir"
