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
  std::vector<PageText> pages;       // one per page, in page order, layout built
  std::vector<PageInfo> page_info;   // the decision per page, for the record
  std::vector<Warning> warnings;
};

Result<PagesResult> ReadPages(Document& doc, const ExtractOptions& options);

}  // namespace pactum::extract
