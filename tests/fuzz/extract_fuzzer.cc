// Fuzzes the whole extraction pipeline on PDF bytes: sniffing, opening with
// Poppler, the text layer, layout and every field extractor. OCR is off and
// the limits are small, so that a run stays fast; other formats (PNG, JPEG,
// TIFF go to the OCR module's image decoding) are skipped. A failure must be
// one of the contract's errors for bad input, never kInternal (a bug).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <poppler-global.h>
#include <spdlog/spdlog.h>

#include "check.h"
#include "pactum/extract/extractor.h"
#include "pactum/extract/sniff.h"

// Quiet: the page stage logs every page at info level and Poppler prints a
// line for each syntax error of a damaged file, which costs more time than
// the parsing.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::warn);
  poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (pactum::extract::Sniff(bytes) != pactum::extract::MediaType::kPdf) return 0;

  pactum::extract::ExtractOptions options;
  options.ocr = pactum::extract::OcrMode::kNever;
  options.max_ocr_threads = 1;
  options.limits.max_pages = 20;
  options.limits.deadline = std::chrono::milliseconds(5000);
  const pactum::Result<pactum::AgreementRecord> record = pactum::extract::Extract(bytes, options);
  if (!record.ok()) {
    const pactum::ErrorCode code = record.error().code;
    PACTUM_FUZZ_CHECK(code == pactum::ErrorCode::kUnprocessable || code == pactum::ErrorCode::kUnsupportedMediaType ||
                      code == pactum::ErrorCode::kBadRequest || code == pactum::ErrorCode::kTimeout);
    PACTUM_FUZZ_CHECK(!record.error().message.empty());
    return 0;
  }
  PACTUM_FUZZ_CHECK(record->document.pages <= options.limits.max_pages);
  return 0;
}
