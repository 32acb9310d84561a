#include "pipeline.h"

#include <sys/resource.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "pactum/extract/document.h"
#include "pactum/extract/extractor.h"
#include "pactum/extract/pdf_objects.h"
#include "pactum/models/digest.h"
#include "pactum/signing/sign.h"
#include "pdf_guard.h"
#include "page_png.h"

// AddressSanitizer and ThreadSanitizer reserve terabytes of address space
// for their shadow memory: an address-space cap would stop them at once.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PACTUM_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PACTUM_UNDER_SANITIZER 1
#endif
#endif

namespace pactum::service {
namespace {

using Clock = std::chrono::steady_clock;

double CpuSecondsUsed() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void CountSignatures(const std::vector<SignatureReport>& signatures, WorkStats* stats) {
  for (const SignatureReport& s : signatures) stats->signatures[std::string(Name(s.status))]++;
}

// Keeps the first `max` warnings and says how many more there were.
void CapWarnings(int max, std::vector<Warning>* warnings) {
  const auto keep = static_cast<std::size_t>(std::max(0, max));
  if (warnings->size() <= keep) return;
  const std::size_t dropped = warnings->size() - keep;
  warnings->resize(keep);
  warnings->push_back({"warnings-truncated",
                       std::to_string(dropped) + " further warnings were dropped (at most " + std::to_string(keep) +
                           " are kept per document)",
                       std::nullopt});
}

// The parts of ExtractStep::kJoin: a JSON array of PagesPartToJson texts,
// joined in page order.
Result<extract::PagesPart> JoinedParts(const std::string& parts_json) {
  Result<std::vector<extract::PagesPart>> decoded = extract::PagesPartsFromJson(parts_json);
  if (!decoded.ok()) return decoded.error();
  Result<extract::PagesPart> joined = extract::JoinParts(std::move(decoded).value());
  if (!joined.ok()) return Error::Internal("the parts do not join: " + joined.error().message);
  return joined;
}

// The pages read (`pages`: their decisions), OCRed and rendered.
void CountPages(const std::vector<PageInfo>& pages, extract::MediaType type, WorkStats* stats) {
  stats->pages = static_cast<int>(pages.size());
  for (const PageInfo& p : pages) {
    if (p.text_source == PageTextSource::kOcr) stats->pages_ocr++;
  }
  if (type == extract::MediaType::kPdf) stats->pages_rendered = stats->pages_ocr;
}

Result<DocumentOutput> ExtractStage(std::string_view bytes, extract::MediaType type, const DocumentRequest& request,
                                    const Engines& engines, const Limits& limits, Deadline deadline,
                                    WorkStats* stats, const ProcessControl& control) {
  extract::ExtractOptions eo;
  eo.ocr = request.extract.ocr;
  eo.lang = request.extract.lang;
  eo.full_text = request.extract.text || request.extract.store;
  eo.max_ocr_threads = engines.ocr_threads;
  eo.ocr_engines = engines.ocr;
  eo.limits = limits.document;
  eo.limits.deadline = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  if (eo.limits.deadline.count() <= 0) return Error::Timeout("the time limit per document passed");
  eo.partial_at_deadline = request.partial_at_deadline;
  eo.on_page_done = control.on_page_done;
  eo.cancel = control.cancel;
  if (request.step == ExtractStep::kCount) {
    Result<int> pages = extract::CountPages(bytes, eo.limits);
    if (!pages.ok()) return pages.error();
    return DocumentOutput(PagesOutput{"", *pages});
  }
  if (request.step == ExtractStep::kPages) {
    eo.first_page = request.first_page;
    eo.last_page = request.last_page;
    Result<extract::PagesPart> part = extract::ExtractPages(bytes, eo);
    if (!part.ok()) return part.error();
    CountPages(part->pages.page_info, type, stats);
    return DocumentOutput(PagesOutput{extract::PagesPartToJson(*part), part->page_count});
  }
  std::optional<std::string> pdf;
  Result<AgreementRecord> record = AgreementRecord();
  if (request.searchable_pdf) {
    extract::SearchablePdfOptions po;
    if (request.extract.file_name) po.title = *request.extract.file_name;
    Result<extract::SearchableOutput> out = extract::ExtractSearchable(bytes, eo, po);
    if (!out.ok()) return out.error();
    record = std::move(out->record);
    pdf = std::move(out->pdf);
    CountPages(record->document.page_info, type, stats);
  } else if (request.step == ExtractStep::kJoin) {
    // The parts' pages were counted as they were read.
    Result<extract::PagesPart> joined = JoinedParts(request.parts_json);
    if (!joined.ok()) return joined.error();
    record = extract::ExtractFromPages(bytes, std::move(joined).value(), eo);
  } else {
    record = extract::Extract(bytes, eo);
    if (record.ok()) CountPages(record->document.page_info, type, stats);
  }
  if (!record.ok()) return record.error();
  if (type == extract::MediaType::kPdf) {
    signing::VerifyOptions vo;
    vo.trust = engines.keys.trust;
    AttachSignatures(bytes, vo, &record.value());
  }
  record->document.file_name = request.extract.file_name;
  CapWarnings(limits.max_warnings, &record->warnings);
  CountSignatures(record->signatures, stats);
  if (pdf) return DocumentOutput(SearchablePdf{std::move(*pdf), std::move(record).value()});
  return DocumentOutput(std::move(record).value());
}

Result<DocumentOutput> VerifyStage(std::string_view bytes, const Engines& engines, WorkStats* stats) {
  signing::VerifyOptions vo;
  vo.trust = engines.keys.trust;
  Result<VerifyReport> report = signing::Verify(bytes, vo);
  if (!report.ok()) return report.error();
  CountSignatures(report->signatures, stats);
  return DocumentOutput(std::move(report).value());
}

Result<DocumentOutput> SignStage(std::string_view bytes, const DocumentRequest& request, const Engines& engines,
                                 Deadline deadline) {
  if (!engines.keys.key) {
    return Error::BadRequest("no signing key is configured: give --sign-p12 FILE or --sign-key FILE --sign-cert FILE");
  }
  signing::SignOptions so;
  so.key = engines.keys.key;
  so.tsa_url = engines.keys.tsa_url;
  so.reason = request.sign.reason;
  so.location = request.sign.location;
  so.contact = request.sign.contact;
  so.field = request.sign.field;
  so.page = request.sign.page;
  so.rect = request.sign.rect;
  so.certify = request.sign.certify;
  so.level = request.sign.level;
  so.extend = request.sign.extend;
  so.trust = engines.keys.trust;
  const auto left = std::chrono::ceil<std::chrono::seconds>(deadline - Clock::now());
  if (left.count() <= 0) return Error::Timeout("the time limit per document passed");
  so.tsa_timeout = std::min<std::chrono::seconds>(so.tsa_timeout, left);
  Result<std::string> signed_pdf = signing::Sign(bytes, so);
  if (!signed_pdf.ok()) return signed_pdf.error();
  // The signing log: what was signed and what came out, by their hashes.
  spdlog::info("{} document sha256 {} ({} bytes) as sha256 {} ({} bytes), field '{}', {}, level {}",
               request.sign.extend ? "extended" : "signed", Sha256Hex(bytes), bytes.size(), Sha256Hex(*signed_pdf),
               signed_pdf->size(), request.sign.extend || request.sign.field.empty() ? "new" : request.sign.field,
               request.sign.extend               ? std::string("no new signature")
               : request.sign.certify > 0 ? "certification level " + std::to_string(request.sign.certify)
                                          : std::string("approval"),
               request.sign.level ? std::string(signing::PadesLevelName(*request.sign.level)) : std::string("default"));
  return DocumentOutput(SignedPdf{std::move(signed_pdf).value()});
}

// One page as a greyscale PNG at the requested resolution: a PDF page
// rendered by Poppler, an image's page shrunk to it (never enlarged).
Result<DocumentOutput> RenderStage(std::string_view bytes, extract::MediaType type, const DocumentRequest& request,
                                   const Limits& limits, WorkStats* stats) {
  Result<std::unique_ptr<extract::Document>> doc = extract::Document::Open(bytes, type, limits.document);
  if (!doc.ok()) return doc.error();
  const int pages = (*doc)->page_count();
  stats->pages = pages;
  const int page = request.render.page, dpi = request.render.dpi;
  if (page < 1 || page > pages) {
    return Error{ErrorCode::kNotFound, "no page " + std::to_string(page) + ": the document has " +
                                           std::to_string(pages) + (pages == 1 ? " page" : " pages")};
  }
  Result<extract::PageImage> image = (*doc)->Render(page, dpi);
  if (!image.ok()) return image.error();
  if (type == extract::MediaType::kPdf) stats->pages_rendered = 1;
  int width = image->width, height = image->height;
  std::vector<std::uint8_t> gray = std::move(image->gray);
  if (image->dpi_x > dpi || image->dpi_y > dpi) {
    const int new_width = std::max(1, static_cast<int>(std::lround(static_cast<double>(width) * dpi / image->dpi_x)));
    const int new_height = std::max(1, static_cast<int>(std::lround(static_cast<double>(height) * dpi / image->dpi_y)));
    gray = ShrinkGray(gray, width, height, std::min(new_width, width), std::min(new_height, height));
    width = std::min(new_width, width);
    height = std::min(new_height, height);
  }
  Result<std::string> png = EncodeGrayPng(width, height, gray);
  if (!png.ok()) return png.error();
  return DocumentOutput(RenderedPage{std::move(png).value()});
}

}  // namespace

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kExtract: return "extract";
    case Operation::kVerify: return "verify";
    case Operation::kSign: return "sign";
    case Operation::kRender: return "render";
  }
  return "extract";
}

std::optional<Operation> ParseOperation(std::string_view name) {
  for (Operation op : {Operation::kExtract, Operation::kVerify, Operation::kSign, Operation::kRender}) {
    if (OperationName(op) == name) return op;
  }
  return std::nullopt;
}

Result<signing::SigningSetup> LoadKeys(const signing::TrustConfig& trust,
                                       const std::optional<signing::SigningConfig>& key, const std::string& tsa_url) {
  signing::SigningSetup setup;
  if (!trust.anchor_files.empty() || !trust.intermediate_files.empty() || !trust.crl_files.empty()) {
    auto loaded = signing::LoadTrust(trust);
    if (!loaded.ok()) return loaded.error();
    setup.trust = *loaded;
  }
  if (key) {
    auto loaded = signing::LoadSigningKey(*key);
    if (!loaded.ok()) return loaded.error();
    setup.key = *loaded;
  }
  setup.tsa_url = tsa_url;
  return setup;
}

Result<extract::MediaType> Admit(std::string_view bytes, Operation op) {
  if (bytes.empty()) return Error::BadRequest("the document is empty (0 bytes)");
  const extract::MediaType type = extract::Sniff(bytes);
  if (op == Operation::kExtract || op == Operation::kRender) {
    if (type == extract::MediaType::kUnknown) {
      return Error::Unsupported("not a PDF, PNG, JPEG or TIFF file (judged from its bytes, not its name)");
    }
  } else if (type != extract::MediaType::kPdf) {
    return Error::Unsupported(std::string("not a PDF (judged from its bytes, not its name); only PDF files can be ") +
                              (op == Operation::kVerify ? "verified" : "signed"));
  }
  return type;
}

std::optional<Error> Guard(std::string_view bytes, extract::MediaType type, const Limits& limits, Deadline deadline) {
  if (type != extract::MediaType::kPdf) return std::nullopt;  // images: their headers are checked when decoded
  if (auto err = extract::CheckDeclaredPdfObjects(bytes, limits.document.max_pdf_objects)) return err;
  PdfGuardLimits gl;
  gl.max_stream_bytes = limits.max_stream_bytes;
  gl.max_image_pixels = limits.document.max_image_pixels;
  return CheckPdfStreams(bytes, gl, deadline);
}

Result<DocumentOutput> Process(std::string_view bytes, const DocumentRequest& request, const Engines& engines,
                               const Limits& limits, Deadline deadline, WorkStats* stats,
                               const ProcessControl& control) {
  WorkStats ignored;
  if (stats == nullptr) stats = &ignored;
  Result<extract::MediaType> type = Admit(bytes, request.op);
  if (!type.ok()) return type.error();
  if (auto err = Guard(bytes, *type, limits, deadline)) return *err;
  if (Clock::now() >= deadline) return Error::Timeout("the time limit per document passed");
  switch (request.op) {
    case Operation::kExtract: return ExtractStage(bytes, *type, request, engines, limits, deadline, stats, control);
    case Operation::kVerify: return VerifyStage(bytes, engines, stats);
    case Operation::kSign: return SignStage(bytes, request, engines, deadline);
    case Operation::kRender: return RenderStage(bytes, *type, request, limits, stats);
  }
  return Error::Internal("unknown operation");
}

void AttachSignatures(std::string_view pdf, const signing::VerifyOptions& options, AgreementRecord* record) {
  Result<VerifyReport> report = signing::Verify(pdf, options);
  if (report.ok()) {
    record->signatures = std::move(report->signatures);
  } else {
    record->warnings.push_back({"signatures-unreadable", report.error().message, std::nullopt});
  }
}

bool CapProcessMemory(const Limits& limits) {
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);  // a crash leaves no core file behind
  if (limits.memory_bytes == 0) return false;
#ifdef PACTUM_UNDER_SANITIZER
  spdlog::warn("memory cap not applied: built with a sanitizer");
  return false;
#else
  const auto cap = static_cast<rlim_t>(limits.memory_bytes);
  rlimit rl{cap, cap};
  if (setrlimit(RLIMIT_AS, &rl) == 0) return true;
  spdlog::warn("memory cap not applied: {}", std::strerror(errno));
  return false;
#endif
}

void ArmCpuLimit(int seconds) {
  if (seconds <= 0) return;
  rlimit rl{};
  getrlimit(RLIMIT_CPU, &rl);
  // The soft limit moves with each document; the hard one stays, so that it
  // can be raised again for the next.
  const rlim_t soft = static_cast<rlim_t>(std::ceil(CpuSecondsUsed())) + static_cast<rlim_t>(seconds);
  if (rl.rlim_max != RLIM_INFINITY && soft > rl.rlim_max) return;
  rl.rlim_cur = soft;
  setrlimit(RLIMIT_CPU, &rl);
}

Error OutOfMemory(const Limits& limits) {
  return Error::Unprocessable("the document needs more memory than the limit of " +
                              std::to_string(limits.memory_bytes >> 20) + " MiB; it was not processed");
}

}  // namespace pactum::service
