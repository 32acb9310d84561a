// Trust anchors, chain building and revocation.
//
// Revocation policy (per certificate of the chain except the anchor):
//  - Sources: the configured CRL files, and the material handed in with the
//    signature (CRLs embedded in the CMS, the DSS, the revocationInfoArchival
//    attribute; OCSP responses from the DSS and that attribute).
//  - A CRL counts for a certificate when its issuer name is the certificate's
//    issuer; an OCSP response when it holds a SingleResponse for the
//    certificate's CertID. When no source counts, the certificate's status
//    is "not_checked", which does not make the signature indeterminate.
//  - A source counts as usable when its signature verifies (CRL: with the
//    issuer's key; OCSP: OCSP_basic_verify against the anchors at producedAt)
//    and it is current at the cutoff time (nextUpdate absent or not before
//    it, or thisUpdate at or after it).
//  - "revoked" when a usable source revokes the certificate at or before the
//    cutoff; else "good" when a usable source says so; else "unknown" (data
//    exists but is unverifiable, stale, or OCSP says unknown).
//
// Validation at a past time (the time a timestamp proves, long-term
// validation): the chain is built and checked at that time, revocations up
// to it count, and a certificate that has expired since needs "good"
// revocation data current at that time. Without such data an expired
// certificate stays "certificate_expired": after expiry a CA may drop the
// certificate from its CRLs, so only data kept from before (the /DSS of a
// PAdES B-LT document, the revocationInfoArchival attribute) can vouch for it.

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "crypto.h"
#include "openssl_util.h"

namespace pactum::signing {

using internal::X509CrlPtr;
using internal::X509Ptr;
using internal::ReadFile;

namespace {

bool LooksPem(const std::string& data) { return data.find("-----BEGIN") != std::string::npos; }

// Certificates of a PEM bundle (or a single DER certificate).
std::vector<X509Ptr> ParseCertificates(const std::string& data) {
  std::vector<X509Ptr> certs;
  if (LooksPem(data)) {
    internal::BioPtr bio = internal::MemoryBio(data);
    if (!bio) return certs;
    while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(x);
    ERR_clear_error();  // the end of the bundle reads as an error
  } else if (X509Ptr x = internal::ParseCert(data)) {
    certs.push_back(std::move(x));
  }
  return certs;
}

std::vector<X509CrlPtr> ParseCrls(const std::string& data) {
  std::vector<X509CrlPtr> crls;
  if (LooksPem(data)) {
    internal::BioPtr bio = internal::MemoryBio(data);
    if (!bio) return crls;
    while (X509_CRL* c = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) crls.emplace_back(c);
    ERR_clear_error();
    return crls;
  }
  std::string_view rest = data;
  while (!rest.empty()) {
    std::string_view content, whole;
    unsigned char tag = 0;
    if (!internal::ReadTlv(&rest, &tag, &content, &whole)) break;
    X509CrlPtr crl = internal::ParseCrl(whole);
    if (!crl) break;
    crls.push_back(std::move(crl));
  }
  return crls;
}

std::time_t ToTimeT(SysSeconds t) { return static_cast<std::time_t>(t.time_since_epoch().count()); }

// ---- Chain building ---------------------------------------------------------------

// Verify callback: records every error and carries on, so that one pass
// tells all (e.g. expired and untrusted).
int CollectErrors(int ok, X509_STORE_CTX* ctx) {
  if (!ok) {
    auto* errors = static_cast<std::vector<int>*>(X509_STORE_CTX_get_app_data(ctx));
    if (errors != nullptr) errors->push_back(X509_STORE_CTX_get_error(ctx));
  }
  return 1;
}

void AddReason(std::vector<std::string>* reasons, const std::string& reason) {
  if (std::find(reasons->begin(), reasons->end(), reason) == reasons->end()) reasons->push_back(reason);
}

std::string ReasonFor(int error) {
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "certificate_expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "certificate_not_yet_valid";
    default:
      return "untrusted_chain";
  }
}

struct Verification {
  std::vector<int> errors;
  internal::X509StackPtr chain;  // as far as it could be built
};

Verification Verify(X509_STORE* store, X509* leaf, STACK_OF(X509) * untrusted, SysSeconds at) {
  Verification v;
  internal::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store, leaf, untrusted) != 1) {
    ERR_clear_error();
    v.errors.push_back(X509_V_ERR_UNSPECIFIED);
    return v;
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, ToTimeT(at));
  X509_STORE_CTX_set_app_data(ctx.get(), &v.errors);
  X509_STORE_CTX_set_verify_cb(ctx.get(), CollectErrors);
  if (X509_verify_cert(ctx.get()) != 1 && v.errors.empty()) v.errors.push_back(X509_V_ERR_UNSPECIFIED);
  ERR_clear_error();
  v.chain.reset(X509_STORE_CTX_get1_chain(ctx.get()));
  return v;
}

// ---- Revocation ---------------------------------------------------------------------

enum class Status { kNone, kUnknown, kGood, kRevoked };

bool Current(const ASN1_TIME* this_update, const ASN1_TIME* next_update, SysSeconds cutoff) {
  const std::optional<SysSeconds> issued = internal::Asn1TimeToSys(this_update);
  if (!issued) return false;
  if (*issued >= cutoff) return true;
  if (next_update == nullptr) return true;
  const std::optional<SysSeconds> next = internal::Asn1TimeToSys(next_update);
  return next && *next >= cutoff;
}

Status CrlStatus(X509* cert, X509* issuer, const std::vector<X509_CRL*>& crls, SysSeconds cutoff) {
  Status status = Status::kNone;
  EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
  for (X509_CRL* crl : crls) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(cert)) != 0) continue;
    status = std::max(status, Status::kUnknown);
    if (issuer_key == nullptr || X509_CRL_verify(crl, issuer_key) != 1) {
      ERR_clear_error();
      continue;
    }
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_cert(crl, &entry, cert) == 1 && entry != nullptr) {
      const std::optional<SysSeconds> when = internal::Asn1TimeToSys(X509_REVOKED_get0_revocationDate(entry));
      if (!when || *when <= cutoff) return Status::kRevoked;
      // Revoked only after the cutoff: the CRL vouches for the time before.
      status = std::max(status, Status::kGood);
      continue;
    }
    if (Current(X509_CRL_get0_lastUpdate(crl), X509_CRL_get0_nextUpdate(crl), cutoff)) {
      status = std::max(status, Status::kGood);
    }
  }
  return status;
}

Status OcspStatus(X509* cert, X509* issuer, const std::vector<OCSP_RESPONSE*>& responses,
                  STACK_OF(X509) * helpers, const TrustContext& trust, SysSeconds cutoff) {
  Status status = Status::kNone;
  const EVP_MD* const kIdDigests[] = {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()};
  for (OCSP_RESPONSE* response : responses) {
    if (OCSP_response_status(response) != OCSP_RESPONSE_STATUS_SUCCESSFUL) continue;
    internal::OcspBasicPtr basic(OCSP_response_get1_basic(response));
    if (!basic) {
      ERR_clear_error();
      continue;
    }
    int index = -1;
    for (const EVP_MD* md : kIdDigests) {
      internal::OcspCertIdPtr id(OCSP_cert_to_id(md, cert, issuer));
      if (!id) continue;
      index = OCSP_resp_find(basic.get(), id.get(), -1);
      if (index >= 0) break;
    }
    ERR_clear_error();
    if (index < 0) continue;
    status = std::max(status, Status::kUnknown);

    const std::optional<SysSeconds> produced =
        internal::Asn1TimeToSys(OCSP_resp_get0_produced_at(basic.get()));
    if (!produced) continue;
    internal::X509StorePtr store = internal::AnchorStore(trust, *produced);
    if (!store || OCSP_basic_verify(basic.get(), helpers, store.get(), 0) != 1) {
      ERR_clear_error();
      continue;
    }
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), index);
    int reason = 0;
    ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
    const int cert_status = OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
    if (cert_status == V_OCSP_CERTSTATUS_REVOKED) {
      const std::optional<SysSeconds> when = internal::Asn1TimeToSys(revoked_at);
      if (!when || *when <= cutoff) return Status::kRevoked;
      status = std::max(status, Status::kGood);
    } else if (cert_status == V_OCSP_CERTSTATUS_GOOD && Current(this_update, next_update, cutoff)) {
      status = std::max(status, Status::kGood);
    }
  }
  return status;
}

}  // namespace

// ---- TrustContext -----------------------------------------------------------------------

TrustContext::TrustContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrustContext::~TrustContext() = default;

size_t TrustContext::anchor_count() const { return impl_->anchors.size(); }

Result<std::shared_ptr<const TrustContext>> TrustContext::Load(const TrustConfig& config) {
  auto impl = std::make_unique<Impl>();
  std::string data;
  for (const std::string& path : config.anchor_files) {
    if (!ReadFile(path, &data)) return Error::BadRequest("cannot read trust anchor file " + path);
    std::vector<X509Ptr> certs = ParseCertificates(data);
    if (certs.empty()) return Error::BadRequest("trust anchor file " + path + " holds no certificate");
    std::move(certs.begin(), certs.end(), std::back_inserter(impl->anchors));
  }
  for (const std::string& path : config.intermediate_files) {
    if (!ReadFile(path, &data)) return Error::BadRequest("cannot read intermediate certificate file " + path);
    std::vector<X509Ptr> certs = ParseCertificates(data);
    if (certs.empty())
      return Error::BadRequest("intermediate certificate file " + path + " holds no certificate");
    std::move(certs.begin(), certs.end(), std::back_inserter(impl->intermediates));
  }
  for (const std::string& path : config.crl_files) {
    if (!ReadFile(path, &data)) return Error::BadRequest("cannot read CRL file " + path);
    std::vector<X509CrlPtr> crls = ParseCrls(data);
    if (crls.empty()) return Error::BadRequest("CRL file " + path + " holds no CRL (PEM or DER)");
    std::move(crls.begin(), crls.end(), std::back_inserter(impl->crls));
  }
  ERR_clear_error();
  return std::shared_ptr<const TrustContext>(new TrustContext(std::move(impl)));
}

std::shared_ptr<const TrustContext> TrustContext::Empty() {
  static const std::shared_ptr<const TrustContext> empty(new TrustContext(std::make_unique<Impl>()));
  return empty;
}

namespace internal {

X509StorePtr AnchorStore(const TrustContext& trust, SysSeconds at) {
  X509StorePtr store(X509_STORE_new());
  if (!store) return nullptr;
  for (const X509Ptr& anchor : trust.impl().anchors) {
    if (X509_STORE_add_cert(store.get(), anchor.get()) != 1) {
      ERR_clear_error();
      return nullptr;
    }
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), ToTimeT(at));
  return store;
}

X509BorrowedStackPtr IntermediateStack(const TrustContext& trust) {
  X509BorrowedStackPtr stack(sk_X509_new_null());
  if (!stack) return nullptr;
  for (const X509Ptr& cert : trust.impl().intermediates) {
    if (sk_X509_push(stack.get(), cert.get()) <= 0) return nullptr;
  }
  return stack;
}

ChainResult CheckChain(const TrustContext& trust, X509* leaf, const ValidationMaterial& material,
                       const ChainOptions& options) {
  ChainResult result;
  if (trust.anchor_count() == 0) {
    result.reasons.push_back("no_trust_anchors");
    return result;
  }
  X509StorePtr store = AnchorStore(trust, options.at);
  X509BorrowedStackPtr untrusted = IntermediateStack(trust);
  if (!store || !untrusted) {
    result.reasons.push_back("untrusted_chain");
    return result;
  }
  for (const X509Ptr& cert : material.certs) sk_X509_push(untrusted.get(), cert.get());

  Verification v = Verify(store.get(), leaf, untrusted.get(), options.at);
  for (int error : v.errors) AddReason(&result.reasons, ReasonFor(error));
  if (options.also_at) {
    const Verification again = Verify(store.get(), leaf, untrusted.get(), *options.also_at);
    for (int error : again.errors) {
      if (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID) {
        AddReason(&result.reasons, ReasonFor(error));
      }
    }
  }

  // Revocation, only for a chain that reaches an anchor: each certificate
  // but the anchor against the next one up.
  const bool complete =
      std::find(result.reasons.begin(), result.reasons.end(), "untrusted_chain") == result.reasons.end();
  if (complete && v.chain) {
    std::vector<X509_CRL*> configured_crls, crls;
    for (const X509CrlPtr& crl : trust.impl().crls) configured_crls.push_back(crl.get());
    for (const X509CrlPtr& crl : material.crls) crls.push_back(crl.get());
    std::vector<OCSP_RESPONSE*> ocsps;
    for (const OcspResponsePtr& r : material.ocsps) ocsps.push_back(r.get());

    Status worst = Status::kNone;
    Status leaf_status = Status::kNone;
    bool in_document = true;
    const int n = sk_X509_num(v.chain.get());
    for (int i = 0; i + 1 < n; ++i) {
      X509* cert = sk_X509_value(v.chain.get(), i);
      X509* issuer = sk_X509_value(v.chain.get(), i + 1);
      const Status embedded =
          std::max(CrlStatus(cert, issuer, crls, options.revocation_cutoff),
                   ocsps.empty() ? Status::kNone
                                 : OcspStatus(cert, issuer, ocsps, v.chain.get(), trust, options.revocation_cutoff));
      const Status s = std::max(embedded, CrlStatus(cert, issuer, configured_crls, options.revocation_cutoff));
      if (embedded != Status::kGood) in_document = false;
      if (const std::optional<SysSeconds> not_after = internal::Asn1TimeToSys(X509_get0_notAfter(cert))) {
        if (!result.expires || *not_after < *result.expires) result.expires = not_after;
        if (options.expired_by && *not_after < *options.expired_by && s != Status::kGood) {
          result.expired_unproven = true;
        }
      }
      if (i == 0) leaf_status = s;
      if (s == Status::kRevoked) {
        worst = Status::kRevoked;
      } else if (s == Status::kUnknown && worst != Status::kRevoked) {
        worst = Status::kUnknown;
      } else if (s == Status::kGood && worst == Status::kNone) {
        worst = Status::kGood;
      }
    }
    switch (worst) {
      case Status::kRevoked:
        result.revocation = Revocation::kRevoked;
        AddReason(&result.reasons, "certificate_revoked");
        break;
      case Status::kUnknown:
        result.revocation = Revocation::kUnknown;
        AddReason(&result.reasons, "revocation_unknown");
        break;
      case Status::kGood:
        // "good" speaks of the signer's own certificate.
        result.revocation = leaf_status == Status::kGood ? Revocation::kGood : Revocation::kNotChecked;
        break;
      case Status::kNone:
        break;
    }
    result.revocation_in_document = in_document && n > 1;
  }
  result.trusted = result.reasons.empty();
  return result;
}

}  // namespace internal
}  // namespace pactum::signing
