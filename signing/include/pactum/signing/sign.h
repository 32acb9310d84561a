// Applying a PAdES signature to a PDF as an incremental update.
//
// The original bytes stay untouched (every earlier signature keeps
// verifying); the update adds a signature field with its widget (invisible by
// default, or a visible appearance on a page rectangle), the signature
// dictionary with /SubFilter /ETSI.CAdES.detached, and a CMS made by OpenSSL
// (PAdES B-B; with a time-stamp authority, B-T). Thread-safe: calls share
// nothing but the immutable SigningKey.
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
};

// The signed PDF. Errors: kUnsupportedMediaType for non-PDF bytes;
// kUnprocessable for encrypted or broken PDFs (repair them first);
// kBadRequest for a field that is already signed or is no signature field,
// a page or rectangle outside the document, certify on a document that
// already has signatures; kUnprocessable also when the document's
// certification (DocMDP level 1) forbids further signatures; kTimeout / kInternal when the
// time-stamp authority fails.
Result<std::string> Sign(std::string_view pdf, const SignOptions& options);

}  // namespace pactum::signing
