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
#include <optional>
#include <string>
#include <string_view>

#include "params.h"
#include "pactum/extract/sniff.h"
#include "pactum/models/record.h"
#include "pactum/models/status.h"
#include "pactum/service/job_queue.h"
#include "pipeline.h"
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
  std::function<void(Operation, const WorkStats&)> on_done;
  // Test seam, run on the job's thread right before each document.
  std::function<void()> before_extract;
};

// What an extraction of `bytes` (sniffed as `type`) is expected to cost, for
// the order of waiting jobs (JobClass), judged from the request and a byte
// search, never by parsing:
// slow when it will be OCRed: an image, ocr=always, or a PDF in which no
// font is named anywhere (so no page has a text layer) and no object stream
// could hide one. Everything else is quick. A wrong guess costs only order.
JobClass ExtractionClass(std::string_view bytes, extract::MediaType type, const ExtractParams& params);

// What a job asks of DocumentRunner::Run beyond what a request does.
struct DocumentRunOptions {
  // Progress and cancellation (worker_pool.h). on_progress is called on the
  // job queue's thread that runs the document; `cancelled` there and on the
  // thread that called Run (so it must be thread-safe and cheap: a flag).
  // A document cancelled while it waits in the queue is never started.
  // Neither is called once Run has returned.
  RunControl control;
  // The time limit of this document instead of DocumentRunnerOptions::
  // timeout. Longer than that, it also raises the worker's CPU cap in the
  // same proportion (WorkerRequest::cpu_seconds).
  std::optional<std::chrono::milliseconds> timeout;
};

class DocumentRunner {
 public:
  // `jobs` is not owned and must outlive the runner.
  DocumentRunner(JobQueue* jobs, DocumentRunnerOptions options);

  // Checks the bytes (the pipeline's Admit: 400 empty, 415 not a type the
  // operation takes), admits the document to the queue (503 overloaded when
  // full) and waits for its worker until the deadline (504 timeout).
  // Otherwise the typed output of the pipeline (pipeline.h): an
  // AgreementRecord for kExtract, a VerifyReport for kVerify, a SignedPdf
  // for kSign. `fault` is the test seam of WorkerConfig::allow_faults.
  // A synchronous request: an extraction over the time limit (504) is told
  // to come back as a job (POST /v1/jobs?op=extract).
  Result<DocumentOutput> Run(std::string bytes, const DocumentRequest& request, WorkerFault fault = WorkerFault::kNone);

  // The same for a job: with `options`' progress, cancellation (then
  // Error::Cancelled(), IsCancelled) and time limit, and without the hint.
  Result<DocumentOutput> Run(std::string bytes, const DocumentRequest& request, const DocumentRunOptions& options,
                             WorkerFault fault = WorkerFault::kNone);

  // The cheap checks of Run(), without running anything: 400 for signing
  // without a key or an empty document, 415 for bytes `op` does not take.
  // The document's media type otherwise.
  Result<extract::MediaType> Precheck(std::string_view bytes, Operation op) const;

 private:
  Result<DocumentOutput> Start(std::string bytes, const DocumentRequest& request, const DocumentRunOptions& options,
                               WorkerFault fault);
  Result<DocumentOutput> Submit(std::string bytes, WorkerRequest request, JobClass job_class,
                                const DocumentRunOptions& options);

  JobQueue* jobs_;
  DocumentRunnerOptions options_;
};

}  // namespace pactum::service
