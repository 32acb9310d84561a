#include "extract_runner.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "pactum/extract/extractor.h"
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
  std::optional<Result<AgreementRecord>> result;  // GUARDED_BY(mu)
};

std::string Seconds(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

// Runs `before` (the test seam) and the extraction; whatever they throw
// becomes kInternal, so that a bug never takes the worker down.
Result<AgreementRecord> ExtractCatchingAll(const std::function<void()>& before, const std::string& bytes,
                                           const extract::ExtractOptions& options) {
  try {
    if (before) before();
    return extract::Extract(bytes, options);
  } catch (const std::exception& e) {
    spdlog::error("extraction threw: {}", e.what());
  } catch (...) {
    spdlog::error("extraction threw a non-standard exception");
  }
  return Error::Internal("the extraction failed unexpectedly; this is a bug of the service, please report it");
}

}  // namespace

ExtractRunner::ExtractRunner(JobQueue* jobs, ExtractRunnerOptions options)
    : jobs_(jobs), options_(std::move(options)) {}

Result<AgreementRecord> ExtractRunner::Run(std::string bytes, const ExtractParams& params) {
  // Cheap checks first, so that they never take a place in the queue.
  if (bytes.empty()) {
    return Error::BadRequest(
        "the upload is empty; send the document's bytes as the request body or in a multipart part named file");
  }
  if (extract::Sniff(bytes) == extract::MediaType::kUnknown) {
    return Error::Unsupported("not a PDF, PNG, JPEG or TIFF file (identified from its bytes); upload one of those");
  }

  extract::ExtractOptions eo;
  eo.ocr = params.ocr;
  eo.lang = params.lang;
  eo.max_ocr_threads = options_.ocr_threads_per_document;
  eo.ocr_engines = options_.ocr_engines;

  const Clock::time_point deadline = Clock::now() + options_.timeout;
  auto state = std::make_shared<JobState>();
  auto shared_bytes = std::make_shared<const std::string>(std::move(bytes));
  auto job = [state, shared_bytes, eo, deadline, hook = options_.before_extract]() mutable {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->abandoned) return;  // nobody waits for it any more
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      std::lock_guard<std::mutex> lock(state->mu);
      state->abandoned = true;
      return;
    }
    eo.limits.deadline = left;
    Result<AgreementRecord> r = ExtractCatchingAll(hook, *shared_bytes, eo);
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->result.emplace(std::move(r));
      state->done = true;
    }
    state->done_cv.notify_all();
  };
  if (!jobs_->TrySubmit(std::move(job))) {
    const JobQueue::Stats s = jobs_->GetStats();
    return Error::Overloaded("the service is busy: " + std::to_string(s.workers) + " documents are being extracted and " +
                             std::to_string(s.queued) + " wait; retry after the time in Retry-After");
  }

  std::unique_lock<std::mutex> lock(state->mu);
  if (!state->done_cv.wait_until(lock, deadline, [&] { return state->done; })) {
    state->abandoned = true;
    return Error::Timeout("processing took longer than the limit of " + Seconds(options_.timeout) +
                          " per document; split the document or retry when the service is less busy");
  }
  return std::move(*state->result);
}

}  // namespace pactum::service
