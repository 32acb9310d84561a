// Internal to pactum_signing: owning wrappers for OpenSSL objects, conversions
// between OpenSSL and pactum types, a bounds-checked DER reader, and the
// pieces shared by trust.cc, cms_verify.cc and cms_sign.cc.
//
// Nothing here throws on bad input; functions that parse report failure in
// their return value. Pointers named "borrowed" are not owned by the callee.
#pragma once

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto.h"

namespace pactum::signing::internal {

// ---- Owning pointers ---------------------------------------------------------

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};

template <typename T, void (*Free)(T*)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1ObjectPtr = OpenSslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;
using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using CmsPtr = OpenSslPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using EvpMdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpPkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using OcspBasicPtr = OpenSslPtr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using OcspCertIdPtr = OpenSslPtr<OCSP_CERTID, OCSP_CERTID_free>;
using OcspResponsePtr = OpenSslPtr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using Pkcs7Ptr = OpenSslPtr<PKCS7, PKCS7_free>;
using TsMsgImprintPtr = OpenSslPtr<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>;
using TsReqPtr = OpenSslPtr<TS_REQ, TS_REQ_free>;
using TsRespPtr = OpenSslPtr<TS_RESP, TS_RESP_free>;
using TsTstInfoPtr = OpenSslPtr<TS_TST_INFO, TS_TST_INFO_free>;
using TsVerifyCtxPtr = OpenSslPtr<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using X509AlgorPtr = OpenSslPtr<X509_ALGOR, X509_ALGOR_free>;
using X509CrlPtr = OpenSslPtr<X509_CRL, X509_CRL_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509StoreCtxPtr = OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509StorePtr = OpenSslPtr<X509_STORE, X509_STORE_free>;

// A STACK_OF(X509) that owns its certificates (sk_X509_pop_free).
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

// A STACK_OF(X509) whose certificates are borrowed (sk_X509_free only).
struct X509BorrowedStackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using X509BorrowedStackPtr = std::unique_ptr<STACK_OF(X509), X509BorrowedStackDeleter>;

struct X509CrlStackDeleter {
  void operator()(STACK_OF(X509_CRL) * s) const { sk_X509_CRL_pop_free(s, X509_CRL_free); }
};
using X509CrlStackPtr = std::unique_ptr<STACK_OF(X509_CRL), X509CrlStackDeleter>;

// ---- Errors, times, names ----------------------------------------------------

// The OpenSSL error queue of this thread as one line ("" when empty); clears it.
std::string DrainOpenSslErrors();

// The whole file at `path`; false when it cannot be read.
bool ReadFile(const std::string& path, std::string* out);

// nullopt when `t` is null or not a valid time.
std::optional<SysSeconds> Asn1TimeToSys(const ASN1_TIME* t);

// An RFC 2253 string of `name` (UTF-8 kept as is), "" when null.
std::string NameToString(const X509_NAME* name);

// Subject, issuer, serial, validity and CN of `cert` (which must not be null).
CertificateInfo InfoOf(X509* cert);

// ---- Bytes ---------------------------------------------------------------------

// A read-only memory BIO over `data` (which must outlive it); null when the
// size does not fit an int or OpenSSL is out of memory.
BioPtr MemoryBio(std::string_view data);

// DER of `cert`, "" on failure.
std::string CertDer(X509* cert);

// Parses one DER certificate / CRL / OCSPResponse; null when it is not one or
// bytes follow it.
X509Ptr ParseCert(std::string_view der);
X509CrlPtr ParseCrl(std::string_view der);
OcspResponsePtr ParseOcspResponse(std::string_view der);

// Reads one tag-length-value with a definite length from the front of `*in`
// and advances `*in` past it. Single-byte tags only (enough for CMS and
// RevocationInfoArchival). False, with `*in` unchanged, on any malformation.
bool ReadTlv(std::string_view* in, unsigned char* tag, std::string_view* content,
             std::string_view* whole = nullptr);

// Digest of the concatenation of `parts` with `md`; "" on failure.
std::string DigestParts(const EVP_MD* md, const std::vector<std::string_view>& parts);

// `bytes` as upper-case hex digits, as PDF hex strings and /VRI keys are written.
std::string UpperHex(std::string_view bytes);

// ---- Algorithms ------------------------------------------------------------------

// A digest algorithm as a CMS AlgorithmIdentifier names it.
struct DigestAlgorithm {
  const EVP_MD* md = nullptr;  // null: not one pactum computes
  size_t xof_length = 0;       // output bytes of SHAKE; 0 for fixed-size digests
  std::string name;            // the API's name ("sha256", "sha3-256", "shake256"); "" when md is null
};

// The digest that `alg` names: SHA-1, SHA-224/256/384/512, SHA-512/224,
// SHA-512/256, SHA3-224/256/384/512, SHAKE128 (256-bit output) and SHAKE256
// (512-bit output) as RFC 8702 fixes them, with or without parameters (the
// "no length" form pyHanko accepts for Ed448), and id-shake128-len /
// id-shake256-len with their output length in bits (RFC 8419). Anything else
// (MD5, unknown OIDs, absurd lengths): md null.
DigestAlgorithm DigestAlgorithmOf(const X509_ALGOR* alg);

// Digest of the concatenation of `parts` with `alg`; "" on failure or when
// alg.md is null.
std::string DigestParts(const DigestAlgorithm& alg, const std::vector<std::string_view>& parts);

// The dotted OID of `obj` ("1.2.840.113549.1.1.11"), "" when null.
std::string OidText(const ASN1_OBJECT* obj);

// The signed attributes of the first SignerInfo exactly as they are encoded
// in the DER of a CMS ContentInfo `cms_der`, their [0] IMPLICIT tag replaced
// by the universal SET tag: what RFC 5652 says the signature covers.
// nullopt when the encoding cannot be walked (indefinite lengths, no
// signed attributes); SignedAttributesDer then gives the re-encoded form.
std::optional<std::string> RawSignedAttributes(std::string_view cms_der);

// The DER SET OF the signed attributes of `si`, as signed and verified (the
// [0] IMPLICIT tag of SignerInfo replaced by the universal SET tag, elements
// sorted as DER requires, as OpenSSL sorts them on output). "" when there
// are none or on failure.
std::string SignedAttributesDer(CMS_SignerInfo* si);

// ---- Trust (trust.cc) ------------------------------------------------------------

// Certificates, CRLs and OCSP responses found with one signature (the CMS,
// the document's DSS, the revocationInfoArchival attribute), beside those of
// the TrustContext.
struct ValidationMaterial {
  std::vector<X509Ptr> certs;  // untrusted, may help build the chain
  std::vector<X509CrlPtr> crls;
  std::vector<OcspResponsePtr> ocsps;
};

struct ChainOptions {
  SysSeconds at{};                    // the chain must be valid at this time
  std::optional<SysSeconds> also_at;  // and, when set, at this one too
  // Revocations dated up to this time count, and revocation data must be
  // current at this time (nextUpdate not before it, or issued after it).
  SysSeconds revocation_cutoff{};
  // Validation at a past time: the current time. A certificate of the chain
  // (the anchor excepted) that has expired by then is vouched for only by
  // "good" revocation data current at the cutoff, kept from while it was
  // valid; ChainResult::expired_unproven says when that is missing.
  std::optional<SysSeconds> expired_by;
};

struct ChainResult {
  bool trusted = false;
  std::vector<std::string> reasons;        // trust reason codes of crypto.h
  Revocation revocation = Revocation::kNotChecked;  // of the leaf certificate
  // Every certificate of the chain below the anchor is "good" by the CMS's
  // and the document's own revocation data (configured CRLs not counted).
  bool revocation_in_document = false;
  // The earliest notAfter of the chain's certificates below the anchor
  // (unset when no chain was built).
  std::optional<SysSeconds> expires;
  // With ChainOptions::expired_by: a certificate of the chain expired by
  // then has no "good" revocation data at the cutoff. Not in `reasons`: the
  // caller decides what it costs (certificate_expired for a signer).
  bool expired_unproven = false;
};

// Builds the chain of `leaf` (borrowed) to an anchor of `trust`, through the
// context's intermediates and `material.certs`, checks validity times and
// revocation of each non-anchor certificate of the chain (see trust.cc for
// the policy). Never fails: problems are reasons.
ChainResult CheckChain(const TrustContext& trust, X509* leaf, const ValidationMaterial& material,
                       const ChainOptions& options);

// A store holding the anchors of `trust`, for APIs that want an X509_STORE
// (TS_RESP_verify_token, OCSP_basic_verify); verification time set to `at`.
X509StorePtr AnchorStore(const TrustContext& trust, SysSeconds at);

// The intermediates of `trust`, as a borrowed-pointer stack (may be empty).
X509BorrowedStackPtr IntermediateStack(const TrustContext& trust);

// ---- Verification helpers shared with signing (cms_verify.cc) -------------------

// Checks a TimeStampToken's integrity only (no trust): a SignedData with a
// TSTInfo whose signer certificate is inside, whose message digest and
// signature verify. On failure returns false and says why in `*why`.
bool CheckTimestampTokenIntegrity(std::string_view token_der, std::string* why);

// ---- Signing helpers (cms_sign.cc, ocsp.cc) ---------------------------------------

// A TimeStampToken (DER) from `tsa` over SHA-256 of the concatenation of
// `data`, checked as CreateCades checks its own: status, nonce, imprint, the
// token's signature. Errors as CreateCades's for the time-stamp authority.
Result<std::string> FetchTimestampToken(const TimestampAuthority& tsa, const std::vector<std::string_view>& data);

// "scheme://host[:port]" and "/path" of `url`; false when it is not http(s).
bool SplitHttpUrl(const std::string& url, std::string* origin, std::string* path);

// An OCSPResponse (DER) from the responder at `url` (http://host[:port]/path)
// for `cert`, issued by `issuer` (both borrowed). kTimeout when the
// responder cannot be reached in `timeout`; kInternal when it answers with
// an HTTP error or no OCSP response. The response's status and content are
// the caller's to judge.
Result<std::string> FetchOcspResponse(const std::string& url, X509* cert, X509* issuer, std::chrono::seconds timeout);

}  // namespace pactum::signing::internal

namespace pactum::signing {

// Loaded trust material, immutable after TrustContext::Load.
struct TrustContext::Impl {
  std::vector<internal::X509Ptr> anchors;
  std::vector<internal::X509Ptr> intermediates;
  std::vector<internal::X509CrlPtr> crls;
};

}  // namespace pactum::signing
