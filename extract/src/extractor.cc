// The extraction pipeline: bytes + options -> record, as named stages.
#include "pactum/extract/extractor.h"

#include "pactum/extract/document.h"
#include "pactum/extract/fields.h"
#include "pactum/extract/pages.h"
#include "pactum/extract/searchable_pdf.h"
#include "pactum/extract/sniff.h"

namespace pactum::extract {

namespace {

DocumentTextSource TextSourceOf(const std::vector<PageInfo>& pages) {
  bool pdf = false, ocr = false;
  for (const auto& p : pages) (p.text_source == PageTextSource::kOcr ? ocr : pdf) = true;
  if (pdf && ocr) return DocumentTextSource::kMixed;
  return ocr ? DocumentTextSource::kOcr : DocumentTextSource::kPdfText;
}

// The stages; with `pdf` also the searchable PDF (signed PDFs refused
// before any page is read).
Result<AgreementRecord> Run(std::string_view bytes, const ExtractOptions& options_in,
                            const SearchablePdfOptions* pdf_options, std::string* pdf) {
  // The deadline runs from here; the page stage checks it between pages.
  ExtractOptions options = options_in;
  if (options.limits.deadline.count() > 0 && !options.not_after) {
    options.not_after = std::chrono::steady_clock::now() + options.limits.deadline;
  }
  if (options.partial_at_deadline && options.not_after && !options.pages_not_after) {
    options.pages_not_after = std::chrono::steady_clock::now() + PagesDeadline(options.limits.deadline);
  }
  auto expired = [&] { return options.not_after && std::chrono::steady_clock::now() > *options.not_after; };
  auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };
  const Error timeout = Error::Timeout("the document took longer than the time limit of " +
                                      std::to_string(options.limits.deadline.count()) + " ms to process");

  auto languages = CanonicalLanguages(options.lang);
  if (!languages.ok()) return languages.error();
  options.lang = *languages;

  // 1. Triage: identify the format from the bytes.
  if (bytes.empty()) return Error::BadRequest("the upload is empty; send the document's bytes");
  const MediaType type = Sniff(bytes);
  if (type == MediaType::kUnknown) {
    return Error::Unsupported("not a PDF, PNG, JPEG or TIFF file (identified from its bytes); upload one of those");
  }

  // 2. Open.
  auto doc = Document::Open(bytes, type, options.limits);
  if (!doc.ok()) return doc.error();
  if (pdf != nullptr && type == MediaType::kPdf) {
    if (auto refused = RefuseSignedPdf(bytes)) return *refused;
  }

  // 3. Pages: text layer or OCR, per page; layout. A partial extraction
  // may leave pages out (missing_pages).
  if (cancelled()) return Error::Cancelled();
  if (expired()) return timeout;
  auto pages = ReadPages(**doc, options);
  if (!pages.ok()) return pages.error();
  if (cancelled()) return Error::Cancelled();
  // A partial extraction answers with the pages it has, even when a page in
  // flight (its rendering cannot be interrupted) outlasted the reserve.
  if (expired() && !options.partial_at_deadline) return timeout;

  AgreementRecord record;
  record.id = Sha256Hex(bytes);
  record.document.media_type = std::string(MediaTypeName(type));
  record.document.bytes = static_cast<long long>(bytes.size());
  record.document.pages = (*doc)->page_count();
  record.document.text_source = TextSourceOf(pages->page_info);
  double conf_sum = 0;
  int conf_n = 0;
  for (const auto& p : pages->page_info) {
    if (p.ocr_mean_confidence) {
      conf_sum += *p.ocr_mean_confidence;
      ++conf_n;
    }
  }
  if (conf_n > 0) record.document.ocr_mean_confidence = conf_sum / conf_n;
  record.document.page_info = pages->page_info;
  record.warnings = pages->warnings;
  record.partial = !pages->missing_pages.empty();
  record.missing_pages = pages->missing_pages;

  // 4. Fields.
  if (expired() && !options.partial_at_deadline) return timeout;
  const DocumentText text = DocumentText::FromPages(pages->pages);
  const std::string lang = ExtractFields(text, &record.agreement);
  if (!lang.empty()) record.document.language = lang;

  // 5. Searchable PDF (on request).
  if (pdf != nullptr) {
    if (cancelled()) return Error::Cancelled();
    if (expired()) return timeout;
    SearchablePdfOptions po = *pdf_options;
    if (po.title.empty() && record.agreement.title) po.title = *record.agreement.title;
    auto made = MakeSearchablePdf(bytes, **doc, pages->pages, po);
    if (!made.ok()) return made.error();
    *pdf = std::move(made).value();
  }
  return record;
}

}  // namespace

Result<AgreementRecord> Extract(std::string_view bytes, const ExtractOptions& options) {
  return Run(bytes, options, nullptr, nullptr);
}

Result<SearchableOutput> ExtractSearchable(std::string_view bytes, const ExtractOptions& options,
                                           const SearchablePdfOptions& pdf_options) {
  SearchableOutput out;
  auto record = Run(bytes, options, &pdf_options, &out.pdf);
  if (!record.ok()) return record.error();
  out.record = std::move(record).value();
  return out;
}

}  // namespace pactum::extract
