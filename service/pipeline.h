// The document pipeline: one function that takes a document through pactum,
// called by the service's worker processes and by the CLI alike, so that
// every entry point has the same guard, the same limits and the same errors.
//
//   extract:  admit -> guard -> open -> pages (text layer / OCR) -> fields
//             -> signatures
//   verify:   admit -> guard -> verify
//   sign:     admit -> guard -> sign
//   render:   admit -> guard -> open -> one page to PNG (the web app's page
//             images, GET /v1/documents/{id}/pages/{n}.png)
//
// admit   cheap checks from the bytes, no parsing: empty (400), media type
//         (415);
// guard   a PDF's declared object count, the decoded size of every stream
//         and the declared size of every image, before any parser sizes
//         its tables or buffers from them (422; 504 past the deadline).
//
// Process() is thread-compatible: a caller that runs several documents at
// once gives each its own Engines (OCR engines are not shared).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "params.h"
#include "pactum/extract/options.h"
#include "pactum/extract/sniff.h"
#include "pactum/models/record.h"
#include "pactum/models/status.h"
#include "pactum/signing/keys.h"
#include "pactum/signing/verify.h"

namespace pactum::extract {
class OcrEnginePool;
}

namespace pactum::service {

using Deadline = std::chrono::steady_clock::time_point;

// Every limit one document is processed under, with its default. The
// service's workers and the CLI use the same values (flags of the same
// names on `pactum serve` and on the document commands).
struct Limits {
  // Pages, pixels of a rendered page and of a decoded image, objects a PDF
  // declares, page edge (extract/options.h). 422 beyond each.
  extract::Limits document;
  // Decoded bytes of any one PDF stream (FlateDecode and the other generic
  // filters), counted before the document is parsed: decompression bombs.
  // 422 beyond.
  std::uint64_t max_stream_bytes = std::uint64_t{256} << 20;
  // Address space of the process that runs documents (RLIMIT_AS); an
  // allocation past it fails and the document gets 422. 0: none.
  std::uint64_t memory_bytes = std::uint64_t{4} << 30;
  // CPU seconds one document may use (RLIMIT_CPU); past it the process is
  // stopped and the document gets 504. 0: none.
  int cpu_seconds = 300;
  // Wall-clock time of one document, from admission to the answer; 504
  // beyond.
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};
  // Warnings kept in one record; the rest are counted in a last warning
  // "warnings-truncated".
  int max_warnings = 100;
  // Log lines one document may cause (the libraries' messages included);
  // past it one line says how many were dropped.
  int max_log_lines = 200;
};

enum class Operation { kExtract, kVerify, kSign, kRender };

// "extract", "verify", "sign", "render" (metrics labels, wire, messages).
std::string_view OperationName(Operation op);
std::optional<Operation> ParseOperation(std::string_view name);

// What an extraction answers (jobs split a long scan into parts that the
// workers of any replica read at once, then join them; extractor.h).
enum class ExtractStep {
  kWhole,  // the record
  kCount,  // only the page count (PagesOutput without pages)
  kPages,  // the pages first_page..last_page, read (PagesOutput)
  kJoin,   // the record, from the pages of parts read before (parts_json)
};

// What to do with a document.
struct DocumentRequest {
  Operation op = Operation::kExtract;
  ExtractParams extract;  // op == kExtract
  SignParams sign;        // op == kSign
  RenderParams render;    // op == kRender
  // op == kExtract: at the deadline, answer the record of the pages read so
  // far (partial: true, missing_pages) instead of kTimeout
  // (extract::ExtractOptions::partial_at_deadline). For jobs; synchronous
  // requests leave it off.
  bool partial_at_deadline = false;
  // op == kExtract: the step, the pages of kPages (1-based, inclusive), and
  // for kJoin the parts in page order: a JSON array of the kPages outputs.
  ExtractStep step = ExtractStep::kWhole;
  int first_page = 0;
  int last_page = 0;
  std::string parts_json;
  // op == kExtract: the output is the searchable PDF/A of the document
  // (extract/searchable_pdf.h) with its record; a signed PDF is refused
  // (kConflict) before any page is read.
  bool searchable_pdf = false;
};

// The bytes of a signed PDF (the output of kSign).
struct SignedPdf {
  std::string bytes;
};

// What ExtractStep::kCount and kPages give: the document's page count and
// the part's pages (extract::PagesPartToJson; empty for kCount).
struct PagesOutput {
  std::string json;
  int page_count = 0;
};

// One page as a PNG image (the output of kRender).
struct RenderedPage {
  std::string png;
};

// The searchable PDF of a document (DocumentRequest::searchable_pdf) and,
// where it was made in the calling process, its record (the worker channel
// carries only the PDF).
struct SearchablePdf {
  std::string bytes;
  std::optional<AgreementRecord> record;
};

// The typed output of each operation: kExtract gives an AgreementRecord
// (PagesOutput for the steps kCount and kPages, a SearchablePdf with
// searchable_pdf), kVerify a VerifyReport, kSign a SignedPdf, kRender a
// RenderedPage.
using DocumentOutput = std::variant<AgreementRecord, VerifyReport, SignedPdf, PagesOutput, RenderedPage, SearchablePdf>;

// What a document cost, for the service's metrics.
struct WorkStats {
  int pages = 0;           // pages of the document
  int pages_rendered = 0;  // PDF pages rendered to pixels for OCR
  int pages_ocr = 0;       // pages whose text came from OCR
  std::map<std::string, int> signatures;  // verified signatures by status
};

// What is loaded once and reused for many documents.
struct Engines {
  signing::SigningSetup keys;  // trust for verification, the key for signing
  // Reused OCR engines; not owned, may be null (each document then makes
  // its own).
  extract::OcrEnginePool* ocr = nullptr;
  int ocr_threads = 1;  // pages OCRed in parallel within one document
};

// Loads the trust anchors, intermediates and CRLs (when any file is named)
// and the signing key (when configured). Errors name the file at fault.
Result<signing::SigningSetup> LoadKeys(const signing::TrustConfig& trust,
                                       const std::optional<signing::SigningConfig>& key, const std::string& tsa_url);

// Stage admit: 400 for an empty document, 415 when the bytes are not a
// type `op` takes (extract and render: PDF, PNG, JPEG, TIFF; verify and
// sign: PDF).
// The messages name no entry point; callers add their own hint.
Result<extract::MediaType> Admit(std::string_view bytes, Operation op);

// Stage guard, for PDFs (others pass): declared objects, decoded stream
// bytes, declared image pixels. nullopt when within `limits`.
std::optional<Error> Guard(std::string_view bytes, extract::MediaType type, const Limits& limits, Deadline deadline);

// What the caller of Process() may watch and stop; each part optional.
struct ProcessControl {
  // kExtract: called as each page has been read (pages read, page count),
  // from the page threads, one call at a time, pages_done rising
  // (extract::ExtractOptions::on_page_done). Must be quick, must not throw.
  std::function<void(int pages_done, int pages_total)> on_page_done;
  // kExtract: once *cancel is true the extraction stops (between pages, and
  // within the OCR of a page) with Error::Cancelled(). Not owned.
  const std::atomic<bool>* cancel = nullptr;
};

// The whole pipeline for `request.op`. Errors carry the contract's codes;
// nothing is thrown but std::bad_alloc (the caller decides what a process
// that ran out of memory does next). `stats` may be null.
Result<DocumentOutput> Process(std::string_view bytes, const DocumentRequest& request, const Engines& engines,
                               const Limits& limits, Deadline deadline, WorkStats* stats,
                               const ProcessControl& control = {});

// Fills record->signatures with the verification of a PDF's signatures (the
// objects of /v1/verify). A signature layer that cannot be read does not
// cost the extraction: it becomes a warning "signatures-unreadable".
void AttachSignatures(std::string_view pdf, const signing::VerifyOptions& options, AgreementRecord* record);

// Puts the calling process under `limits`' memory cap (RLIMIT_AS) and
// forbids core files. Returns whether the memory cap is in effect (not
// under AddressSanitizer, whose shadow memory needs the address space).
bool CapProcessMemory(const Limits& limits);

// Allows the calling process `seconds` more CPU seconds from now
// (RLIMIT_CPU, soft); SIGXCPU past it. 0: no change.
void ArmCpuLimit(int seconds);

// The limit message of a process that ran out of memory under `limits`.
Error OutOfMemory(const Limits& limits);

}  // namespace pactum::service
