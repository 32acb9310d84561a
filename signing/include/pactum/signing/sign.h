// Applying a PAdES signature to a PDF as an incremental update.
//
// The original bytes stay untouched (every earlier signature keeps
// verifying); the update adds a signature field with its widget (invisible by
// default, or a visible appearance on a page rectangle), the signature
// dictionary with /SubFilter /ETSI.CAdES.detached, and a CMS made by OpenSSL
// (PAdES B-B; with a time-stamp authority, B-T). B-LT appends a further
// update with the document security store (/DSS: certificates, CRLs and OCSP
// responses for every signature's chains, and a /VRI entry per signature);
// B-LTA then a document timestamp (/Type /DocTimeStamp, /SubFilter
// /ETSI.RFC3161). Thread-safe: calls share nothing but the immutable
// SigningKey and TrustContext.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pactum/models/status.h"

namespace pactum::signing {

class SigningKey;
class TrustContext;

// PAdES baseline levels (ETSI EN 319 142-1).
enum class PadesLevel {
  kBB,    // "b-b": the CAdES signature
  kBT,    // "b-t": plus a signature timestamp (needs a time-stamp authority)
  kBLT,   // "b-lt": plus validation data in the /DSS
  kBLTA,  // "b-lta": plus a document timestamp over all of it
};

// "b-b", "b-t", "b-lt", "b-lta".
std::string_view PadesLevelName(PadesLevel level);
// The inverse of PadesLevelName (exact spelling); nullopt otherwise.
std::optional<PadesLevel> ParsePadesLevel(std::string_view name);

struct SignOptions {
  std::shared_ptr<const SigningKey> key;  // REQUIRED
  // RFC 3161 time-stamp authority (http://...); empty: no timestamp (B-B).
  std::string tsa_url;
  std::chrono::seconds tsa_timeout{10};
  // Text entries of the signature dictionary; empty: left out.
  std::string reason, location, contact;
  // Name of the field to sign. An existing empty signature field of that
  // name is filled; otherwise a new field is made. Empty: "Signature<N>".
  std::string field;
  // Visible appearance: 1-based page and rectangle [x0, y0, x1, y1] in PDF
  // points from the page's top-left corner (the convention of the record's
  // bbox). Unset: an invisible signature on page 1.
  std::optional<int> page;
  std::optional<std::array<double, 4>> rect;
  // Certify instead of approve: the DocMDP permission level of a
  // certification signature (1 no changes, 2 form filling and signing,
  // 3 also annotations); 0: an approval signature. Only the first signature
  // of a document can certify.
  int certify = 0;
  // Signing time written to /M; default: the system clock.
  std::optional<std::chrono::sys_seconds> now;
  // PAdES level. Unset: B-T with a time-stamp authority, else B-B. B-T and
  // above need tsa_url.
  std::optional<PadesLevel> level;
  // Add no signature: give the signatures already in the document their
  // validation data (B-LT) and a document timestamp (B-LTA; unset level
  // means B-LTA). Extending a B-LTA document again renews its timestamp.
  bool extend = false;
  // Where B-LT finds validation data besides the signatures themselves:
  // the trust context's intermediates and anchors (to complete chains) and
  // CRLs (those of each certificate's issuer are embedded); the key's OCSP
  // responses and responder (SigningConfig). May be null.
  std::shared_ptr<const TrustContext> trust;
};

// The signed PDF. Errors: kUnsupportedMediaType for non-PDF bytes;
// kUnprocessable for encrypted or broken PDFs (repair them first);
// kBadRequest for a field that is already signed or is no signature field,
// a page or rectangle outside the document, certify on a document that
// already has signatures; kUnprocessable also when the document's
// certification (DocMDP level 1) forbids further signatures; kTimeout / kInternal when the
// time-stamp authority fails. Levels: kBadRequest for B-T and above without a
// time-stamp authority, B-LT and above when no CRL or OCSP response covers a
// signer's certificate, extend with B-B or B-T, or on a document without
// signatures; kUnprocessable for a document timestamp on a document
// certified with DocMDP level 1; kTimeout / kInternal when the OCSP
// responder fails.
Result<std::string> Sign(std::string_view pdf, const SignOptions& options);

}  // namespace pactum::signing
