// The extraction pipeline as one function: bytes + options -> record or error.
// No global state: safe to call from several threads at once, and to run
// inside an isolated worker process.
#pragma once

#include <string>
#include <string_view>

#include "pactum/extract/options.h"
#include "pactum/extract/searchable_pdf.h"
#include "pactum/models/digest.h"
#include "pactum/models/record.h"
#include "pactum/models/status.h"

namespace pactum::extract {

// Stages: sniff (415) -> open (422) -> pages (text layer / OCR) -> layout ->
// field extractors -> record. Errors carry the contract's codes.
Result<AgreementRecord> Extract(std::string_view bytes, const ExtractOptions& options);

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
