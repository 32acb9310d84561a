#include "routes.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "http_errors.h"
#include "logging.h"
#include "openapi.h"
#include "params.h"

namespace pactum::service {
namespace {

struct RouteSpec {
  std::string_view path;
  std::string_view allow;  // the Allow header of 405 answers
};

// Every endpoint that exists. /openapi.json describes exactly these.
constexpr RouteSpec kRoutes[] = {
    {"/v1/extract", "POST"},
    {"/v1/verify", "POST"},
    {"/v1/sign", "POST"},
    {"/healthz", "GET, HEAD"},
    {"/readyz", "GET, HEAD"},
    {"/metrics", "GET, HEAD"},
    {"/openapi.json", "GET, HEAD"},
};

const RouteSpec* FindRoute(std::string_view path) {
  for (const RouteSpec& r : kRoutes) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

QueryParams QueryOf(const httplib::Request& req) { return QueryParams(req.params.begin(), req.params.end()); }

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void SetJson(httplib::Response* res, const nlohmann::ordered_json& j) {
  res->status = 200;
  res->set_content(Dump(j), "application/json");
}

void SetJsonText(const std::string& json, httplib::Response* res) {
  res->status = 200;
  res->set_content(json, "application/json");
}

// The test seam of ServerOptions::TEST_allow_faults: the fault a request
// asks its worker to commit. Ignored unless the seam is on.
WorkerFault FaultOf(const RouteContext& ctx, const httplib::Request& req) {
  if (!ctx.allow_faults) return WorkerFault::kNone;
  return ParseWorkerFault(req.get_header_value("X-Pactum-Test-Fault")).value_or(WorkerFault::kNone);
}

// 404 for an unknown path, 405 for a known one with another method.
void NoSuchRoute(const httplib::Request& req, httplib::Response* res) {
  const RouteSpec* route = FindRoute(req.path);
  if (route == nullptr) {
    SetErrorResponse({ErrorCode::kNotFound, "no endpoint " + Printable(req.path) +
                                                "; see GET /openapi.json for the endpoints of this service"},
                     res);
    return;
  }
  SetErrorResponse(Error::BadRequest(Printable(req.method, 16) + " is not allowed on " + std::string(route->path) +
                                     "; use " + std::string(route->allow)),
                   res, 405);
  res->set_header("Allow", std::string(route->allow));
}

void NoSuchRouteWithBody(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  BodyReadInfo body;
  DiscardBody(req, reader, &body);
  CurrentRequestLogFacts().bytes_in = body.bytes_read;
  NoSuchRoute(req, &res);
  if (!body.complete) CloseConnectionAfter(&res);
}

// A GET endpoint: no parameters, then `fill`.
template <typename Fill>
httplib::Server::Handler GetRoute(std::string_view endpoint, Fill fill) {
  return [endpoint, fill](const httplib::Request& req, httplib::Response& res) {
    if (auto err = RejectAnyParams(QueryOf(req), endpoint)) {
      SetErrorResponse(*err, &res);
      return;
    }
    fill(&res);
  };
}

// A document upload: validates the query with `parse`, reads the body under
// the upload cap, then `run`s the document and lets `respond` write the 200.
template <typename Params, typename Run, typename Respond>
void DocumentRoute(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const httplib::ContentReader& reader, Result<Params> params, Run run, Respond respond) {
  BodyReadInfo body;
  if (!params.ok()) {
    DiscardBody(req, reader, &body);
    CurrentRequestLogFacts().bytes_in = body.bytes_read;
    SetErrorResponse(params.error(), &res);
    if (!body.complete) CloseConnectionAfter(&res);
    return;
  }
  Result<std::string> document = ReadDocument(req, reader, ctx.upload, &body);
  CurrentRequestLogFacts().bytes_in = body.bytes_read;
  if (!body.complete) CloseConnectionAfter(&res);
  if (!document.ok()) {
    SetErrorResponse(document.error(), &res);
    return;
  }
  auto result = run(std::move(document).value(), *params);
  if (!result.ok()) {
    SetErrorResponse(result.error(), &res);
    return;
  }
  respond(*result, &res);
}

struct NoParams {};

Result<NoParams> ParseNoParams(const QueryParams& query, std::string_view endpoint) {
  if (auto err = RejectAnyParams(query, endpoint)) return *err;
  return NoParams{};
}

}  // namespace

std::string RouteLabel(const std::string& path) {
  const RouteSpec* route = FindRoute(path);
  return route ? std::string(route->path) : std::string("other");
}

void RegisterRoutes(httplib::Server* http, const RouteContext* ctx) {
  http->Post("/v1/extract", [ctx](const httplib::Request& req, httplib::Response& res,
                                  const httplib::ContentReader& reader) {
    DocumentRoute(
        *ctx, req, res, reader, ParseExtractParams(QueryOf(req)),
        [ctx, &req](std::string doc, const ExtractParams& p) {
          return ctx->runner->Extract(std::move(doc), p, FaultOf(*ctx, req));
        },
        SetJsonText);
  });
  http->Post("/v1/verify", [ctx](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
    DocumentRoute(
        *ctx, req, res, reader, ParseNoParams(QueryOf(req), "POST /v1/verify"),
        [ctx, &req](std::string doc, const NoParams&) {
          return ctx->runner->Verify(std::move(doc), FaultOf(*ctx, req));
        },
        SetJsonText);
  });
  http->Post("/v1/sign", [ctx](const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
    DocumentRoute(
        *ctx, req, res, reader, ParseSignParams(QueryOf(req)),
        [ctx, &req](std::string doc, const SignParams& p) {
          return ctx->runner->Sign(std::move(doc), p, FaultOf(*ctx, req));
        },
        [](const std::string& pdf, httplib::Response* r) {
          r->status = 200;
          r->set_content(pdf, "application/pdf");
          r->set_header("Content-Disposition", "attachment; filename=\"signed.pdf\"");
        });
  });

  http->Get("/healthz", GetRoute("GET /healthz", [](httplib::Response* res) { SetJson(res, {{"status", "ok"}}); }));

  http->Get("/readyz", GetRoute("GET /readyz", [ctx](httplib::Response* res) {
              const JobQueue::Stats s = ctx->jobs->GetStats();
              if (!ctx->jobs->HasRoom()) {
                SetErrorResponse(Error::Overloaded("all " + std::to_string(s.workers) + " workers are busy and " +
                                                   std::to_string(s.queued) +
                                                   " documents wait; retry after the time in Retry-After"),
                                 res);
                return;
              }
              SetJson(res, {{"status", "ready"},
                            {"workers", s.workers},
                            {"running", s.running},
                            {"queued", s.queued},
                            {"queue_capacity", s.queue_capacity}});
            }));

  http->Get("/metrics", GetRoute("GET /metrics", [ctx](httplib::Response* res) {
              res->status = 200;
              res->set_content(ctx->metrics->Render(), kMetricsContentType);
            }));

  http->Get("/openapi\\.json", GetRoute("GET /openapi.json", [](httplib::Response* res) {
              res->status = 200;
              const std::string_view doc = OpenApiJson();
              res->set_content(doc.data(), doc.size(), "application/json");
            }));

  // Catch-alls, registered last (routes are matched in registration order).
  http->Get(".*", [](const httplib::Request& req, httplib::Response& res) { NoSuchRoute(req, &res); });
  http->Post(".*", NoSuchRouteWithBody);
  http->Put(".*", NoSuchRouteWithBody);
  http->Patch(".*", NoSuchRouteWithBody);
  http->Delete(".*", NoSuchRouteWithBody);
  http->Options(".*", [](const httplib::Request& req, httplib::Response& res) {
    if (const RouteSpec* route = FindRoute(req.path)) {
      res.status = 204;
      res.set_header("Allow", std::string(route->allow) + ", OPTIONS");
      return;
    }
    NoSuchRoute(req, &res);
  });
}

}  // namespace pactum::service
