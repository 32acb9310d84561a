#include "document_runner.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <utility>

#include "logging.h"
#include "pactum/extract/sniff.h"
#include "pactum/models/mutex.h"

namespace pactum::service {
namespace {

using Clock = std::chrono::steady_clock;

// Shared by the waiting request and the job; whoever comes last frees it.
struct JobState {
  Mutex mu;
  CondVar done_cv;
  bool done PACTUM_GUARDED_BY(mu) = false;
  bool abandoned PACTUM_GUARDED_BY(mu) = false;  // the request stopped waiting
  std::optional<Result<DocumentOutput>> result PACTUM_GUARDED_BY(mu);
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
  r.output = Error::Internal("processing failed unexpectedly; this is a bug of the service, please report it");
  return r;
}

// The pipeline's admission, with the HTTP upload's hint for an empty body.
Result<extract::MediaType> AdmitUpload(std::string_view bytes, Operation op) {
  Result<extract::MediaType> type = Admit(bytes, op);
  if (!type.ok() && bytes.empty()) {
    return Error::BadRequest(type.error().message +
                             "; send the document as the request body or in a multipart part named file");
  }
  return type;
}

}  // namespace

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

Result<DocumentOutput> DocumentRunner::Submit(std::string bytes, WorkerRequest request, JobClass job_class) {
  const Clock::time_point deadline = Clock::now() + options_.timeout;
  request.request_id = CurrentRequestLogFacts().request_id;
  auto state = std::make_shared<JobState>();
  auto shared_bytes = std::make_shared<const std::string>(std::move(bytes));
  auto job = [state, shared_bytes, request, deadline, opts = options_]() {
    {
      MutexLock lock(&state->mu);
      if (state->abandoned) return;  // nobody waits for it any more
    }
    if (Clock::now() >= deadline) {
      MutexLock lock(&state->mu);
      state->abandoned = true;
      return;
    }
    CurrentRequestLogFacts().request_id = request.request_id;
    WorkerReply reply = CatchingAll(opts.before_extract, [&] {
      return opts.workers->Run(request, *shared_bytes, deadline);
    });
    CurrentRequestLogFacts().request_id.clear();
    if (opts.on_done && reply.output.ok()) opts.on_done(request.document.op, reply.stats);
    {
      MutexLock lock(&state->mu);
      state->result.emplace(std::move(reply.output));
      state->done = true;
    }
    state->done_cv.SignalAll();
  };
  if (!jobs_->TrySubmit(std::move(job), job_class)) {
    const JobQueue::Stats s = jobs_->GetStats();
    return Error::Overloaded("the service is busy: " + std::to_string(s.workers) + " documents are being processed and " +
                             std::to_string(s.queued) + " wait; retry after the time in Retry-After");
  }

  // The worker pool answers by the deadline plus its grace (killing a worker
  // that overruns); waiting a little longer lets that answer through.
  MutexLock lock(&state->mu);
  const Clock::time_point give_up = deadline + std::chrono::seconds(2);
  while (!state->done && state->done_cv.WaitUntil(&state->mu, give_up)) {
  }
  if (!state->done) {
    state->abandoned = true;
    return Error::Timeout("processing took longer than the limit of " + Seconds(options_.timeout) +
                          " per document; split the document or retry when the service is less busy");
  }
  return std::move(*state->result);
}

Result<extract::MediaType> DocumentRunner::Precheck(std::string_view bytes, Operation op) const {
  if (op == Operation::kSign && !options_.has_signing_key) {
    return Error::BadRequest(
        "this service has no signing key; start it with --sign-p12 FILE (password in PACTUM_SIGN_P12_PASSWORD) "
        "or --sign-key FILE --sign-cert FILE");
  }
  return AdmitUpload(bytes, op);
}

Result<DocumentOutput> DocumentRunner::Run(std::string bytes, const DocumentRequest& request, WorkerFault fault) {
  Result<extract::MediaType> type = Precheck(bytes, request.op);
  if (!type.ok()) return type.error();
  WorkerRequest r;
  r.document = request;
  r.fault = fault;
  const JobClass job_class =
      request.op == Operation::kExtract ? ExtractionClass(bytes, *type, request.extract) : JobClass::kQuick;
  return Submit(std::move(bytes), r, job_class);
}

}  // namespace pactum::service
