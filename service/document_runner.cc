#include "document_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
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
  bool started PACTUM_GUARDED_BY(mu) = false;    // a job thread took it
  bool abandoned PACTUM_GUARDED_BY(mu) = false;  // the request stopped waiting
  std::optional<Result<DocumentOutput>> result PACTUM_GUARDED_BY(mu);
  // The caller's callbacks (RunControl) run under this lock, and never
  // once the caller has stopped waiting: they may refer to its stack.
  Mutex callbacks_mu;
  bool callbacks_off PACTUM_GUARDED_BY(callbacks_mu) = false;

  // Marks the job abandoned and waits for a callback in progress to end.
  void Abandon() PACTUM_REQUIRES(mu) PACTUM_EXCLUDES(callbacks_mu) {
    abandoned = true;
    MutexLock lock(&callbacks_mu);
    callbacks_off = true;
  }
};

// `control`'s callbacks as the job calls them: through `state`'s lock, and
// not at all once its caller has gone (a job left running then is
// cancelled).
RunControl GuardedControl(const std::shared_ptr<JobState>& state, const RunControl& control) {
  RunControl guarded;
  if (!control.on_progress && !control.cancelled) return guarded;  // a request: nothing to guard
  if (control.on_progress) {
    guarded.on_progress = [state, f = control.on_progress](int done, int total) {
      MutexLock lock(&state->callbacks_mu);
      if (!state->callbacks_off) f(done, total);
    };
  }
  guarded.cancelled = [state, f = control.cancelled] {
    MutexLock lock(&state->callbacks_mu);
    return state->callbacks_off || (f && f());
  };
  return guarded;
}

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

// The 504 of a synchronous extraction, pointing to the jobs API: the wall
// clock's limit in the request's terms; the CPU cap's message as it was.
Error SuggestJob(const Error& timeout, std::chrono::milliseconds limit) {
  std::string message = timeout.message.find("CPU limit") != std::string::npos
                            ? timeout.message
                            : "processing took longer than the " + Seconds(limit) + " allowed per request";
  message += "; submit long documents as a job: POST /v1/jobs?op=extract (see GET /openapi.json)";
  return Error::Timeout(std::move(message));
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

Result<DocumentOutput> DocumentRunner::Submit(std::string bytes, WorkerRequest request, JobClass job_class,
                                              const DocumentRunOptions& run) {
  const std::chrono::milliseconds timeout = run.timeout.value_or(options_.timeout);
  const Clock::time_point deadline = Clock::now() + timeout;
  if (timeout > options_.timeout && options_.workers->cpu_seconds() > 0 && options_.timeout.count() > 0) {
    // A longer limit than a request's: the CPU cap in proportion.
    const double scaled = std::ceil(static_cast<double>(options_.workers->cpu_seconds()) *
                                    static_cast<double>(timeout.count()) / static_cast<double>(options_.timeout.count()));
    request.cpu_seconds = static_cast<int>(std::min(scaled, 1e9));
  }
  request.request_id = CurrentRequestLogFacts().request_id;
  auto state = std::make_shared<JobState>();
  auto shared_bytes = std::make_shared<const std::string>(std::move(bytes));
  auto job = [state, shared_bytes, request, deadline, opts = options_, control = GuardedControl(state, run.control)]() {
    {
      MutexLock lock(&state->mu);
      if (state->abandoned) return;  // nobody waits for it any more
      state->started = true;
    }
    if (Clock::now() >= deadline) {
      MutexLock lock(&state->mu);
      state->Abandon();
      return;
    }
    CurrentRequestLogFacts().request_id = request.request_id;
    WorkerReply reply = CatchingAll(opts.before_extract, [&] {
      return opts.workers->Run(request, *shared_bytes, deadline, control);
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
  // that overruns); waiting a little longer lets that answer through. With
  // a cancellation to poll, the wait is cut into slices: a document still
  // waiting in the queue is given up at once, a running one is stopped by
  // the pool (which polls it too) and answers within a slice.
  const Clock::time_point give_up = deadline + std::chrono::seconds(2);
  for (;;) {
    const Clock::time_point slice =
        run.control.cancelled ? std::min(give_up, Clock::now() + kCancelPoll) : give_up;
    {
      MutexLock lock(&state->mu);
      while (!state->done && state->done_cv.WaitUntil(&state->mu, slice)) {
      }
      if (state->done) return std::move(*state->result);
      if (Clock::now() >= give_up) {
        state->Abandon();
        return Error::Timeout("processing took longer than the limit of " + Seconds(timeout) +
                              " per document; split the document or retry when the service is less busy");
      }
      if (state->started) continue;  // the pool stops it and answers
    }
    if (run.control.cancelled()) {
      MutexLock lock(&state->mu);
      if (!state->started && !state->done) {
        state->Abandon();
        return Error::Cancelled();
      }
    }
  }
}

Result<extract::MediaType> DocumentRunner::Precheck(std::string_view bytes, Operation op) const {
  if (op == Operation::kSign && !options_.has_signing_key) {
    return Error::BadRequest(
        "this service has no signing key; start it with --sign-p12 FILE (password in PACTUM_SIGN_P12_PASSWORD) "
        "or --sign-key FILE --sign-cert FILE");
  }
  return AdmitUpload(bytes, op);
}

Result<DocumentOutput> DocumentRunner::Start(std::string bytes, const DocumentRequest& request,
                                             const DocumentRunOptions& options, WorkerFault fault) {
  Result<extract::MediaType> type = Precheck(bytes, request.op);
  if (!type.ok()) return type.error();
  WorkerRequest r;
  r.document = request;
  r.fault = fault;
  const JobClass job_class =
      request.op == Operation::kExtract ? ExtractionClass(bytes, *type, request.extract) : JobClass::kQuick;
  return Submit(std::move(bytes), r, job_class, options);
}

Result<DocumentOutput> DocumentRunner::Run(std::string bytes, const DocumentRequest& request, WorkerFault fault) {
  Result<DocumentOutput> out = Start(std::move(bytes), request, DocumentRunOptions{}, fault);
  // No job makes a searchable PDF: its 504 stays as it is.
  if (out.ok() || request.op != Operation::kExtract || request.searchable_pdf ||
      out.error().code != ErrorCode::kTimeout) {
    return out;
  }
  return SuggestJob(out.error(), options_.timeout);
}

Result<DocumentOutput> DocumentRunner::Run(std::string bytes, const DocumentRequest& request,
                                           const DocumentRunOptions& options, WorkerFault fault) {
  return Start(std::move(bytes), request, options, fault);
}

}  // namespace pactum::service
