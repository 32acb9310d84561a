// Searchable PDF/A-2b output: the pages of a document as submitted, with an
// invisible text layer over every page whose text came from OCR.
//
// The text layer is the extraction's own OCR (the words and boxes of the
// record), set in a glyph-less font (Tesseract's pdf.ttf, embedded) in text
// rendering mode 3, each word stretched over its box, so that viewers find,
// select and copy it where it is printed. Text such a page already showed
// invisibly (an earlier OCR layer, judged and OCRed again) is removed. PDF pages that were read from
// their text layer are copied unchanged (their content streams are not
// touched); image documents (PNG, JPEG, TIFF pages) become PDF pages at
// their own resolution, JPEG data kept as it is.
//
// The file is PDF/A-2b: XMP metadata (pdfaid:part 2, conformance B,
// dc:title, producer, dates) matching the document information, an output
// intent with the sRGB ICC profile (kIccProfilePath), no encryption, no
// JavaScript, a document ID. Born-digital pages are copied as they are, so
// a file whose pages use fonts that are not embedded or paint in DeviceCMYK
// cannot be PDF/A: it is then written without the PDF/A identification and
// output intent (and the reason is logged).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/extract/document.h"
#include "pactum/extract/page_text.h"
#include "pactum/models/status.h"

namespace pactum::extract {

// The sRGB profile of Debian's icc-profiles-free package.
inline constexpr const char* kIccProfilePath = "/usr/share/color/icc/sRGB.icc";
// Tesseract's glyph-less font (Debian's libtesseract5 package).
inline constexpr const char* kGlyphlessFontPath = "/usr/share/tesseract-ocr/5/tessdata/pdf.ttf";

struct SearchablePdfOptions {
  std::string title;  // dc:title and /Title; empty: "Document"
  // Data files, read when the PDF is made (tests may point elsewhere).
  std::string icc_profile_path = kIccProfilePath;
  std::string font_path = kGlyphlessFontPath;
};

// kConflict when `pdf` carries a digital signature (a signature field with
// a value, or a document timestamp): rewriting it would break every
// signature in it. nullopt otherwise (also for bytes that are not a PDF).
std::optional<Error> RefuseSignedPdf(std::string_view pdf);

// The searchable PDF of `bytes` (opened as `doc`) from `pages`, the pages
// as read (PageText::source kOcr gets a text layer; pages missing from
// `pages` are copied without one). Errors: kConflict for a signed PDF,
// kUnprocessable for a PDF qpdf cannot read, kInternal when a data file is
// missing.
Result<std::string> MakeSearchablePdf(std::string_view bytes, Document& doc, const std::vector<PageText>& pages,
                                      const SearchablePdfOptions& options);

}  // namespace pactum::extract
