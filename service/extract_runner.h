// ExtractRunner: one document through the bounded job queue, under a deadline.
//
// Domain side of POST /v1/extract, free of HTTP types. The uploaded bytes move
// into the job (shared ownership), so a job that outlives its request (the
// deadline passed while it ran) never refers to freed memory; its result is
// then dropped.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "params.h"
#include "pactum/extract/options.h"
#include "pactum/models/record.h"
#include "pactum/models/status.h"
#include "pactum/service/job_queue.h"

namespace pactum::service {

struct ExtractRunnerOptions {
  // Per-document time limit, from admission to the answer.
  std::chrono::milliseconds timeout = std::chrono::seconds(120);
  // Pages OCRed in parallel within one document (ExtractOptions::max_ocr_threads).
  int ocr_threads_per_document = 1;
  // Shared OCR engines; not owned, may be null. Must outlive the job queue's
  // jobs (stop the queue first).
  extract::OcrEnginePool* ocr_engines = nullptr;
  // Test seam, run on the worker right before each extraction.
  std::function<void()> before_extract;
};

class ExtractRunner {
 public:
  // `jobs` is not owned and must outlive the runner.
  ExtractRunner(JobQueue* jobs, ExtractRunnerOptions options);

  // Checks the bytes (400 empty, 415 not a PDF/PNG/JPEG/TIFF), admits the
  // extraction to the queue (503 overloaded when full) and waits for it until
  // the deadline (504 timeout). Otherwise the result of
  // pactum::extract::Extract; an exception inside it becomes kInternal.
  Result<AgreementRecord> Run(std::string bytes, const ExtractParams& params);

 private:
  JobQueue* jobs_;
  ExtractRunnerOptions options_;
};

}  // namespace pactum::service
