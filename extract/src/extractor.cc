// The extraction pipeline: bytes + options -> record, as named stages.
#include "pactum/extract/extractor.h"

#include <algorithm>

#include "pactum/extract/document.h"
#include "pactum/extract/fields.h"
#include "pactum/extract/pages.h"
#include "pactum/extract/searchable_pdf.h"
#include "pactum/extract/sniff.h"

namespace pactum::extract {

namespace {

using Clock = std::chrono::steady_clock;

DocumentTextSource TextSourceOf(const std::vector<PageInfo>& pages) {
  bool pdf = false, ocr = false;
  for (const auto& p : pages) (p.text_source == PageTextSource::kOcr ? ocr : pdf) = true;
  if (pdf && ocr) return DocumentTextSource::kMixed;
  return ocr ? DocumentTextSource::kOcr : DocumentTextSource::kPdfText;
}

// `options` with the absolute deadlines set (the deadline runs from here;
// the page stage checks it between pages) and the language list canonical.
Result<ExtractOptions> Started(const ExtractOptions& options_in) {
  ExtractOptions options = options_in;
  if (options.limits.deadline.count() > 0 && !options.not_after) {
    options.not_after = Clock::now() + options.limits.deadline;
  }
  if (options.partial_at_deadline && options.not_after && !options.pages_not_after) {
    options.pages_not_after = Clock::now() + PagesDeadline(options.limits.deadline);
  }
  auto languages = CanonicalLanguages(options.lang);
  if (!languages.ok()) return languages.error();
  options.lang = *languages;
  return options;
}

bool Expired(const ExtractOptions& options) { return options.not_after && Clock::now() > *options.not_after; }

bool Cancelled(const ExtractOptions& options) { return options.cancel != nullptr && options.cancel->load(); }

Error Timeout(const ExtractOptions& options) {
  return Error::Timeout("the document took longer than the time limit of " +
                        std::to_string(options.limits.deadline.count()) + " ms to process");
}

// Stages 1 and 2.
Result<std::unique_ptr<Document>> Opened(std::string_view bytes, const Limits& limits) {
  // 1. Triage: identify the format from the bytes.
  if (bytes.empty()) return Error::BadRequest("the upload is empty; send the document's bytes");
  const MediaType type = Sniff(bytes);
  if (type == MediaType::kUnknown) {
    return Error::Unsupported("not a PDF, PNG, JPEG or TIFF file (identified from its bytes); upload one of those");
  }
  // 2. Open.
  return Document::Open(bytes, type, limits);
}

// Stage 3 for `options`' pages of `doc`; `options` started.
Result<PagesPart> ReadOpened(Document& doc, const ExtractOptions& options) {
  // 3. Pages: text layer or OCR, per page; layout. A partial extraction
  // may leave pages out (missing_pages).
  if (Cancelled(options)) return Error::Cancelled();
  if (Expired(options)) return Timeout(options);
  auto pages = ReadPages(doc, options);
  if (!pages.ok()) return pages.error();
  if (Cancelled(options)) return Error::Cancelled();
  // A partial extraction answers with the pages it has, even when a page in
  // flight (its rendering cannot be interrupted) outlasted the reserve.
  if (Expired(options) && !options.partial_at_deadline) return Timeout(options);
  return PagesPart{doc.page_count(), std::move(pages).value()};
}

// Stages 1 to 3 for `options`' pages; `options` started.
Result<PagesPart> ReadPart(std::string_view bytes, const ExtractOptions& options) {
  auto doc = Opened(bytes, options.limits);
  if (!doc.ok()) return doc.error();
  return ReadOpened(**doc, options);
}

// Stage 4 over the pages of all of `bytes`; `options` started.
Result<AgreementRecord> RecordOf(std::string_view bytes, const PagesPart& part, const ExtractOptions& options) {
  const PagesResult& pages = part.pages;
  AgreementRecord record;
  record.id = Sha256Hex(bytes);
  record.document.media_type = std::string(MediaTypeName(Sniff(bytes)));
  record.document.bytes = static_cast<long long>(bytes.size());
  record.document.pages = part.page_count;
  record.document.text_source = TextSourceOf(pages.page_info);
  double conf_sum = 0;
  int conf_n = 0;
  for (const auto& p : pages.page_info) {
    if (p.ocr_mean_confidence) {
      conf_sum += *p.ocr_mean_confidence;
      ++conf_n;
    }
  }
  if (conf_n > 0) record.document.ocr_mean_confidence = conf_sum / conf_n;
  record.document.page_info = pages.page_info;
  record.warnings = pages.warnings;
  record.partial = !pages.missing_pages.empty();
  record.missing_pages = pages.missing_pages;

  // 4. Fields.
  if (Expired(options) && !options.partial_at_deadline) return Timeout(options);
  const DocumentText text = DocumentText::FromPages(pages.pages);
  const std::string lang = ExtractFields(text, &record.agreement);
  if (options.full_text) record.document.text = FullText(pages.pages, record.document.pages);
  if (!lang.empty()) record.document.language = lang;

  return record;
}

}  // namespace

Result<AgreementRecord> Extract(std::string_view bytes, const ExtractOptions& options_in) {
  Result<ExtractOptions> options = Started(options_in);
  if (!options.ok()) return options.error();
  options->first_page = 1;
  options->last_page = 0;
  Result<PagesPart> pages = ReadPart(bytes, *options);
  if (!pages.ok()) return pages.error();
  return RecordOf(bytes, *pages, *options);
}

Result<int> CountPages(std::string_view bytes, const Limits& limits) {
  auto doc = Opened(bytes, limits);
  if (!doc.ok()) return doc.error();
  return (*doc)->page_count();
}

Result<PagesPart> ExtractPages(std::string_view bytes, const ExtractOptions& options_in) {
  Result<ExtractOptions> options = Started(options_in);
  if (!options.ok()) return options.error();
  return ReadPart(bytes, *options);
}

Result<AgreementRecord> ExtractFromPages(std::string_view bytes, PagesPart pages, const ExtractOptions& options_in) {
  Result<ExtractOptions> options = Started(options_in);
  if (!options.ok()) return options.error();
  if (bytes.empty() || Sniff(bytes) == MediaType::kUnknown) {
    return Error::BadRequest("the pages were read from a document that is not a PDF, PNG, JPEG or TIFF file");
  }
  return RecordOf(bytes, pages, *options);
}

Result<PagesPart> JoinParts(std::vector<PagesPart> parts) {
  if (parts.empty()) return Error::BadRequest("no parts to join");
  PagesPart whole;
  whole.page_count = parts.front().page_count;
  int next = 1;  // the first page the next part must hold
  for (PagesPart& part : parts) {
    if (part.page_count != whole.page_count) return Error::BadRequest("the parts are of documents of other lengths");
    // The part's pages, read or missing, in order.
    std::vector<int> held;
    for (const PageText& p : part.pages.pages) held.push_back(p.page);
    held.insert(held.end(), part.pages.missing_pages.begin(), part.pages.missing_pages.end());
    std::sort(held.begin(), held.end());
    for (int page : held) {
      if (page != next) {
        return Error::BadRequest("the parts do not hold page " + std::to_string(next) + " once, in order");
      }
      ++next;
    }
    PagesResult& from = part.pages;
    PagesResult& to = whole.pages;
    std::move(from.pages.begin(), from.pages.end(), std::back_inserter(to.pages));
    std::move(from.page_info.begin(), from.page_info.end(), std::back_inserter(to.page_info));
    std::move(from.warnings.begin(), from.warnings.end(), std::back_inserter(to.warnings));
    to.missing_pages.insert(to.missing_pages.end(), from.missing_pages.begin(), from.missing_pages.end());
  }
  if (next != whole.page_count + 1) {
    return Error::BadRequest("the parts end at page " + std::to_string(next - 1) + " of " +
                             std::to_string(whole.page_count));
  }
  SortWarnings(&whole.pages.warnings);
  return whole;
}

Result<SearchableOutput> ExtractSearchable(std::string_view bytes, const ExtractOptions& options_in,
                                           const SearchablePdfOptions& pdf_options) {
  Result<ExtractOptions> options = Started(options_in);
  if (!options.ok()) return options.error();
  options->first_page = 1;
  options->last_page = 0;
  auto doc = Opened(bytes, options->limits);
  if (!doc.ok()) return doc.error();
  // Signed PDFs are refused before any page is read.
  if (Sniff(bytes) == MediaType::kPdf) {
    if (auto refused = RefuseSignedPdf(bytes)) return *refused;
  }
  Result<PagesPart> pages = ReadOpened(**doc, *options);
  if (!pages.ok()) return pages.error();
  SearchableOutput out;
  Result<AgreementRecord> record = RecordOf(bytes, *pages, *options);
  if (!record.ok()) return record.error();
  out.record = std::move(record).value();

  // 5. The searchable PDF, from the pages as read.
  if (Cancelled(*options)) return Error::Cancelled();
  if (Expired(*options)) return Timeout(*options);
  SearchablePdfOptions po = pdf_options;
  if (po.title.empty() && out.record.agreement.title) po.title = *out.record.agreement.title;
  auto made = MakeSearchablePdf(bytes, **doc, pages->pages.pages, po);
  if (!made.ok()) return made.error();
  out.pdf = std::move(made).value();
  return out;
}

}  // namespace pactum::extract
