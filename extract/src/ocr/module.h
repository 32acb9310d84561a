// The OCR module (libpactum_ocr.so): everything that needs Tesseract and
// Leptonica, loaded with dlopen the first time a page must be OCRed or an
// image decoded. A born-digital PDF never loads it, which keeps the start of
// `pactum extract` (and its memory) close to Poppler's own tools: the two
// libraries and their dependencies more than double the dynamic loader's work.
//
// The module exports one function returning a table; the rest of pactum
// calls the module only through OpenImageDocument(), CreateTesseractEngine()
// and ocr::CleanUp(), which forward to the table.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ocr/leptonica_cleanup.h"
#include "pactum/extract/document.h"
#include "pactum/extract/ocr_engine.h"

namespace pactum::extract::ocr {

// Implementations inside the module.
Result<std::unique_ptr<Document>> OpenImage(std::string_view bytes, MediaType type, const Limits& limits);
Result<std::unique_ptr<OcrEngine>> CreateTesseract(const std::string& languages);

struct ModuleTable {
  int abi;  // kModuleAbi of the module's build
  Result<std::unique_ptr<Document>> (*open_image)(std::string_view, MediaType, const Limits&);
  Result<std::unique_ptr<OcrEngine>> (*create_engine)(const std::string&);
  Result<CleanedPage> (*clean_up)(const PageImage&, OcrEngine*, const CleanupOptions&);
};

// Bumped whenever ModuleTable or a type crossing it changes.
constexpr int kModuleAbi = 4;
constexpr const char* kModuleEntry = "pactum_ocr_module";

// Main side: clean-up through the module (loads it on first use).
Result<CleanedPage> CleanUp(const PageImage& raw, OcrEngine* orientation, const CleanupOptions& options);

}  // namespace pactum::extract::ocr

// The module's entry point (C linkage, found with dlsym).
extern "C" const pactum::extract::ocr::ModuleTable* pactum_ocr_module();
