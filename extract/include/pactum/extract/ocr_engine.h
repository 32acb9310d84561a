// OCR: a page image in, words with boxes (PDF points) and confidences out.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "pactum/extract/page_image.h"
#include "pactum/extract/page_text.h"
#include "pactum/models/status.h"

namespace pactum::extract {

class OcrEngine {
 public:
  virtual ~OcrEngine() = default;
  // Recognises `image` (already cleaned up) and returns its words, lines and
  // blocks in PDF points, source kOcr.
  virtual Result<PageText> Recognize(const PageImage& image) = 0;
  // How far `image` (binarised, roughly upright or turned by quarters) must be
  // turned clockwise to stand upright: 0, 90, 180 or 270. Returns 0 when the
  // engine cannot tell with confidence (or has no orientation detection).
  virtual int DetectOrientation(const PageImage& image) {
    (void)image;
    return 0;
  }
  virtual const std::string& languages() const = 0;
  // Recognition stops at `not_after` (Recognize then fails with kTimeout);
  // nullopt: no limit. Applies to the following Recognize calls.
  virtual void SetDeadline(std::optional<std::chrono::steady_clock::time_point> not_after) { (void)not_after; }
  // Recognition stops soon after *cancel becomes true (Recognize then fails
  // with Error::Cancelled()); null: never. Not owned: must outlive the
  // following Recognize calls, or be replaced first.
  virtual void SetCancel(const std::atomic<bool>* cancel) { (void)cancel; }
};

// Creates a Tesseract engine for `languages` (e.g. "deu+eng").
Result<std::unique_ptr<OcrEngine>> CreateTesseractEngine(const std::string& languages);

// A set of initialised engines, handed out one per worker thread and reused
// across pages and requests. Thread-safe.
class OcrEnginePool {
 public:
  virtual ~OcrEnginePool() = default;
  // An engine for `languages`, exclusively the caller's until it is given
  // back with Release().
  virtual Result<std::shared_ptr<OcrEngine>> Acquire(const std::string& languages) = 0;
  virtual void Release(const std::string& languages, std::shared_ptr<OcrEngine> engine) = 0;
};

std::unique_ptr<OcrEnginePool> CreateOcrEnginePool(int max_engines_per_language);

}  // namespace pactum::extract
