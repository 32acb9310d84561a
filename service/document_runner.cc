#include "document_runner.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "logging.h"
#include "pactum/extract/sniff.h"

namespace pactum::service {
namespace {

using Clock = std::chrono::steady_clock;

// Shared by the waiting request and the job; whoever comes last frees it.
struct JobState {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;       // GUARDED_BY(mu)
  bool abandoned = false;  // GUARDED_BY(mu): the request stopped waiting
  std::optional<Result<std::string>> result;  // GUARDED_BY(mu)
};

std::string Seconds(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

// Runs `before` (the test seam) and the work; whatever they throw becomes
// kInternal, so that a bug never takes the job thread down.
WorkerReply CatchingAll(const std::function<void()>& before, const std::function<WorkerReply()>& work) {
  try {
    if (before) before();
    return work();
  } catch (const std::exception& e) {
    spdlog::error("a job threw: {}", e.what());
  } catch (...) {
    spdlog::error("a job threw a non-standard exception");
  }
  WorkerReply r;
  r.body = Error::Internal("processing failed unexpectedly; this is a bug of the service, please report it");
  return r;
}

Error EmptyUpload(const char* what) {
  return Error::BadRequest(std::string("the upload is empty; send the ") + what +
                           " as the request body or in a multipart part named file");
}

}  // namespace

void AttachSignatures(const std::string& pdf, const signing::VerifyOptions& options, AgreementRecord* record) {
  Result<VerifyReport> report = signing::Verify(pdf, options);
  if (report.ok()) {
    record->signatures = std::move(report->signatures);
  } else {
    record->warnings.push_back({"signatures-unreadable", report.error().message, std::nullopt});
  }
}

DocumentRunner::DocumentRunner(JobQueue* jobs, DocumentRunnerOptions options)
    : jobs_(jobs), options_(std::move(options)) {}

JobClass ExtractionClass(std::string_view bytes, extract::MediaType type, const ExtractParams& params) {
  if (params.ocr == extract::OcrMode::kNever) return JobClass::kQuick;
  if (params.ocr == extract::OcrMode::kAlways || type != extract::MediaType::kPdf) {
    return JobClass::kSlow;
  }
  const bool names_a_font = bytes.find("/Font") != std::string_view::npos;
  const bool has_object_streams = bytes.find("/ObjStm") != std::string_view::npos;
  return names_a_font || has_object_streams ? JobClass::kQuick : JobClass::kSlow;
}

Result<std::string> DocumentRunner::Submit(std::string bytes, WorkerRequest request, JobClass job_class) {
  const Clock::time_point deadline = Clock::now() + options_.timeout;
  request.request_id = CurrentRequestLogFacts().request_id;
  auto state = std::make_shared<JobState>();
  auto shared_bytes = std::make_shared<const std::string>(std::move(bytes));
  auto job = [state, shared_bytes, request, deadline, opts = options_]() {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->abandoned) return;  // nobody waits for it any more
    }
    if (Clock::now() >= deadline) {
      std::lock_guard<std::mutex> lock(state->mu);
      state->abandoned = true;
      return;
    }
    CurrentRequestLogFacts().request_id = request.request_id;
    WorkerReply reply = CatchingAll(opts.before_extract, [&] {
      return opts.workers->Run(request, *shared_bytes, deadline);
    });
    CurrentRequestLogFacts().request_id.clear();
    if (opts.on_done && reply.body.ok()) opts.on_done(request.op, reply.stats);
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->result.emplace(std::move(reply.body));
      state->done = true;
    }
    state->done_cv.notify_all();
  };
  if (!jobs_->TrySubmit(std::move(job), job_class)) {
    const JobQueue::Stats s = jobs_->GetStats();
    return Error::Overloaded("the service is busy: " + std::to_string(s.workers) + " documents are being processed and " +
                             std::to_string(s.queued) + " wait; retry after the time in Retry-After");
  }

  // The worker pool answers by the deadline plus its grace (killing a worker
  // that overruns); waiting a little longer lets that answer through.
  std::unique_lock<std::mutex> lock(state->mu);
  if (!state->done_cv.wait_until(lock, deadline + std::chrono::seconds(2), [&] { return state->done; })) {
    state->abandoned = true;
  }
  if (!state->done) {
    return Error::Timeout("processing took longer than the limit of " + Seconds(options_.timeout) +
                          " per document; split the document or retry when the service is less busy");
  }
  return std::move(*state->result);
}

Result<std::string> DocumentRunner::Extract(std::string bytes, const ExtractParams& params, WorkerFault fault) {
  if (bytes.empty()) return EmptyUpload("document's bytes");
  const extract::MediaType type = extract::Sniff(bytes);
  if (type == extract::MediaType::kUnknown) {
    return Error::Unsupported("not a PDF, PNG, JPEG or TIFF file (identified from its bytes); upload one of those");
  }
  WorkerRequest r;
  r.op = WorkerOp::kExtract;
  r.extract = params;
  r.fault = fault;
  const JobClass job_class = ExtractionClass(bytes, type, params);
  return Submit(std::move(bytes), r, job_class);
}

Result<std::string> DocumentRunner::Verify(std::string bytes, WorkerFault fault) {
  if (bytes.empty()) return EmptyUpload("PDF");
  if (extract::Sniff(bytes) != extract::MediaType::kPdf) {
    return Error::Unsupported("not a PDF (identified from its bytes); /v1/verify checks signatures of PDF files");
  }
  WorkerRequest r;
  r.op = WorkerOp::kVerify;
  r.fault = fault;
  return Submit(std::move(bytes), r, JobClass::kQuick);
}

Result<std::string> DocumentRunner::Sign(std::string bytes, const SignParams& params, WorkerFault fault) {
  if (!options_.has_signing_key) {
    return Error::BadRequest(
        "this service has no signing key; start it with --sign-p12 FILE (password in PACTUM_SIGN_P12_PASSWORD) "
        "or --sign-key FILE --sign-cert FILE");
  }
  if (bytes.empty()) return EmptyUpload("PDF");
  if (extract::Sniff(bytes) != extract::MediaType::kPdf) {
    return Error::Unsupported("not a PDF (identified from its bytes); /v1/sign signs PDF files");
  }
  WorkerRequest r;
  r.op = WorkerOp::kSign;
  r.sign = params;
  r.fault = fault;
  return Submit(std::move(bytes), r, JobClass::kQuick);
}

}  // namespace pactum::service
