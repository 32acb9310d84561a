// DocumentRunner: one document through the bounded job queue into a worker
// process, under a deadline: extraction, signature verification or signing.
//
// Domain side of POST /v1/extract, /v1/verify and /v1/sign, free of HTTP
// types. Cheap checks (empty upload, media type, signing key) are answered
// here without taking a place in the queue; everything that parses the
// document runs in a worker process (worker_pool.h). The uploaded bytes move
// into the job (shared ownership), so a job that outlives its request never
// refers to freed memory; its result is then dropped.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "params.h"
#include "pactum/extract/sniff.h"
#include "pactum/models/record.h"
#include "pactum/models/status.h"
#include "pactum/service/job_queue.h"
#include "pactum/signing/verify.h"
#include "worker_pool.h"
#include "worker_protocol.h"

namespace pactum::service {

struct DocumentRunnerOptions {
  // Per-document time limit, from admission to the answer.
  std::chrono::milliseconds timeout = std::chrono::seconds(120);
  // The worker processes; not owned, must outlive the job queue's jobs.
  WorkerPool* workers = nullptr;
  // Whether /v1/sign has a key (else it answers 400 at once).
  bool has_signing_key = false;
  // Called on the job's thread with what each answered document cost.
  std::function<void(WorkerOp, const WorkStats&)> on_done;
  // Test seam, run on the job's thread right before each document.
  std::function<void()> before_extract;
};

// Fills record->signatures with the verification of a PDF's signatures (the
// objects of /v1/verify). A signature layer that cannot be read does not
// cost the extraction: it becomes a warning "signatures-unreadable".
void AttachSignatures(const std::string& pdf, const signing::VerifyOptions& options, AgreementRecord* record);

// What an extraction of `bytes` (sniffed as `type`) is expected to cost, for
// the order of waiting jobs (JobClass), judged from the request and a byte
// search, never by parsing:
// slow when it will be OCRed: an image, ocr=always, or a PDF in which no
// font is named anywhere (so no page has a text layer) and no object stream
// could hide one. Everything else is quick. A wrong guess costs only order.
JobClass ExtractionClass(std::string_view bytes, extract::MediaType type, const ExtractParams& params);

class DocumentRunner {
 public:
  // `jobs` is not owned and must outlive the runner.
  DocumentRunner(JobQueue* jobs, DocumentRunnerOptions options);

  // Checks the bytes (400 empty, 415 not a PDF/PNG/JPEG/TIFF), admits the
  // document to the queue (503 overloaded when full) and waits for its
  // worker until the deadline (504 timeout). Otherwise the record's JSON.
  // `fault` is the test seam of WorkerConfig::allow_faults.
  Result<std::string> Extract(std::string bytes, const ExtractParams& params, WorkerFault fault = WorkerFault::kNone);

  // The same for signature verification: the report's JSON.
  Result<std::string> Verify(std::string bytes, WorkerFault fault = WorkerFault::kNone);

  // The same for signing: the signed PDF.
  Result<std::string> Sign(std::string bytes, const SignParams& params, WorkerFault fault = WorkerFault::kNone);

 private:
  Result<std::string> Submit(std::string bytes, WorkerRequest request, JobClass job_class);

  JobQueue* jobs_;
  DocumentRunnerOptions options_;
};

}  // namespace pactum::service
