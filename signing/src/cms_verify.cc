// CheckSignature: the integrity of a CMS SignedData or TimeStampToken over
// the signed byte ranges, its timestamps, then the trust in its signer.
//
// Integrity is decided by hand rather than by CMS_verify, so that the
// reasons say what failed and every common algorithm is covered: the digest
// of the ranges is compared with the messageDigest attribute
// (digest_mismatch), then the signature over the signed attributes (or,
// without them, over the content) is checked with the signer certificate's
// key (signature_mismatch). OpenSSL does the mathematics (EVP_DigestVerify):
// RSA PKCS#1 v1.5, RSASSA-PSS with its parameters, ECDSA (DER and plain
// r || s, any curve OpenSSL implements), Ed25519, Ed448 and DSA, over SHA-1,
// SHA-2, SHA-3 and SHAKE digests. What it cannot check is
// unsupported_algorithm, never a mismatch.
//
// Only the first SignerInfo of a SignedData is examined (PDF signatures carry
// one). Everything allocated is owned by RAII wrappers; OpenSSL's error queue
// is cleared before returning.

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <climits>
#include <exception>

#include "crypto.h"
#include "openssl_util.h"

namespace pactum::signing {

using internal::ChainOptions;
using internal::ChainResult;
using internal::CmsPtr;
using internal::ValidationMaterial;
using internal::X509Ptr;

namespace {

// Contents bigger than this are not looked at (a PDF signature is a few KiB;
// the API's upload cap is 64 MiB).
constexpr size_t kMaxContents = 16 * 1024 * 1024;

// Tolerance before a signingTime after the timestamp's time is reported.
constexpr std::chrono::seconds kClockSkew{60};

// The OID of Adobe's revocationInfoArchival signed attribute.
constexpr const char* kRevocationInfoArchivalOid = "1.2.840.113583.1.1.8";

void Add(std::vector<std::string>* list, const std::string& code) {
  if (std::find(list->begin(), list->end(), code) == list->end()) list->push_back(code);
}

// The DER object at the front of `contents`, without the zero padding of
// the /Contents placeholder. False with the reason in `*reason` when there
// is nothing or no DER header.
bool TrimContents(std::string_view contents, std::string_view* der, std::string* reason) {
  if (contents.find_first_not_of('\0') == std::string_view::npos) {
    *reason = "cms_empty";
    return false;
  }
  if (contents.size() > kMaxContents) {
    *reason = "cms_malformed";
    return false;
  }
  std::string_view rest = contents, content, whole;
  unsigned char tag = 0;
  if (internal::ReadTlv(&rest, &tag, &content, &whole)) {
    *der = whole;
    return true;
  }
  // Indefinite-length BER (0x30 0x80 ...): let the parser find the end.
  if (contents.size() >= 2 && static_cast<unsigned char>(contents[1]) == 0x80) {
    *der = contents;
    return true;
  }
  *reason = "cms_malformed";
  return false;
}

CmsPtr ParseCms(std::string_view der) {
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) return nullptr;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) return nullptr;
  return cms;
}

// The eContent of a SignedData, nullopt when detached.
std::optional<std::string_view> EContent(CMS_ContentInfo* cms) {
  ASN1_OCTET_STRING** content = CMS_get0_content(cms);
  if (content == nullptr || *content == nullptr) return std::nullopt;
  const ASN1_OCTET_STRING* s = *content;
  return std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                          static_cast<size_t>(ASN1_STRING_length(s)));
}

std::string_view StringView(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                          static_cast<size_t>(ASN1_STRING_length(s)));
}

// The single value of the signed attribute `nid`, null when absent, repeated
// or multi-valued (*malformed set for the last two).
const ASN1_TYPE* SignedAttrValue(CMS_SignerInfo* si, int nid, bool* malformed) {
  const int idx = CMS_signed_get_attr_by_NID(si, nid, -1);
  if (idx < 0) return nullptr;
  X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, idx);
  if (CMS_signed_get_attr_by_NID(si, nid, idx) >= 0 || X509_ATTRIBUTE_count(attr) != 1) {
    *malformed = true;
    return nullptr;
  }
  return X509_ATTRIBUTE_get0_type(attr, 0);
}

std::optional<SysSeconds> SigningTime(CMS_SignerInfo* si) {
  bool malformed = false;
  const ASN1_TYPE* t = SignedAttrValue(si, NID_pkcs9_signingTime, &malformed);
  if (t == nullptr) return std::nullopt;
  if (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME) return std::nullopt;
  return internal::Asn1TimeToSys(t->value.asn1_string);
}

// ---- Signature algorithms ---------------------------------------------------------

// The key a signature algorithm needs.
enum class KeyKind { kNone, kRsa, kRsaPss, kEc, kEd25519, kEd448, kDsa };

struct SignatureOid {
  const char* oid;
  KeyKind kind;
  const EVP_MD* (*md)();  // the hash the OID names; null: the digestAlgorithm's
  bool plain = false;     // ECDSA signature as r || s (BSI TR-03111), not DER
};

// Every signature algorithm identifier pactum verifies. The bare key OIDs
// (rsaEncryption, id-ecPublicKey, id-dsa) take the hash of the SignerInfo's
// digestAlgorithm: eIDAS cards write id-ecPublicKey this way.
constexpr SignatureOid kSignatureOids[] = {
    // RSASSA-PKCS1-v1_5
    {"1.2.840.113549.1.1.1", KeyKind::kRsa, nullptr},
    {"1.2.840.113549.1.1.5", KeyKind::kRsa, EVP_sha1},
    {"1.3.14.3.2.29", KeyKind::kRsa, EVP_sha1},
    {"1.2.840.113549.1.1.14", KeyKind::kRsa, EVP_sha224},
    {"1.2.840.113549.1.1.11", KeyKind::kRsa, EVP_sha256},
    {"1.2.840.113549.1.1.12", KeyKind::kRsa, EVP_sha384},
    {"1.2.840.113549.1.1.13", KeyKind::kRsa, EVP_sha512},
    {"1.2.840.113549.1.1.15", KeyKind::kRsa, EVP_sha512_224},
    {"1.2.840.113549.1.1.16", KeyKind::kRsa, EVP_sha512_256},
    {"2.16.840.1.101.3.4.3.13", KeyKind::kRsa, EVP_sha3_224},
    {"2.16.840.1.101.3.4.3.14", KeyKind::kRsa, EVP_sha3_256},
    {"2.16.840.1.101.3.4.3.15", KeyKind::kRsa, EVP_sha3_384},
    {"2.16.840.1.101.3.4.3.16", KeyKind::kRsa, EVP_sha3_512},
    // RSASSA-PSS: hash, MGF and salt from the parameters
    {"1.2.840.113549.1.1.10", KeyKind::kRsaPss, nullptr},
    // ECDSA
    {"1.2.840.10045.2.1", KeyKind::kEc, nullptr},
    {"1.2.840.10045.4.1", KeyKind::kEc, EVP_sha1},
    {"1.2.840.10045.4.3.1", KeyKind::kEc, EVP_sha224},
    {"1.2.840.10045.4.3.2", KeyKind::kEc, EVP_sha256},
    {"1.2.840.10045.4.3.3", KeyKind::kEc, EVP_sha384},
    {"1.2.840.10045.4.3.4", KeyKind::kEc, EVP_sha512},
    {"2.16.840.1.101.3.4.3.9", KeyKind::kEc, EVP_sha3_224},
    {"2.16.840.1.101.3.4.3.10", KeyKind::kEc, EVP_sha3_256},
    {"2.16.840.1.101.3.4.3.11", KeyKind::kEc, EVP_sha3_384},
    {"2.16.840.1.101.3.4.3.12", KeyKind::kEc, EVP_sha3_512},
    // ECDSA with plain r || s signatures (BSI TR-03111 ecdsa-plain-*)
    {"0.4.0.127.0.7.1.1.4.1.1", KeyKind::kEc, EVP_sha1, true},
    {"0.4.0.127.0.7.1.1.4.1.2", KeyKind::kEc, EVP_sha224, true},
    {"0.4.0.127.0.7.1.1.4.1.3", KeyKind::kEc, EVP_sha256, true},
    {"0.4.0.127.0.7.1.1.4.1.4", KeyKind::kEc, EVP_sha384, true},
    {"0.4.0.127.0.7.1.1.4.1.5", KeyKind::kEc, EVP_sha512, true},
    {"0.4.0.127.0.7.1.1.4.1.8", KeyKind::kEc, EVP_sha3_224, true},
    {"0.4.0.127.0.7.1.1.4.1.9", KeyKind::kEc, EVP_sha3_256, true},
    {"0.4.0.127.0.7.1.1.4.1.10", KeyKind::kEc, EVP_sha3_384, true},
    {"0.4.0.127.0.7.1.1.4.1.11", KeyKind::kEc, EVP_sha3_512, true},
    // EdDSA (RFC 8419): pure, no pre-hash
    {"1.3.101.112", KeyKind::kEd25519, nullptr},
    {"1.3.101.113", KeyKind::kEd448, nullptr},
    // DSA
    {"1.2.840.10040.4.1", KeyKind::kDsa, nullptr},
    {"1.2.840.10040.4.3", KeyKind::kDsa, EVP_sha1},
    {"1.3.14.3.2.27", KeyKind::kDsa, EVP_sha1},
    {"2.16.840.1.101.3.4.3.1", KeyKind::kDsa, EVP_sha224},
    {"2.16.840.1.101.3.4.3.2", KeyKind::kDsa, EVP_sha256},
    {"2.16.840.1.101.3.4.3.3", KeyKind::kDsa, EVP_sha384},
    {"2.16.840.1.101.3.4.3.4", KeyKind::kDsa, EVP_sha512},
    {"2.16.840.1.101.3.4.3.5", KeyKind::kDsa, EVP_sha3_224},
    {"2.16.840.1.101.3.4.3.6", KeyKind::kDsa, EVP_sha3_256},
    {"2.16.840.1.101.3.4.3.7", KeyKind::kDsa, EVP_sha3_384},
    {"2.16.840.1.101.3.4.3.8", KeyKind::kDsa, EVP_sha3_512},
};

// A signature algorithm as the SignerInfo names it, resolved.
struct SignatureAlgorithm {
  KeyKind kind = KeyKind::kNone;  // kNone: not one pactum verifies
  const EVP_MD* md = nullptr;     // hash of the signature; null: the digestAlgorithm's (none for EdDSA)
  bool plain = false;             // ECDSA r || s
  // RSASSA-PSS parameters (RFC 4055; the defaults are SHA-1, MGF1-SHA-1, 20).
  const EVP_MD* mgf1_md = nullptr;
  int salt_length = 20;
};

// The API name of a key kind ("" for kNone).
std::string FamilyName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kRsa: return "rsa";
    case KeyKind::kRsaPss: return "rsa-pss";
    case KeyKind::kEc: return "ecdsa";
    case KeyKind::kEd25519: return "ed25519";
    case KeyKind::kEd448: return "ed448";
    case KeyKind::kDsa: return "dsa";
    case KeyKind::kNone: break;
  }
  return "";
}

// The hash of an AlgorithmIdentifier inside RSASSA-PSS parameters: fixed-size
// digests only (SHAKE in PSS is not something OpenSSL 3.0 verifies).
const EVP_MD* FixedDigestOf(const X509_ALGOR* alg) {
  const internal::DigestAlgorithm d = internal::DigestAlgorithmOf(alg);
  return d.xof_length == 0 ? d.md : nullptr;
}

// Reads RSASSA-PSS-params into `out`; false when they are not ones pactum
// verifies (undecodable, a hash or mask generation it does not know, a
// trailer other than 1).
bool ReadPssParameters(int param_type, const void* param, SignatureAlgorithm* out) {
  out->md = EVP_sha1();
  out->mgf1_md = EVP_sha1();
  out->salt_length = 20;
  if (param_type == V_ASN1_UNDEF || param_type == V_ASN1_NULL) return true;  // all defaults
  if (param_type != V_ASN1_SEQUENCE || param == nullptr) return false;
  ASN1_TYPE wrapper;
  wrapper.type = V_ASN1_SEQUENCE;
  wrapper.value.sequence = static_cast<ASN1_STRING*>(const_cast<void*>(param));
  using PssParamsPtr = internal::OpenSslPtr<RSA_PSS_PARAMS, RSA_PSS_PARAMS_free>;
  PssParamsPtr pss(static_cast<RSA_PSS_PARAMS*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), &wrapper)));
  if (!pss) return false;
  if (pss->hashAlgorithm != nullptr && (out->md = FixedDigestOf(pss->hashAlgorithm)) == nullptr) return false;
  if (pss->maskGenAlgorithm != nullptr) {
    const ASN1_OBJECT* mgf = nullptr;
    int mgf_param_type = V_ASN1_UNDEF;
    const void* mgf_param = nullptr;
    X509_ALGOR_get0(&mgf, &mgf_param_type, &mgf_param, pss->maskGenAlgorithm);
    if (OBJ_obj2nid(mgf) != NID_mgf1 || mgf_param_type != V_ASN1_SEQUENCE || mgf_param == nullptr) return false;
    ASN1_TYPE mgf_wrapper;
    mgf_wrapper.type = V_ASN1_SEQUENCE;
    mgf_wrapper.value.sequence = static_cast<ASN1_STRING*>(const_cast<void*>(mgf_param));
    internal::X509AlgorPtr mgf_hash(
        static_cast<X509_ALGOR*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), &mgf_wrapper)));
    if (!mgf_hash || (out->mgf1_md = FixedDigestOf(mgf_hash.get())) == nullptr) return false;
  } else {
    out->mgf1_md = EVP_sha1();
  }
  if (pss->saltLength != nullptr) {
    const long salt = ASN1_INTEGER_get(pss->saltLength);
    if (salt < 0 || salt > 1024) return false;
    out->salt_length = static_cast<int>(salt);
  }
  if (pss->trailerField != nullptr && ASN1_INTEGER_get(pss->trailerField) != 1) return false;
  return true;
}

SignatureAlgorithm SignatureAlgorithmOf(const X509_ALGOR* alg) {
  SignatureAlgorithm out;
  const ASN1_OBJECT* obj = nullptr;
  int param_type = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(&obj, &param_type, &param, alg);
  const std::string oid = internal::OidText(obj);
  for (const SignatureOid& s : kSignatureOids) {
    if (oid != s.oid) continue;
    out.kind = s.kind;
    out.md = s.md != nullptr ? s.md() : nullptr;
    out.plain = s.plain;
    if (s.kind == KeyKind::kRsaPss && !ReadPssParameters(param_type, param, &out)) out.kind = KeyKind::kNone;
    break;
  }
  ERR_clear_error();
  return out;
}

// Whether `key` is of a type pactum verifies with, and whether it can make
// signatures of `kind` (an RSA-PSS key cannot make PKCS#1 v1.5 ones).
bool KnownKeyType(EVP_PKEY* key) {
  return key != nullptr && (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS") || EVP_PKEY_is_a(key, "EC") ||
                            EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448") ||
                            EVP_PKEY_is_a(key, "DSA"));
}

bool KeyFits(EVP_PKEY* key, KeyKind kind) {
  switch (kind) {
    case KeyKind::kRsa: return EVP_PKEY_is_a(key, "RSA");
    case KeyKind::kRsaPss: return EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS");
    case KeyKind::kEc: return EVP_PKEY_is_a(key, "EC");
    case KeyKind::kEd25519: return EVP_PKEY_is_a(key, "ED25519");
    case KeyKind::kEd448: return EVP_PKEY_is_a(key, "ED448");
    case KeyKind::kDsa: return EVP_PKEY_is_a(key, "DSA");
    case KeyKind::kNone: break;
  }
  return false;
}

// An r || s ECDSA signature as the DER ECDSA-Sig-Value OpenSSL verifies;
// "" when it has no even length.
std::string PlainEcdsaToDer(std::string_view plain) {
  if (plain.empty() || plain.size() % 2 != 0 || plain.size() > 2 * 66) return "";
  const size_t half = plain.size() / 2;
  const auto* p = reinterpret_cast<const unsigned char*>(plain.data());
  internal::OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(p, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(p + half, static_cast<int>(half), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return "";
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0 || der == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

enum class Verdict { kOk, kMismatch, kUnsupported };

// Verifies `signature` over the concatenation of `data` with `key` the way
// `alg` says; `md` is the hash for algorithms that hash first (ignored for
// EdDSA). kUnsupported when OpenSSL cannot set up the verification (a curve
// or parameter it does not implement), never for a signature that is wrong.
Verdict VerifyWith(EVP_PKEY* key, const SignatureAlgorithm& alg, const EVP_MD* md,
                   const std::vector<std::string_view>& data, std::string_view signature) {
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return Verdict::kUnsupported;
  const bool eddsa = alg.kind == KeyKind::kEd25519 || alg.kind == KeyKind::kEd448;
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, eddsa ? nullptr : md, nullptr, key) != 1) return Verdict::kUnsupported;
  if (alg.kind == KeyKind::kRsa && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) {
    return Verdict::kUnsupported;
  }
  if (alg.kind == KeyKind::kRsaPss &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, alg.mgf1_md) <= 0 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, alg.salt_length) <= 0)) {
    return Verdict::kUnsupported;
  }
  std::string converted;
  if (alg.plain) {
    converted = PlainEcdsaToDer(signature);
    if (converted.empty()) return Verdict::kMismatch;
    signature = converted;
  }
  const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
  if (eddsa) {
    // EdDSA signs the message itself, in one call.
    std::string joined;
    std::string_view message = data.size() == 1 ? data.front() : std::string_view();
    if (data.size() > 1) {
      for (std::string_view part : data) joined.append(part);
      message = joined;
    }
    return EVP_DigestVerify(ctx.get(), sig, signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                            message.size()) == 1
               ? Verdict::kOk
               : Verdict::kMismatch;
  }
  for (std::string_view part : data) {
    if (!part.empty() && EVP_DigestVerifyUpdate(ctx.get(), part.data(), part.size()) != 1) return Verdict::kMismatch;
  }
  return EVP_DigestVerifyFinal(ctx.get(), sig, signature.size()) == 1 ? Verdict::kOk : Verdict::kMismatch;
}

struct SignerCheck {
  bool ok = false;
  std::vector<std::string> reasons;  // integrity reasons
  std::vector<std::string> warnings;
  std::string digest_algorithm;
  std::string signature_algorithm;
  X509* signer = nullptr;  // owned by the CMS
};

// The mathematics of one SignerInfo over `content` (the detached ranges, or
// the eContent); `cms_der` is the DER the CMS was parsed from. With signed
// attributes: the messageDigest attribute against the digest of the
// content, then the signature over the attributes (as encoded in `cms_der`,
// else re-encoded in DER); without: the signature over the content.
// REQUIRES: CMS_set1_signers_certs was called on the CMS of `si`.
SignerCheck CheckSigner(CMS_SignerInfo* si, std::string_view cms_der, const std::vector<std::string_view>& content) {
  SignerCheck check;
  EVP_PKEY* key = nullptr;
  X509_ALGOR* digest_alg = nullptr;
  X509_ALGOR* signature_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, &key, &check.signer, &digest_alg, &signature_alg);

  const internal::DigestAlgorithm digest = internal::DigestAlgorithmOf(digest_alg);
  const SignatureAlgorithm alg = SignatureAlgorithmOf(signature_alg);
  check.digest_algorithm = digest.name;
  check.signature_algorithm = FamilyName(alg.kind);
  const bool eddsa = alg.kind == KeyKind::kEd25519 || alg.kind == KeyKind::kEd448;
  // The hash of the signature: the one the algorithm names, else the
  // digestAlgorithm (which must then be a fixed-size one).
  const EVP_MD* signature_md = alg.md != nullptr ? alg.md : digest.xof_length == 0 ? digest.md : nullptr;
  const bool has_attributes = CMS_signed_get_attr_count(si) > 0;
  // The digest algorithm matters for the messageDigest attribute; without
  // signed attributes only the signature's hash does.
  if (alg.kind == KeyKind::kNone || (has_attributes && digest.md == nullptr) || (!eddsa && signature_md == nullptr)) {
    check.reasons.push_back("unsupported_algorithm");
    return check;
  }
  if (digest.name == "sha1" || signature_md == EVP_sha1()) check.warnings.push_back("weak_digest");
  if (check.signer == nullptr) {
    check.reasons.push_back("certificate_missing");
    return check;
  }
  EVP_PKEY* pub = X509_get0_pubkey(check.signer);
  if (!KnownKeyType(pub)) {
    ERR_clear_error();
    check.reasons.push_back("unsupported_algorithm");
    return check;
  }
  if (!KeyFits(pub, alg.kind)) {
    // An RSA signature with an EC certificate and the like cannot verify.
    check.reasons.push_back("signature_mismatch");
    return check;
  }
  const std::string_view signature = StringView(CMS_SignerInfo_get0_signature(si));

  Verdict verdict = Verdict::kMismatch;
  if (has_attributes) {
    bool malformed = false;
    const ASN1_TYPE* md_value = SignedAttrValue(si, NID_pkcs9_messageDigest, &malformed);
    if (md_value == nullptr || md_value->type != V_ASN1_OCTET_STRING) {
      check.reasons.push_back("cms_malformed");
      return check;
    }
    const std::string content_digest = internal::DigestParts(digest, content);
    if (content_digest.empty()) {
      check.reasons.push_back("unsupported_algorithm");
      return check;
    }
    if (StringView(md_value->value.octet_string) != content_digest) check.reasons.push_back("digest_mismatch");
    // The attributes as the signer encoded them, then as DER re-encodes them
    // (signers that sent them unsorted but signed the DER).
    const std::optional<std::string> raw = internal::RawSignedAttributes(cms_der);
    if (raw) verdict = VerifyWith(pub, alg, signature_md, {*raw}, signature);
    if (verdict != Verdict::kOk) {
      const std::string der = internal::SignedAttributesDer(si);
      if (!der.empty() && (!raw || der != *raw)) {
        const Verdict second = VerifyWith(pub, alg, signature_md, {der}, signature);
        if (!raw || second == Verdict::kOk) verdict = second;
      }
    }
  } else {
    verdict = VerifyWith(pub, alg, signature_md, content, signature);
  }
  ERR_clear_error();
  if (verdict == Verdict::kUnsupported) {
    // OpenSSL cannot verify with this key (a curve or parameters it does
    // not implement): nothing is known about the signature (a
    // digest_mismatch found above still stands).
    check.reasons.push_back("unsupported_algorithm");
  } else if (verdict == Verdict::kMismatch) {
    check.reasons.push_back("signature_mismatch");
  }
  check.ok = check.reasons.empty();
  return check;
}

// Adds the CMS's certificates and CRLs to `material`.
void AddCmsMaterial(CMS_ContentInfo* cms, ValidationMaterial* material) {
  if (STACK_OF(X509)* certs = CMS_get1_certs(cms)) {
    while (X509* x = sk_X509_shift(certs)) material->certs.emplace_back(x);
    sk_X509_free(certs);
  }
  if (STACK_OF(X509_CRL)* crls = CMS_get1_crls(cms)) {
    while (X509_CRL* c = sk_X509_CRL_shift(crls)) material->crls.emplace_back(c);
    sk_X509_CRL_free(crls);
  }
  ERR_clear_error();
}

void AddDssMaterial(const RevocationData& dss, ValidationMaterial* material) {
  for (const std::string& der : dss.certs) {
    if (X509Ptr x = internal::ParseCert(der)) material->certs.push_back(std::move(x));
  }
  for (const std::string& der : dss.crls) {
    if (internal::X509CrlPtr c = internal::ParseCrl(der)) material->crls.push_back(std::move(c));
  }
  for (const std::string& der : dss.ocsps) {
    if (internal::OcspResponsePtr r = internal::ParseOcspResponse(der))
      material->ocsps.push_back(std::move(r));
  }
}

// RevocationInfoArchival ::= SEQUENCE {
//   crl [0] EXPLICIT SEQUENCE OF CRLs OPTIONAL,
//   ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL,
//   otherRevInfo [2] EXPLICIT SEQUENCE OF OtherRevInfo OPTIONAL }
// Unparseable parts are skipped.
void AddArchivalMaterial(CMS_SignerInfo* si, ValidationMaterial* material) {
  internal::Asn1ObjectPtr oid(OBJ_txt2obj(kRevocationInfoArchivalOid, 1));
  if (!oid) return;
  const int idx = CMS_signed_get_attr_by_OBJ(si, oid.get(), -1);
  if (idx < 0) return;
  const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
  if (value == nullptr || value->type != V_ASN1_SEQUENCE) return;
  std::string_view outer = StringView(value->value.sequence), fields;
  unsigned char tag = 0;
  if (!internal::ReadTlv(&outer, &tag, &fields) || tag != 0x30) return;
  while (!fields.empty()) {
    std::string_view explicit_content, list;
    if (!internal::ReadTlv(&fields, &tag, &explicit_content)) return;
    const unsigned char field_tag = tag;
    if (!internal::ReadTlv(&explicit_content, &tag, &list) || tag != 0x30) continue;
    while (!list.empty()) {
      std::string_view item_content, item;
      if (!internal::ReadTlv(&list, &tag, &item_content, &item)) break;
      if (field_tag == 0xa0) {
        if (internal::X509CrlPtr c = internal::ParseCrl(item)) material->crls.push_back(std::move(c));
      } else if (field_tag == 0xa1) {
        if (internal::OcspResponsePtr r = internal::ParseOcspResponse(item)) {
          material->ocsps.push_back(std::move(r));
        }
      }
    }
  }
}

// ---- Timestamp tokens -------------------------------------------------------------

struct TokenCheck {
  bool parsed = false;  // a SignedData holding a TSTInfo
  TimestampResult ts;
  std::vector<std::string> integrity_reasons;  // vocabulary of CryptoResult
  std::vector<std::string> trust_reasons;      // idem
  std::vector<std::string> warnings;
  std::string digest_algorithm;  // of the imprint
  std::string signature_algorithm;
  std::optional<CertificateInfo> tsa_certificate;
  Revocation revocation = Revocation::kNotChecked;
  bool expired_at_ref = false;    // the TSA's chain had expired by RelyTimes::ref
  bool expired_unproven = false;  // ChainResult::expired_unproven of the TSA's chain
  bool revocation_in_document = false;
};

// When a timestamp is relied on: `ref`, the time it must still hold at (the
// current time, or the earlier time a later document timestamp proves the
// token existed), and the current time.
struct RelyTimes {
  SysSeconds ref{};
  SysSeconds now{};
};

// The TS API's own verification of the token (signature, ESS certificate
// binding, TSA chain with the timeStamping purpose at `at`, imprint).
bool TsApiVerifies(std::string_view der, const std::string& imprint, const TrustContext& trust,
                   const ValidationMaterial& material, SysSeconds at) {
  if (der.size() > static_cast<size_t>(LONG_MAX)) return false;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  internal::Pkcs7Ptr token(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!token) return false;
  internal::TsVerifyCtxPtr ctx(TS_VERIFY_CTX_new());
  internal::X509StorePtr store = internal::AnchorStore(trust, at);
  internal::X509StackPtr certs(sk_X509_new_null());
  if (!ctx || !store || !certs) return false;
  auto push = [&](X509* x) {
    if (X509_up_ref(x) != 1) return;
    if (sk_X509_push(certs.get(), x) <= 0) X509_free(x);
  };
  for (const X509Ptr& x : trust.impl().intermediates) push(x.get());
  for (const X509Ptr& x : material.certs) push(x.get());
  auto* buf = static_cast<unsigned char*>(OPENSSL_malloc(imprint.empty() ? 1 : imprint.size()));
  if (buf == nullptr) return false;
  std::copy(imprint.begin(), imprint.end(), buf);
  // The context takes ownership of the store, the certificates and the imprint.
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());
  TS_VERIFY_CTX_set_certs(ctx.get(), certs.release());
  TS_VERIFY_CTX_set_imprint(ctx.get(), buf, static_cast<long>(imprint.size()));
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_SIGNATURE | TS_VFY_VERSION | TS_VFY_IMPRINT);
  const bool ok = TS_RESP_verify_token(ctx.get(), token.get()) == 1;
  ERR_clear_error();
  return ok;
}

// Checks a TimeStampToken over `imprinted`. With `trust` null, integrity only.
TokenCheck CheckToken(std::string_view der, const std::vector<std::string_view>& imprinted,
                      const TrustContext* trust, const ValidationMaterial* extra, const RelyTimes& times) {
  TokenCheck check;
  CmsPtr cms = ParseCms(der);
  std::optional<std::string_view> econtent;
  if (cms && OBJ_obj2nid(CMS_get0_eContentType(cms.get())) == NID_id_smime_ct_TSTInfo) {
    econtent = EContent(cms.get());
  }
  STACK_OF(CMS_SignerInfo)* signers = cms ? CMS_get0_SignerInfos(cms.get()) : nullptr;
  if (!econtent || sk_CMS_SignerInfo_num(signers) < 1) {
    ERR_clear_error();
    check.integrity_reasons.push_back("cms_malformed");
    check.ts.reasons.push_back("timestamp_invalid");
    return check;
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(econtent->data());
  internal::TsTstInfoPtr info(d2i_TS_TST_INFO(nullptr, &p, static_cast<long>(econtent->size())));
  const std::optional<SysSeconds> gen_time =
      info ? internal::Asn1TimeToSys(TS_TST_INFO_get_time(info.get())) : std::nullopt;
  if (!info || !gen_time) {
    ERR_clear_error();
    check.integrity_reasons.push_back("cms_malformed");
    check.ts.reasons.push_back("timestamp_invalid");
    return check;
  }
  check.parsed = true;
  check.ts.time = *gen_time;

  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, 0);
  CMS_set1_signers_certs(cms.get(), nullptr, 0);
  ERR_clear_error();
  const SignerCheck signer = CheckSigner(si, der, {*econtent});
  check.signature_algorithm = signer.signature_algorithm;
  check.integrity_reasons = signer.reasons;
  check.warnings = signer.warnings;
  if (signer.signer != nullptr) {
    check.tsa_certificate = internal::InfoOf(signer.signer);
    check.ts.tsa = check.tsa_certificate->subject;
  }
  if (!signer.ok) Add(&check.ts.reasons, "timestamp_invalid");

  // The imprint over the data.
  TS_MSG_IMPRINT* msg_imprint = TS_TST_INFO_get_msg_imprint(info.get());
  const internal::DigestAlgorithm imprint_alg = internal::DigestAlgorithmOf(TS_MSG_IMPRINT_get_algo(msg_imprint));
  check.digest_algorithm = imprint_alg.name;
  std::string expected;
  if (imprint_alg.md == nullptr) {
    Add(&check.integrity_reasons, "unsupported_algorithm");
    Add(&check.ts.reasons, "timestamp_invalid");
  } else {
    if (check.digest_algorithm == "sha1") Add(&check.warnings, "weak_digest");
    expected = internal::DigestParts(imprint_alg, imprinted);
    if (expected.empty() || StringView(TS_MSG_IMPRINT_get_msg(msg_imprint)) != expected) {
      Add(&check.integrity_reasons, "digest_mismatch");
      Add(&check.ts.reasons, "timestamp_imprint_mismatch");
    }
  }
  check.ts.integrity_ok = check.integrity_reasons.empty();
  if (!check.ts.integrity_ok || trust == nullptr) return check;

  // Trust in the TSA at the time of the token.
  ValidationMaterial material;
  AddCmsMaterial(cms.get(), &material);
  if (extra != nullptr) {
    for (const X509Ptr& x : extra->certs) {
      if (X509_up_ref(x.get()) == 1) material.certs.emplace_back(x.get());
    }
    for (const internal::X509CrlPtr& c : extra->crls) {
      if (X509_CRL_up_ref(c.get()) == 1) material.crls.emplace_back(c.get());
    }
    for (const internal::OcspResponsePtr& r : extra->ocsps) {
      auto* copy = static_cast<OCSP_RESPONSE*>(ASN1_item_dup(ASN1_ITEM_rptr(OCSP_RESPONSE), r.get()));
      if (copy != nullptr) material.ocsps.emplace_back(copy);
    }
  }
  // The TSA's chain at the token's time; revocations up to `ref` count.
  ChainOptions options;
  options.at = *gen_time;
  options.revocation_cutoff = times.ref;
  if (times.ref < times.now) options.expired_by = times.now;
  const ChainResult chain = internal::CheckChain(*trust, signer.signer, material, options);
  check.trust_reasons = chain.reasons;
  check.revocation = chain.revocation;
  check.expired_at_ref = chain.expires && times.ref > *chain.expires;
  check.expired_unproven = chain.expired_unproven;
  check.revocation_in_document = chain.revocation_in_document;
  if (X509_check_purpose(signer.signer, X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
    Add(&check.trust_reasons, "untrusted_chain");
  }
  if (check.trust_reasons.empty() && !TsApiVerifies(der, expected, *trust, material, *gen_time)) {
    Add(&check.trust_reasons, "timestamp_invalid");
  }
  ERR_clear_error();
  check.ts.trusted = check.trust_reasons.empty();
  check.ts.usable = check.ts.trusted && !check.expired_at_ref && !check.expired_unproven;
  if (!check.ts.trusted) {
    Add(&check.ts.reasons, "timestamp_untrusted");
    for (const std::string& r : check.trust_reasons) Add(&check.ts.reasons, r);
  }
  return check;
}

// ---- The two shapes of signature ----------------------------------------------------

void CheckDocumentTimestamp(std::string_view der, const CryptoInput& input, const TrustContext& trust,
                            CryptoResult* r) {
  ValidationMaterial dss;
  AddDssMaterial(input.dss, &dss);
  const RelyTimes times{input.proven_at.value_or(input.now), input.now};
  TokenCheck check = CheckToken(der, input.signed_data, &trust, &dss, times);
  r->digest_algorithm = check.digest_algorithm;
  r->signature_algorithm = check.signature_algorithm;
  r->signer = check.tsa_certificate;
  r->integrity_reasons = check.integrity_reasons;
  r->integrity_ok = check.ts.integrity_ok;
  r->warnings = check.warnings;
  if (check.parsed) r->timestamp = check.ts;
  if (!r->integrity_ok) return;
  r->trust_reasons = check.trust_reasons;
  // The time-stamp authority signs this one: its certificate must still be
  // valid when the token is relied on, as a signer's must.
  if (check.ts.trusted && (check.expired_at_ref || check.expired_unproven)) {
    Add(&r->trust_reasons, "certificate_expired");
  }
  r->revocation = check.revocation;
  r->trusted = r->trust_reasons.empty();
  r->validation_time = times.ref;
  r->validation_source =
      input.proven_at ? ValidationTimeSource::kDocumentTimestamp : ValidationTimeSource::kCurrentTime;
  r->ltv = r->trusted && check.revocation_in_document;
}

void CheckSignedData(std::string_view der, const CryptoInput& input, const TrustContext& trust,
                     CryptoResult* r) {
  CmsPtr cms = ParseCms(der);
  STACK_OF(CMS_SignerInfo)* signers = cms ? CMS_get0_SignerInfos(cms.get()) : nullptr;
  if (sk_CMS_SignerInfo_num(signers) < 1) {
    r->integrity_reasons.push_back("cms_malformed");
    return;
  }
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, 0);

  ValidationMaterial material;
  AddDssMaterial(input.dss, &material);
  {
    // The DSS's certificates may hold the signer's when the CMS lacks it.
    internal::X509BorrowedStackPtr dss_certs(sk_X509_new_null());
    if (dss_certs) {
      for (const X509Ptr& x : material.certs) sk_X509_push(dss_certs.get(), x.get());
    }
    CMS_set1_signers_certs(cms.get(), dss_certs.get(), 0);
    ERR_clear_error();
  }
  AddCmsMaterial(cms.get(), &material);
  AddArchivalMaterial(si, &material);

  std::vector<std::string_view> content = input.signed_data;
  if (input.kind == CmsKind::kDetached && EContent(cms.get())) {
    // adbe.pkcs7.detached and ETSI.CAdES.detached sign the byte ranges only:
    // encapsulated content would be signed data the document does not show.
    r->integrity_reasons.push_back("content_not_detached");
    return;
  }
  if (input.kind == CmsKind::kSha1) {
    // adbe.pkcs7.sha1: the signed content is SHA-1 of the ranges.
    const std::optional<std::string_view> econtent = EContent(cms.get());
    if (!econtent) {
      r->integrity_reasons.push_back("cms_malformed");
      return;
    }
    Add(&r->warnings, "weak_digest");
    const std::string sha1 = internal::DigestParts(EVP_sha1(), input.signed_data);
    std::string_view value = *econtent, inner, rest = *econtent;
    unsigned char tag = 0;
    // Some producers wrap the hash in an OCTET STRING inside the eContent.
    if (value.size() != sha1.size() && internal::ReadTlv(&rest, &tag, &inner) && tag == 0x04 &&
        rest.empty()) {
      value = inner;
    }
    if (value != sha1) Add(&r->integrity_reasons, "digest_mismatch");
    content = {*econtent};
  }

  SignerCheck signer = CheckSigner(si, der, content);
  r->digest_algorithm = signer.digest_algorithm;
  r->signature_algorithm = signer.signature_algorithm;
  for (const std::string& w : signer.warnings) Add(&r->warnings, w);
  for (const std::string& reason : signer.reasons) Add(&r->integrity_reasons, reason);
  if (signer.signer != nullptr) r->signer = internal::InfoOf(signer.signer);
  r->signing_time = SigningTime(si);
  r->integrity_ok = r->integrity_reasons.empty();
  if (!r->integrity_ok) return;

  // Validation time: the earliest time a valid timestamp proves the
  // signature existed (long-term validation), else `ref`: the time a later
  // document timestamp proves, else now.
  const SysSeconds ref = input.proven_at.value_or(input.now);

  // The signature timestamp (unsigned attribute), over the signature value.
  std::optional<TokenCheck> token;
  const int ts_idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
  if (ts_idx >= 0) {
    const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, ts_idx), 0);
    std::string_view token_der;
    if (value != nullptr && value->type == V_ASN1_SEQUENCE) token_der = StringView(value->value.sequence);
    const std::string_view signature_value = StringView(CMS_SignerInfo_get0_signature(si));
    token = CheckToken(token_der, {signature_value}, &trust, &material, RelyTimes{ref, input.now});
    if (token->parsed) {
      r->timestamp = token->ts;
    } else {
      TimestampResult broken;
      broken.reasons = token->ts.reasons;
      r->timestamp = broken;
    }
  }
  const bool ts_valid = token && token->parsed && token->ts.integrity_ok;
  const bool ts_trusted = ts_valid && token->ts.trusted;
  const bool ts_usable = ts_trusted && token->ts.usable;

  ChainOptions options;
  if (ts_valid) {
    options.at = token->ts.time;
  } else if (r->signing_time) {
    options.at = *r->signing_time;
  } else if (input.claimed_time) {
    options.at = *input.claimed_time;
  } else {
    options.at = ref;
  }
  if (ts_usable) {
    options.revocation_cutoff = token->ts.time;
    r->validation_time = token->ts.time;
    r->validation_source = ValidationTimeSource::kSignatureTimestamp;
  } else {
    options.also_at = ref;
    options.revocation_cutoff = ref;
    r->validation_time = ref;
    r->validation_source =
        input.proven_at ? ValidationTimeSource::kDocumentTimestamp : ValidationTimeSource::kCurrentTime;
  }
  if (r->validation_time < input.now) options.expired_by = input.now;
  const ChainResult chain = internal::CheckChain(trust, signer.signer, material, options);
  r->trust_reasons = chain.reasons;
  // Expired since the validation time, with nothing kept to vouch for it.
  if (chain.expired_unproven) Add(&r->trust_reasons, "certificate_expired");
  r->revocation = chain.revocation;
  if (token && !ts_valid) {
    Add(&r->trust_reasons, "timestamp_invalid");
  } else if (token && !ts_trusted) {
    Add(&r->trust_reasons, "timestamp_untrusted");
  } else if (token && !ts_usable) {
    Add(&r->warnings, "timestamp_expired");
  }
  r->trusted = r->trust_reasons.empty();
  r->ltv = r->trusted && r->validation_source != ValidationTimeSource::kCurrentTime &&
           chain.revocation_in_document && (!ts_usable || token->revocation_in_document);

  if (ts_valid) {
    const std::optional<SysSeconds> claimed = r->signing_time ? r->signing_time : input.claimed_time;
    if (claimed && *claimed > token->ts.time + kClockSkew) Add(&r->warnings, "signing_time_after_timestamp");
  }
}

}  // namespace

CryptoResult CheckSignature(const CryptoInput& input, const TrustContext& trust) {
  CryptoResult result;
  try {
    std::string_view der;
    std::string reason;
    if (!TrimContents(input.contents, &der, &reason)) {
      result.integrity_reasons.push_back(reason);
    } else if (input.kind == CmsKind::kTimestampToken) {
      CheckDocumentTimestamp(der, input, trust, &result);
    } else {
      CheckSignedData(der, input, trust, &result);
    }
  } catch (const std::exception&) {  // std::bad_alloc; nothing else throws here
    result = CryptoResult{};
    result.integrity_reasons.push_back("cms_malformed");
  }
  ERR_clear_error();
  return result;
}

namespace internal {

bool CheckTimestampTokenIntegrity(std::string_view token_der, std::string* why) {
  const TokenCheck check = CheckToken(token_der, {}, nullptr, nullptr, RelyTimes{});
  ERR_clear_error();
  // The imprint is checked by the caller against its request; only the
  // token's own signature matters here.
  std::vector<std::string> reasons = check.integrity_reasons;
  reasons.erase(std::remove(reasons.begin(), reasons.end(), "digest_mismatch"), reasons.end());
  if (check.parsed && reasons.empty()) return true;
  *why = reasons.empty() ? "not a TimeStampToken" : reasons.front();
  return false;
}

}  // namespace internal
}  // namespace pactum::signing
