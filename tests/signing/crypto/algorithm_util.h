// Signers of every key type pactum verifies, made by the test with the
// OpenSSL API under the test PKI's intermediate CA (so a chain to root.pem
// exists), and CMS SignedData built by hand with whatever algorithm
// identifiers a test wants: the signatures other software makes (Ed448 with
// SHAKE256, RSASSA-PSS with non-default parameters, plain ECDSA of eIDAS
// cards, DSA, SHA-3) that pactum's own signer does not.
#pragma once

#include <string>
#include <string_view>

#include "openssl_util.h"

namespace pactum::signing::testing {

// A key and its certificate (issued by the PKI's intermediate, valid from a
// day ago for a year, subject "CN=pactum test <kind>,O=pactum tests,C=DE").
struct TestSigner {
  internal::EvpPkeyPtr key;
  internal::X509Ptr cert;
};

// kind: "rsa2048", "rsapss" (an RSA-PSS key), "p256", "p384", "p521",
// "brainpoolP256r1", "ed25519", "ed448", "dsa2048". Made on first use and
// kept for the life of the process. Fails the test (returns an empty
// signer) when OpenSSL cannot make it.
const TestSigner& SignerOf(const std::string& kind);

// Writes the signer's PEM key to DIR/NAME.key and its certificate followed
// by the intermediate to DIR/NAME-chain.pem (the form `pactum sign
// --sign-key --sign-cert` reads).
void WriteSignerPem(const TestSigner& signer, const std::string& dir, const std::string& name);

// What BuildCms writes. OIDs are dotted strings.
struct CmsSpec {
  // SignerInfo.digestAlgorithm and its parameters: absent, NULL, or an
  // INTEGER (the output length in bits of id-shake*-len).
  std::string digest_oid = "2.16.840.1.101.3.4.2.1";
  bool digest_null_parameter = false;
  long digest_bits_parameter = 0;  // > 0: INTEGER parameter
  // The digest of the content put into the messageDigest attribute.
  const EVP_MD* message_md = nullptr;
  size_t message_xof_bytes = 0;  // SHAKE output bytes; 0 for fixed-size digests
  // The hash the signature is made with (null for EdDSA).
  const EVP_MD* sign_md = nullptr;
  // SignerInfo.signatureAlgorithm (absent parameters). Ignored with
  // pss_salt >= 0: then the identifier OpenSSL gives for the PSS
  // parameters used (hash sign_md, MGF1 with mgf1_md, salt pss_salt).
  std::string signature_oid;
  int pss_salt = -1;
  const EVP_MD* mgf1_md = nullptr;
  bool plain_ecdsa = false;       // write r || s instead of DER (BSI TR-03111)
  bool signed_attributes = true;  // false: the signature is over the content itself
  // Non-empty: carried as the SignedData's eContent (not detached), while
  // the messageDigest attribute still covers `content`.
  std::string encapsulated;
};

// A spec with these identifiers: the digest algorithm's OID, the digest of
// the content, the hash signed with (null for EdDSA), the signature OID.
CmsSpec Spec(const char* digest_oid, const EVP_MD* message_md, const EVP_MD* sign_md, const char* signature_oid);

// A detached CMS SignedData (unless spec.encapsulated) over `content` signed by `signer` as `spec`
// says, with the signer's certificate and the intermediate; "" (and a test
// failure) when OpenSSL refuses.
std::string BuildCms(const TestSigner& signer, const CmsSpec& spec, std::string_view content);

// The same CMS with its signed attributes encoded in reverse order (not DER
// order) and the signature made over exactly those bytes, as some signers
// do. REQUIRES: an RSA signer (the signature keeps its length).
std::string ReorderSignedAttributes(const TestSigner& signer, const std::string& cms_der, const EVP_MD* md);

}  // namespace pactum::signing::testing
