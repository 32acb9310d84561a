// The route table of the service: which path takes which method, and the
// thin handlers that turn HTTP into calls of the domain code and back.
#pragma once

#include <httplib.h>

#include "document_runner.h"
#include "pactum/service/job_queue.h"
#include "upload.h"

namespace pactum::service {

// What the handlers need. Not owned; must outlive the httplib::Server.
struct RouteContext {
  DocumentRunner* runner = nullptr;
  const JobQueue* jobs = nullptr;
  UploadLimits upload;
};

// Registers every route, plus catch-alls that answer 404 not_found (unknown
// path) and 405 (known path, other method; with Allow) with the error body.
void RegisterRoutes(httplib::Server* http, const RouteContext* ctx);

}  // namespace pactum::service
