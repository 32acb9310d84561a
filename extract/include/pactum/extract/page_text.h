// The page model: words with boxes, grouped into lines and blocks.
//
// Engine-neutral: the Poppler text layer and Tesseract's OCR both fill it, and
// the field extractors read only this. Boxes are in PDF points from the page's
// top-left corner (pactum::Box). Confidence is 0..1 (1 for a PDF text layer).
#pragma once

#include <string>
#include <vector>

#include "pactum/extract/page_image.h"
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
  // Read by OCR. On a page whose text layer was kept and only its pictures
  // were OCRed, the text layer's words are not.
  bool ocr = false;
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
  // OCR: clockwise quarter turns (0..3) the page as submitted was given for
  // its text to stand upright; the boxes above are on the page as
  // submitted, so on a turned page words run down or up it.
  int quarter_turns = 0;
};

// Groups `page->words` into lines and blocks in reading order (columns that
// stand side by side, such as two signature blocks, stay apart). Replaces
// any lines/blocks the page already has.
void BuildLayout(PageText* page);

// What a page's text layer is worth, judged from its characters alone (their
// Unicode classes, never what they say). `ocr=auto` reads kText and kSparse
// pages from the text layer and OCRs the others, unless the rendered page
// shows nothing to read (CountUnreadGlyphs).
enum class TextLayerQuality {
  kNone,       // no characters ("no-text-layer")
  kInvisible,  // only an invisible OCR layer over a scan, of unknown quality ("invisible-text-layer")
  kGarbage,    // characters that are not the page's text: private-use or
               // replacement characters, implausible letter statistics (a font
               // whose codes map to the wrong letters), glyph soup
               // ("garbage-text-layer: ...")
  kSparse,     // real text, but little of it (fewer than 200 letters and
               // digits): it may not be all the page shows ("sparse-text-layer")
  kText,       // a real text layer ("text-layer"): words, numbers, table cells,
               // rules to fill in, redaction marks
};

// Judges `page` and, when `reason` is given, stores the machine-readable
// reason shown above (with a short explanation after "garbage-text-layer: ").
TextLayerQuality JudgeTextLayer(const PageText& page, std::string* reason = nullptr);

// True when the page carries real text (kText or kSparse); `reason` as above.
bool HasUsableTextLayer(const PageText& page, std::string* reason = nullptr);

// The number of letter- or word-sized marks on `image` (the page rendered at
// any resolution, in the page's own orientation) outside every word box of
// `page`, leaving out rules, borders and table grids. A born-digital page
// leaves a few (a drawn signature, a logo); a scanned page or a table pasted
// as a picture leaves hundreds.
int CountUnreadGlyphs(const PageText& page, const PageImage& image);

// The marks CountUnreadGlyphs counts, and the box (in points on the page)
// that holds them all: where the page shows text its text layer lacks.
// REQUIRES: `image` is the whole page (its origin at the page's corner).
struct UnreadMarks {
  int count = 0;
  Box box;  // empty when count is 0
};
UnreadMarks FindUnreadMarks(const PageText& page, const PageImage& image);

// Unicode clean-up for one word: NFC, ligatures (ﬁ, ﬂ, ...) expanded, soft
// hyphens and zero-width characters removed.
std::string NormalizeWordText(const std::string& utf8);

}  // namespace pactum::extract
