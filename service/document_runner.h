// DocumentRunner: one document through the bounded job queue, under a
// deadline: extraction, signature verification or signing.
//
// Domain side of POST /v1/extract, /v1/verify and /v1/sign, free of HTTP
// types. The uploaded bytes move into the job (shared ownership), so a job
// that outlives its request (the deadline passed while it ran) never refers
// to freed memory; its result is then dropped.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "params.h"
#include "pactum/extract/options.h"
#include "pactum/models/record.h"
#include "pactum/models/signature.h"
#include "pactum/models/status.h"
#include "pactum/service/job_queue.h"
#include "pactum/signing/keys.h"
#include "pactum/signing/verify.h"

namespace pactum::service {

struct DocumentRunnerOptions {
  // Per-document time limit, from admission to the answer.
  std::chrono::milliseconds timeout = std::chrono::seconds(120);
  // Pages OCRed in parallel within one document (ExtractOptions::max_ocr_threads).
  int ocr_threads_per_document = 1;
  // Shared OCR engines; not owned, may be null. Must outlive the job queue's
  // jobs (stop the queue first).
  extract::OcrEnginePool* ocr_engines = nullptr;
  // Trust anchors for verification (null: none) and the signing key (null:
  // /v1/sign answers 400), with the optional time-stamp authority.
  signing::SigningSetup signing;
  // Test seam, run on the worker right before each job.
  std::function<void()> before_extract;
};

// Fills record->signatures with the verification of a PDF's signatures (the
// objects of /v1/verify). A signature layer that cannot be read does not
// cost the extraction: it becomes a warning "signatures-unreadable".
void AttachSignatures(const std::string& pdf, const signing::VerifyOptions& options, AgreementRecord* record);

class DocumentRunner {
 public:
  // `jobs` is not owned and must outlive the runner.
  DocumentRunner(JobQueue* jobs, DocumentRunnerOptions options);

  // Checks the bytes (400 empty, 415 not a PDF/PNG/JPEG/TIFF), admits the
  // extraction to the queue (503 overloaded when full) and waits for it until
  // the deadline (504 timeout). Otherwise the result of
  // pactum::extract::Extract with the signatures of a PDF verified; an
  // exception inside becomes kInternal.
  Result<AgreementRecord> Extract(std::string bytes, const ExtractParams& params);

  // The same admission and deadline for pactum::signing::Verify.
  Result<VerifyReport> Verify(std::string bytes);

  // The same for pactum::signing::Sign: the signed PDF.
  Result<std::string> Sign(std::string bytes, const SignParams& params);

 private:
  template <typename T>
  Result<T> Submit(std::string bytes, std::function<Result<T>(const std::string&, std::chrono::milliseconds)> work);

  JobQueue* jobs_;
  DocumentRunnerOptions options_;
};

}  // namespace pactum::service
