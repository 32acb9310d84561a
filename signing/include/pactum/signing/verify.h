// Verification of the digital signatures embedded in a PDF.
//
// For every signature field (approval signatures, certification signatures
// and document timestamps) the verifier checks the byte range, the CMS with
// OpenSSL, the chain against the configured trust anchors, revocation data,
// timestamps, and whether the document was changed after signing (each
// later revision compared with the one before it by meaning, against DocMDP,
// and a rendering comparison with Poppler). Thread-safe: calls share nothing but
// the immutable TrustContext.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include "pactum/models/signature.h"
#include "pactum/models/status.h"

namespace pactum::signing {

class TrustContext;

struct VerifyOptions {
  // Trust anchors, intermediates and CRLs. nullptr: no anchors, so every
  // mathematically sound signature is "indeterminate" (untrusted_chain).
  std::shared_ptr<const TrustContext> trust;
  // Render the signed revision and the final file and compare them when a
  // signature does not cover the whole file. Costs a render per page.
  bool visual_check = true;
  int max_visual_pages = 100;
  // Revisions (%%EOF markers) examined one by one, each opened with qpdf:
  // the last ones. All are counted and numbered; a signature that ends
  // before these is indeterminate (revisions_over_limit).
  size_t max_revisions = 256;
  // Validation time; default: the system clock at the call.
  std::optional<std::chrono::sys_seconds> now;
};

// The verification report of a PDF. Errors: kUnsupportedMediaType when the
// bytes are no PDF, kUnprocessable when it cannot be read at all (broken
// beyond repair, encrypted with a password). A PDF without signatures is a
// report with status "unsigned".
Result<VerifyReport> Verify(std::string_view pdf, const VerifyOptions& options);

}  // namespace pactum::signing
