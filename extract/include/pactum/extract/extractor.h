// The extraction pipeline as one function: bytes + options -> record or error.
// No global state: safe to call from several threads at once, and to run
// inside an isolated worker process.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pactum/extract/options.h"
#include "pactum/extract/pages.h"
#include "pactum/extract/searchable_pdf.h"
#include "pactum/models/digest.h"
#include "pactum/models/record.h"
#include "pactum/models/status.h"

namespace pactum::extract {

// Stages: sniff (415) -> open (422) -> pages (text layer / OCR) -> layout ->
// field extractors -> record. Errors carry the contract's codes.
Result<AgreementRecord> Extract(std::string_view bytes, const ExtractOptions& options);

// A document split into parts read apart (a long scan read by the workers
// of several replicas at once) gives the record Extract() gives, in two
// steps: ExtractPages() for each part, then ExtractFromPages() over the
// parts joined in page order.

// What the page stage read of pages first_page..last_page of a document.
struct PagesPart {
  int page_count = 0;  // of the whole document
  PagesResult pages;   // missing_pages: only within the part
};

// The page count of `bytes` (sniff and open, no page read). Errors as
// Extract()'s for those stages.
Result<int> CountPages(std::string_view bytes, const Limits& limits);

// Sniff, open and the page stage for options.first_page..last_page (the
// deadline, progress over the part's pages, cancellation and partial
// results as Extract() has them). Errors as Extract()'s; kBadRequest for a
// range that holds no page of the document.
Result<PagesPart> ExtractPages(std::string_view bytes, const ExtractOptions& options);

// The rest of Extract() over `pages`: the parts of every page of `bytes`,
// joined in page order (JoinParts). The record Extract() gives for the same
// pages.
Result<AgreementRecord> ExtractFromPages(std::string_view bytes, PagesPart pages, const ExtractOptions& options);

// Parts in page order joined into one: pages, decisions, warnings and
// missing pages one after the other. kBadRequest when they are not parts of
// one document covering its pages in order, without gaps or overlaps.
Result<PagesPart> JoinParts(std::vector<PagesPart> parts);

// A part as JSON text and back, exactly (boxes and confidences unrounded),
// between worker processes. Decoding fails (kInternal) on anything that is
// not such a text.
std::string PagesPartToJson(const PagesPart& part);
Result<PagesPart> PagesPartFromJson(std::string_view json);
// A JSON array of such texts' values (one element per part, in order), each
// decoded once; kInternal as above, or for an empty array.
Result<std::vector<PagesPart>> PagesPartsFromJson(std::string_view json_array);
// Extract() and the searchable PDF/A of the document (searchable_pdf.h),
// made from the pages as read: a signed PDF is refused (kConflict) before
// any page is read. A partial extraction's PDF has no text on the pages
// not read.
struct SearchableOutput {
  AgreementRecord record;
  std::string pdf;
};
Result<SearchableOutput> ExtractSearchable(std::string_view bytes, const ExtractOptions& options,
                                           const SearchablePdfOptions& pdf_options);

// Lowercase hex SHA-256 of `bytes` (the record id).
using pactum::Sha256Hex;

}  // namespace pactum::extract
