// The route table of the service: which path takes which method, and the
// thin handlers that turn HTTP into calls of the domain code and back.
#pragma once

#include <httplib.h>

#include "document_runner.h"
#include "job_runner.h"
#include "metrics.h"
#include "pactum/service/job_queue.h"
#include "pactum/store/store.h"
#include "upload.h"
#include "worker_pool.h"

namespace pactum::service {

// What the handlers need. Not owned; must outlive the httplib::Server.
struct RouteContext {
  DocumentRunner* runner = nullptr;
  const JobQueue* jobs = nullptr;
  const WorkerPool* workers = nullptr;  // /readyz: is any worker alive
  const Metrics* metrics = nullptr;
  store::Store* store = nullptr;  // the archive; null: store=true and /v1/documents answer 400
  // Checks a job's callback_url against the operator's allow list: an
  // Error (400) to refuse it. Null: the service sends no callbacks.
  std::function<std::optional<Error>(const std::string& url)> check_callback_url;
  int job_attempts = 3;  // claims of a job before it fails (replicas that died on it)
  std::chrono::milliseconds job_timeout{std::chrono::hours(1)};  // per job
  UploadLimits upload;
  bool allow_faults = false;  // ServerOptions::TEST_allow_faults
};

// The route label of `path` for metrics: the path of a known endpoint, else
// "other" (so that scanners cannot grow the label set).
std::string RouteLabel(const std::string& path);

// Runs a job's document as its synchronous endpoint would and writes that
// endpoint's answer (status, headers, body) into `res`.
void AnswerJob(const RouteContext& ctx, const store::Job& job, std::string bytes, const JobHooks& hooks,
               httplib::Response* res);

// Registers every route, plus catch-alls that answer 404 not_found (unknown
// path) and 405 (known path, other method; with Allow) with the error body.
void RegisterRoutes(httplib::Server* http, const RouteContext* ctx);

}  // namespace pactum::service
