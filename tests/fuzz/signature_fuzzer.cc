// Fuzzes signature verification on the input as a PDF: the revision markers
// and startxref reader (pdf_file.h), then pactum::signing::Verify, which reads
// the signature dictionaries and byte ranges with qpdf and the CMS with
// OpenSSL. The rendering comparison is off (Poppler's rendering is the extract
// target's business and costs a render per page); the validation time is
// fixed so that runs are reproducible. With PACTUM_FUZZ_TRUST_ANCHOR naming a
// readable PEM root (the shared corpus's), chains are built against it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "check.h"
#include "pactum/signing/keys.h"
#include "pactum/signing/verify.h"
#include "pdf_file.h"

namespace {

std::shared_ptr<const pactum::signing::TrustContext> Trust() {
#ifdef PACTUM_FUZZ_TRUST_ANCHOR
  static const auto trust = [] {
    pactum::signing::TrustConfig config;
    config.anchor_files = {PACTUM_FUZZ_TRUST_ANCHOR};
    auto loaded = pactum::signing::LoadTrust(config);
    return loaded.ok() ? *loaded : nullptr;
  }();
  return trust;
#else
  return nullptr;
#endif
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view pdf(reinterpret_cast<const char*>(data), size);

  constexpr size_t kMaxRevisions = 8;
  const std::vector<size_t> markers = pactum::signing::FindEofMarkers(pdf);
  for (size_t i = 0; i < markers.size(); ++i) {
    PACTUM_FUZZ_CHECK(markers[i] >= 5 && markers[i] <= pdf.size());
    PACTUM_FUZZ_CHECK(i == 0 || markers[i - 1] < markers[i]);
    for (size_t end = markers[i]; end <= markers[i] + 2; ++end) {
      size_t marker_end = 0;
      if (pactum::signing::IsMarkerEnd(pdf, end, &marker_end)) {
        PACTUM_FUZZ_CHECK(marker_end <= end && marker_end >= 5);
      } else {
        PACTUM_FUZZ_CHECK(end != markers[i]);  // a marker's own end always is one
      }
    }
  }
  pactum::signing::LastStartXref(pdf);

  pactum::signing::VerifyOptions options;
  options.trust = Trust();
  options.visual_check = false;
  options.max_visual_pages = 1;
  options.max_revisions = kMaxRevisions;
  options.now = std::chrono::sys_seconds{std::chrono::seconds{1767225600}};  // 2026-01-01
  const pactum::Result<pactum::VerifyReport> report = pactum::signing::Verify(pdf, options);
  if (!report.ok()) {
    const pactum::ErrorCode code = report.error().code;
    PACTUM_FUZZ_CHECK(code == pactum::ErrorCode::kUnsupportedMediaType || code == pactum::ErrorCode::kUnprocessable);
    return 0;
  }
  // Every status is one of its enum's values (those have a name).
  PACTUM_FUZZ_CHECK(!pactum::Name(report->status).empty());
  PACTUM_FUZZ_CHECK((report->status == pactum::DocumentStatus::kUnsigned) == report->signatures.empty());
  for (const pactum::SignatureReport& s : report->signatures) {
    PACTUM_FUZZ_CHECK(!pactum::Name(s.status).empty());
    PACTUM_FUZZ_CHECK(s.revision >= 0 && s.revision <= report->revisions);
  }
  return 0;
}
