#include "document_runner.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "pactum/extract/extractor.h"
#include "pactum/extract/sniff.h"
#include "pactum/signing/sign.h"
#include "pactum/signing/verify.h"

namespace pactum::service {
namespace {

using Clock = std::chrono::steady_clock;

// Shared by the waiting request and the job; whoever comes last frees it.
template <typename T>
struct JobState {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;       // GUARDED_BY(mu)
  bool abandoned = false;  // GUARDED_BY(mu): the request stopped waiting
  std::optional<Result<T>> result;  // GUARDED_BY(mu)
};

std::string Seconds(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

// Runs `before` (the test seam) and the work; whatever they throw becomes
// kInternal, so that a bug never takes the worker down.
template <typename T, typename Work>
Result<T> CatchingAll(const std::function<void()>& before, Work&& work) {
  try {
    if (before) before();
    return work();
  } catch (const std::exception& e) {
    spdlog::error("a job threw: {}", e.what());
  } catch (...) {
    spdlog::error("a job threw a non-standard exception");
  }
  return Error::Internal("processing failed unexpectedly; this is a bug of the service, please report it");
}

signing::VerifyOptions VerifyOptionsOf(const signing::SigningSetup& setup) {
  signing::VerifyOptions vo;
  vo.trust = setup.trust;
  return vo;
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

template <typename T>
Result<T> DocumentRunner::Submit(std::string bytes,
                                 std::function<Result<T>(const std::string&, std::chrono::milliseconds)> work) {
  const Clock::time_point deadline = Clock::now() + options_.timeout;
  auto state = std::make_shared<JobState<T>>();
  auto shared_bytes = std::make_shared<const std::string>(std::move(bytes));
  auto job = [state, shared_bytes, work = std::move(work), deadline, hook = options_.before_extract]() {
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
    Result<T> r = CatchingAll<T>(hook, [&] { return work(*shared_bytes, left); });
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->result.emplace(std::move(r));
      state->done = true;
    }
    state->done_cv.notify_all();
  };
  if (!jobs_->TrySubmit(std::move(job))) {
    const JobQueue::Stats s = jobs_->GetStats();
    return Error::Overloaded("the service is busy: " + std::to_string(s.workers) + " documents are being processed and " +
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

Result<AgreementRecord> DocumentRunner::Extract(std::string bytes, const ExtractParams& params) {
  // Cheap checks first, so that they never take a place in the queue.
  if (bytes.empty()) {
    return Error::BadRequest(
        "the upload is empty; send the document's bytes as the request body or in a multipart part named file");
  }
  const extract::MediaType type = extract::Sniff(bytes);
  if (type == extract::MediaType::kUnknown) {
    return Error::Unsupported("not a PDF, PNG, JPEG or TIFF file (identified from its bytes); upload one of those");
  }
  extract::ExtractOptions eo;
  eo.ocr = params.ocr;
  eo.lang = params.lang;
  eo.max_ocr_threads = options_.ocr_threads_per_document;
  eo.ocr_engines = options_.ocr_engines;
  const signing::VerifyOptions vo = VerifyOptionsOf(options_.signing);
  return Submit<AgreementRecord>(
      std::move(bytes), [eo, vo, type](const std::string& doc, std::chrono::milliseconds left) mutable
                            -> Result<AgreementRecord> {
        eo.limits.deadline = left;
        Result<AgreementRecord> record = extract::Extract(doc, eo);
        if (record.ok() && type == extract::MediaType::kPdf) AttachSignatures(doc, vo, &record.value());
        return record;
      });
}

Result<VerifyReport> DocumentRunner::Verify(std::string bytes) {
  if (bytes.empty()) {
    return Error::BadRequest("the upload is empty; send the PDF as the request body or in a multipart part named file");
  }
  if (extract::Sniff(bytes) != extract::MediaType::kPdf) {
    return Error::Unsupported("not a PDF (identified from its bytes); /v1/verify checks signatures of PDF files");
  }
  const signing::VerifyOptions vo = VerifyOptionsOf(options_.signing);
  return Submit<VerifyReport>(std::move(bytes), [vo](const std::string& doc, std::chrono::milliseconds) {
    return signing::Verify(doc, vo);
  });
}

Result<std::string> DocumentRunner::Sign(std::string bytes, const SignParams& params) {
  if (!options_.signing.key) {
    return Error::BadRequest(
        "this service has no signing key; start it with --sign-p12 FILE (password in PACTUM_SIGN_P12_PASSWORD) "
        "or --sign-key FILE --sign-cert FILE");
  }
  if (bytes.empty()) {
    return Error::BadRequest("the upload is empty; send the PDF as the request body or in a multipart part named file");
  }
  if (extract::Sniff(bytes) != extract::MediaType::kPdf) {
    return Error::Unsupported("not a PDF (identified from its bytes); /v1/sign signs PDF files");
  }
  signing::SignOptions so;
  so.key = options_.signing.key;
  so.tsa_url = options_.signing.tsa_url;
  so.reason = params.reason;
  so.location = params.location;
  so.contact = params.contact;
  so.field = params.field;
  so.page = params.page;
  so.rect = params.rect;
  so.certify = params.certify;
  return Submit<std::string>(std::move(bytes), [so](const std::string& doc, std::chrono::milliseconds left) mutable {
    so.tsa_timeout = std::min<std::chrono::seconds>(so.tsa_timeout, std::chrono::ceil<std::chrono::seconds>(left));
    return signing::Sign(doc, so);
  });
}

}  // namespace pactum::service
