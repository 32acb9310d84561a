// Template-free field extractors, German and English. Each reads the
// document's text (page model, reading order) and fills its part of the
// Agreement. Fields the text does not state stay empty: nothing is guessed.
#pragma once

#include <string>
#include <vector>

#include "pactum/extract/page_text.h"
#include "pactum/models/record.h"

namespace pactum::extract {

// One line of the document in reading order, with where it came from.
struct TextLine {
  int page = 0;          // 1-based
  std::string text;
  Box box;
  double confidence = 1.0;
  int block = 0;         // block index on its page
};

// The whole document as lines in reading order, hyphenation across lines
// left as printed (extractors join lines themselves where they need to).
struct DocumentText {
  std::vector<TextLine> lines;
  static DocumentText FromPages(const std::vector<PageText>& pages);
};

// The full text of a document of `page_count` pages: each page's lines in
// reading order (block by block) joined by "\n", pages 1..page_count
// separated by a form feed "\f"; a page missing from `pages` (not read) is
// empty. `pages` are in page order.
std::string FullText(const std::vector<PageText>& pages, int page_count);

// Reads the document once (language, zones: src/reading/reading.h) and runs
// every field extractor over that reading. Returns the language ("de", "en"
// or "" when undecidable).
std::string ExtractFields(const DocumentText& doc, Agreement* out);

// Lower-level parsers, exposed for unit tests.
struct ParsedAmount {
  std::string value;     // two decimals
  std::string currency;  // ISO 4217
  size_t begin = 0, end = 0;  // byte span in the input
};
// Figures with a currency ("965.950 Euro", "EUR 1,250,000.00", "16 Mio. DM")
// and written amounts ("one million dollars"); a written amount with its
// figure beside it counts once. Words from the built-in language data
// (data/<lang>/amounts.json).
std::vector<ParsedAmount> FindAmounts(const std::string& text);

struct ParsedDate {
  std::string iso;       // YYYY-MM-DD
  size_t begin = 0, end = 0;
};
// How a numeric date with slashes or dashes is read when its numbers do not
// decide it: 4/1/2018 is 1 April (month first, US) or 4 January (day first).
// Dotted dates (1.4.2018) are always day first.
enum class DateOrder { kUnknown, kDayFirst, kMonthFirst };
// Dates in `text`, numeric and with month names, from the built-in language
// data (data/<lang>/dates.json). Ambiguous slashed dates follow the text's
// own evidence (a 4/23/2018 in it proves month first), else day first.
std::vector<ParsedDate> FindDates(const std::string& text);
// The same with the order given (kUnknown: day first); with `short_years`,
// slashed and dashed dates with a two-digit year (8/4/10) are read too.
std::vector<ParsedDate> FindDates(const std::string& text, DateOrder order, bool short_years = false);

}  // namespace pactum::extract
