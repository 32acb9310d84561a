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
#include "webhook.h"
#include "worker_pool.h"

namespace pactum::service {

// What the handlers need. Not owned; must outlive the httplib::Server.
struct RouteContext {
  DocumentRunner* runner = nullptr;
  const JobQueue* jobs = nullptr;
  const WorkerPool* workers = nullptr;  // /readyz: is any worker alive
  const Metrics* metrics = nullptr;
  store::Store* store = nullptr;  // the archive; null: store=true and /v1/documents answer 400
  // Callbacks (webhook.h): the policy a submitted callback_url is checked
  // against (CallbackPolicy::Check: its Error is the answer), never null
  // once the server started; the sender of finished jobs' callbacks, null
  // when the operator allows none (the policy is then empty).
  const CallbackPolicy* callback_policy = nullptr;
  CallbackSender* callbacks = nullptr;
  int job_attempts = 3;  // claims of a job before it fails (replicas that died on it)
  std::chrono::milliseconds job_timeout{std::chrono::hours(1)};  // per job
  int job_part_pages = 4;  // JobOptions::part_pages
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
