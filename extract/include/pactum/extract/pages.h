// The page stage of the pipeline: for every page, decide between the text
// layer and OCR (ocr=auto|always|never), render + clean up + OCR where needed,
// and return each page's text in the page model.
#pragma once

#include <vector>

#include "pactum/extract/document.h"
#include "pactum/extract/options.h"
#include "pactum/models/record.h"

namespace pactum::extract {

struct PagesResult {
  std::vector<PageText> pages;       // one per page read, in page order, layout built
  std::vector<PageInfo> page_info;   // the decision per page read, for the record
  std::vector<Warning> warnings;
  // Pages not read (1-based, ascending): only a partial extraction
  // (ExtractOptions::partial_at_deadline) leaves any out; empty otherwise.
  std::vector<int> missing_pages;
};

// Reads every page of ExtractOptions::first_page..last_page (or, partial_at_deadline, those read by the page stage's
// deadline), reporting progress and stopping on cancellation as `options`
// say. Errors: the first page's error; kTimeout past the deadline (not
// partial); Error::Cancelled().
// kBadRequest when that range holds no page of `doc`.
Result<PagesResult> ReadPages(Document& doc, const ExtractOptions& options);

// Orders warnings by page (those of no page first), keeping the order of
// those of one page.
void SortWarnings(std::vector<Warning>* warnings);

}  // namespace pactum::extract
