// The page model: words with boxes, grouped into lines and blocks.
//
// Engine-neutral: the Poppler text layer and Tesseract's OCR both fill it, and
// the field extractors read only this. Boxes are in PDF points from the page's
// top-left corner (pactum::Box). Confidence is 0..1 (1 for a PDF text layer).
#pragma once

#include <string>
#include <vector>

#include "pactum/models/record.h"

namespace pactum::extract {

enum class TextSource { kPdfText, kOcr };

struct Word {
  std::string text;        // UTF-8, NFC, ligatures expanded
  Box box;
  double confidence = 1.0;
  bool space_after = true; // false when the next glyph run continues the word
  // Set in a font that draws nothing: the invisible text layer an OCR tool
  // laid over a scan (Tesseract's and OCRmyPDF's "GlyphLessFont").
  bool invisible = false;
};

// A line is a run of words on one baseline, left to right, inside one block.
struct Line {
  std::vector<int> words;  // indices into PageText::words, left to right
  Box box;
  std::string text;        // words joined by single spaces
};

// A block is a column-local group of consecutive lines (a paragraph, a
// heading, one signature block). Blocks are in reading order.
struct Block {
  std::vector<int> lines;  // indices into PageText::lines, top to bottom
  Box box;
};

struct PageText {
  int page = 0;            // 1-based
  double width_pt = 0;
  double height_pt = 0;
  TextSource source = TextSource::kPdfText;
  std::vector<Word> words; // in content-stream (PDF) or engine (OCR) order
  std::vector<Line> lines; // filled by BuildLayout, in reading order
  std::vector<Block> blocks;
};

// Groups `page->words` into lines and blocks in reading order (columns that
// stand side by side, such as two signature blocks, stay apart). Replaces
// any lines/blocks the page already has.
void BuildLayout(PageText* page);

// True when the page carries a text layer worth reading: enough words, most
// of them made of letters and digits rather than replacement characters or
// control garbage, and not only an invisible OCR layer over a scan (whose
// quality is unknown). A page that fails this is OCRed in `ocr=auto`.
bool HasUsableTextLayer(const PageText& page, std::string* reason = nullptr);

// Unicode clean-up for one word: NFC, ligatures (ﬁ, ﬂ, ...) expanded, soft
// hyphens and zero-width characters removed.
std::string NormalizeWordText(const std::string& utf8);

}  // namespace pactum::extract
