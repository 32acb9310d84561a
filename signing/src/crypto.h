// The OpenSSL side of PDF signatures: checking a CMS blob against the bytes
// its /ByteRange covers, building and checking certificate chains against the
// configured trust anchors, revocation data, RFC 3161 timestamps, and making
// CAdES signatures for /v1/sign.
//
// Nothing here knows PDF syntax: the caller (verifier.cc, signer.cc) finds the
// signature dictionary, checks the byte ranges and hands over plain bytes.
// OpenSSL types stay inside the .cc files. All functions are thread-safe;
// TrustContext and SigningKey are immutable after Load and meant to be shared.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/models/enums.h"
#include "pactum/models/status.h"
#include "pactum/signing/keys.h"

namespace pactum::signing {

using SysSeconds = std::chrono::sys_seconds;

// A certificate as reported to clients.
struct CertificateInfo {
  std::string subject;      // RFC 2253 order, e.g. "CN=Erika Mustermann,O=Land Hessen,C=DE"
  std::string issuer;       // same form
  std::string serial;       // lowercase hex, no separators
  std::string not_before;   // RFC 3339, UTC ("2025-06-01T10:00:00Z")
  std::string not_after;
  std::string common_name;  // CN of the subject, "" when none
};

// Formats a time as RFC 3339 UTC, "2025-06-01T10:00:00Z".
std::string FormatRfc3339(SysSeconds t);

// ---- Trust -----------------------------------------------------------------


// Trust anchors, intermediates and CRLs, loaded once at start.
class TrustContext {
 public:
  // Fails with kBadRequest naming the file when a file is missing or holds
  // no certificate / CRL.
  static Result<std::shared_ptr<const TrustContext>> Load(const TrustConfig& config);
  // No anchors: every chain is untrusted.
  static std::shared_ptr<const TrustContext> Empty();

  ~TrustContext();
  size_t anchor_count() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit TrustContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- Verification ----------------------------------------------------------

enum class CmsKind {
  kDetached,        // adbe.pkcs7.detached, ETSI.CAdES.detached: CMS over the ranges
  kSha1,            // adbe.pkcs7.sha1: CMS whose eContent is SHA-1(ranges)
  kTimestampToken,  // ETSI.RFC3161 document timestamp: a TimeStampToken over the ranges
};

// Validation data found in the document (the catalogue's /DSS), DER each.
struct RevocationData {
  std::vector<std::string> certs;
  std::vector<std::string> crls;
  std::vector<std::string> ocsps;  // OCSPResponse DER
};

struct CryptoInput {
  std::string_view contents;  // decoded /Contents; zero padding after the DER is allowed
  std::vector<std::string_view> signed_data;  // the bytes of each /ByteRange range, in order
  CmsKind kind = CmsKind::kDetached;
  std::optional<SysSeconds> claimed_time;  // /M of the signature dictionary
  RevocationData dss;
  SysSeconds now{};  // validation time for "is it valid today"
  // The earliest time a valid document timestamp over a later revision
  // proves these bytes existed; the signature (or timestamp) is then relied
  // on at that time instead of now. Unset: no such document timestamp.
  std::optional<SysSeconds> proven_at;
};

struct TimestampResult {
  SysSeconds time{};                 // genTime of the token
  std::string tsa;                   // subject of the TSA certificate
  bool integrity_ok = false;         // token signature valid, imprint matches
  bool trusted = false;              // TSA chain reaches an anchor (at the token's time)
  // Trusted, and the TSA's certificates have not expired by the time the
  // token is relied on (or, relied on at a past time, revocation data kept
  // from before vouches for those expired since): the token proves its time.
  bool usable = false;
  std::vector<std::string> reasons;  // e.g. "timestamp_imprint_mismatch", "timestamp_untrusted"
};

// Machine-readable reason codes (the "reasons" of the API) produced here:
//   integrity (make the signature invalid):
//     "cms_empty"             /Contents empty or all zero
//     "cms_malformed"         not a parseable CMS SignedData / TimeStampToken
//     "content_not_detached"  a detached /SubFilter whose CMS carries eContent
//     "certificate_missing"   signer certificate not in the CMS
//     "digest_mismatch"       message digest (or eContent / imprint) differs from the ranges
//     "signature_mismatch"    signature over the signed attributes does not verify
//                             with the signer certificate's key (wrong key, tampering)
//     "unsupported_algorithm" digest or signature algorithm we do not accept
//   trust (make a mathematically sound signature indeterminate):
//     "no_trust_anchors", "untrusted_chain", "certificate_expired",
//     "certificate_not_yet_valid", "certificate_revoked", "revocation_unknown",
//     "timestamp_invalid", "timestamp_untrusted"
//   warnings (reported, status unchanged):
//     "weak_digest" (SHA-1), "signing_time_after_timestamp",
//     "timestamp_expired" (a trusted signature timestamp whose authority's
//     certificate has expired by the validation time: it proves nothing, the
//     signature is validated without it)
struct CryptoResult {
  bool integrity_ok = false;
  std::vector<std::string> integrity_reasons;
  std::string digest_algorithm;     // "sha256", "sha384", "sha512", "sha1"; "" when unknown
  std::string signature_algorithm;  // "rsa", "rsa-pss", "ecdsa"; "" when unknown
  std::optional<CertificateInfo> signer;
  std::optional<SysSeconds> signing_time;  // signingTime signed attribute
  std::optional<TimestampResult> timestamp;  // signature timestamp, or the document timestamp itself

  bool trusted = false;
  std::vector<std::string> trust_reasons;
  Revocation revocation = Revocation::kNotChecked;  // of the signer's certificate
  // The time the chain and revocation were checked at, and what proves it
  // (meaningful when integrity_ok).
  SysSeconds validation_time{};
  ValidationTimeSource validation_source = ValidationTimeSource::kCurrentTime;
  // A timestamp proves the validation time and the CMS and /DSS hold "good"
  // revocation data for the whole chain: the document validates later on
  // its own.
  bool ltv = false;
  std::vector<std::string> warnings;
};

// Checks integrity, then (only when integrity holds) trust. Never throws,
// whatever the bytes. Long-term validation: let `ref` be proven_at, else now.
// A signature timestamp that is usable at `ref` proves the signature existed
// at its time; the chain and its revocation are then checked at that time,
// and a certificate expired by now needs "good" revocation data from then.
// Without one, the chain must be valid at the timestamp's time (or the
// signingTime attribute, claimed_time, `ref`) and at `ref`, revocations up
// to `ref` counting. A document timestamp is relied on at `ref`.
CryptoResult CheckSignature(const CryptoInput& input, const TrustContext& trust);

// ---- Signing ---------------------------------------------------------------


class SigningKey {
 public:
  // Fails with kBadRequest (file missing, wrong password, key does not match
  // the certificate). The message never contains key material or password.
  static Result<std::shared_ptr<const SigningKey>> Load(const SigningConfig& config);
  ~SigningKey();

  const CertificateInfo& certificate() const;
  // DER of the certificate, then of the chain that came with it.
  std::vector<std::string> CertificatesDer() const;
  // SigningConfig::ocsp_response_files as read (DER), and ocsp_url.
  const std::vector<std::string>& ocsp_responses() const;
  const std::string& ocsp_url() const;
  // Upper bound of the DER size of a CMS made by CreateCades, without and
  // with a signature timestamp, for sizing the /Contents placeholder.
  size_t MaxCmsSize(bool with_timestamp) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct TimestampAuthority {
  std::string url;  // http://host:port/path (https when the build has TLS)
  std::chrono::seconds timeout{10};
};

// A detached CAdES SignedData over the concatenation of `data` (PAdES B-B:
// content-type, message-digest and ESS signing-certificate-v2 signed
// attributes, no signingTime; the certificate chain included). With a TSA,
// the signature-time-stamp unsigned attribute is added (B-T). A TSA that
// cannot be reached or does not answer within its timeout gives kTimeout; one
// that answers with an error status, a token that does not verify or whose
// imprint differs gives kInternal, with the TSA's URL and status in the message.
Result<std::string> CreateCades(const SigningKey& key, const std::vector<std::string_view>& data,
                                const TimestampAuthority* tsa);

}  // namespace pactum::signing
