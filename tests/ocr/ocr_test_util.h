// Helpers shared by the OCR tests: corpus access, rasters, word scores, one
// OCR engine for the whole test binary (initialised once).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ocr/pix.h"
#include "pactum/extract/document.h"
#include "pactum/extract/ocr_engine.h"
#include "pactum/extract/options.h"
#include "pactum/extract/page_image.h"
#include "pactum/extract/page_text.h"
#include "pactum/extract/pages.h"

namespace pactum::extract::testing {

std::string CorpusFile(const std::string& name);  // dev/NAME
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& bytes);
// A fresh directory for this test, removed by the caller's TempDir object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};
// Runs a shell command; returns its exit status.
int Run(const std::string& command);

// Page `page` of a PDF as rendered by the document layer, and its text layer.
PageImage RenderPdfPage(const std::string& bytes, int page, int dpi);
PageText PdfTextLayer(const std::string& bytes, int page);

// Words of `page` whose centre lies in `region` (points).
std::vector<std::string> WordsIn(const PageText& page, const Box& region);
std::vector<std::string> WordsOf(const PageText& page);
// Bag-of-words F1 of `got` against `want`; words compared without surrounding
// punctuation.
double WordF1(const std::vector<std::string>& got, const std::vector<std::string>& want);

// A document opened and its pages read (ReadPages) with `options`; the
// failures are test failures (doc null, result empty).
struct Pages {
  std::unique_ptr<Document> doc;
  PagesResult result;
};
Pages ReadAll(const std::string& bytes, MediaType type, const ExtractOptions& options);

// The test binary's OCR engine (deu+eng), created on first use.
OcrEngine& SharedEngine();

// Leptonica <-> PageImage for building degraded pages.
ocr::PixPtr ToPix(const PageImage& image);
PageImage FromPix(PIX* pix, int dpi);

}  // namespace pactum::extract::testing
