#include "routes.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "http_errors.h"
#include "logging.h"
#include "openapi.h"
#include "pactum/models/json.h"
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
    {"/v1/documents", "GET, HEAD, POST"},
    {"/v1/documents/{id}", "GET, HEAD"},
    {"/v1/documents/{id}/file", "GET, HEAD"},
    {"/healthz", "GET, HEAD"},
    {"/readyz", "GET, HEAD"},
    {"/metrics", "GET, HEAD"},
    {"/openapi.json", "GET, HEAD"},
};

// The test seam of ServerOptions::TEST_allow_faults: the fault a request
// asks its worker to commit. Ignored unless the seam is on.
WorkerFault FaultOf(const RouteContext& ctx, const httplib::Request& req) {
  if (!ctx.allow_faults) return WorkerFault::kNone;
  return ParseWorkerFault(req.get_header_value("X-Pactum-Test-Fault")).value_or(WorkerFault::kNone);
}

// The route of `path`; a path segment may fill a "{id}" of the table.
const RouteSpec* FindRoute(std::string_view path) {
  for (const RouteSpec& r : kRoutes) {
    std::string_view pattern = r.path;
    const auto hole = pattern.find("{id}");
    if (hole == std::string_view::npos) {
      if (pattern == path) return &r;
      continue;
    }
    const std::string_view head = pattern.substr(0, hole), tail = pattern.substr(hole + 4);
    if (path.size() > head.size() + tail.size() && path.starts_with(head) && path.ends_with(tail)) {
      const std::string_view id = path.substr(head.size(), path.size() - head.size() - tail.size());
      if (id.find('/') == std::string_view::npos) return &r;
    }
  }
  return nullptr;
}

// A document id as the service makes them: 64 lowercase hex digits.
bool IsDocumentId(std::string_view id) {
  return id.size() == 64 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Error NoSuchDocument(std::string_view id) {
  return {ErrorCode::kNotFound, "no document " + Printable(id, 80) +
                                    " in the archive; ids are the SHA-256 of the stored bytes, see GET /v1/documents"};
}

Error NoArchive() {
  return Error::BadRequest("this service runs without an archive; start it with --store sqlite:PATH or "
                           "--store postgresql://... to keep documents");
}

// Extract params of a route that may store: refused before the body is read
// when there is no archive.
Result<ExtractParams> NeedsArchiveIfStoring(const RouteContext& ctx, Result<ExtractParams> params) {
  if (params.ok() && params->store && ctx.store == nullptr) return NoArchive();
  return params;
}

// POST /v1/extract and /v1/documents: the record, kept in the archive first
// when the parameters say so (*created: it was not there before).
Result<AgreementRecord> ExtractAndStore(const RouteContext& ctx, const httplib::Request& req, std::string doc,
                                        const ExtractParams& p, bool* created) {
  DocumentRequest request;
  request.op = Operation::kExtract;
  request.extract = p;
  std::string original;
  if (p.store) original = doc;
  Result<DocumentOutput> out = ctx.runner->Run(std::move(doc), request, FaultOf(ctx, req));
  if (!out.ok()) return out.error();
  AgreementRecord record = std::get<AgreementRecord>(std::move(out).value());
  if (!p.store) return record;
  Result<bool> put = ctx.store->Put({DumpJson(ToJson(record)), original});
  if (!put.ok()) {
    if (put.error().code == ErrorCode::kOverloaded) return put.error();
    return Error::Internal("the record could not be archived (" + put.error().message + "); this is a bug");
  }
  if (created) *created = *put;
  return record;
}

QueryParams QueryOf(const httplib::Request& req) { return QueryParams(req.params.begin(), req.params.end()); }

void SetJson(httplib::Response* res, const nlohmann::ordered_json& j) {
  res->status = 200;
  res->set_content(DumpJson(j), "application/json");
}

void SetJsonText(const std::string& json, httplib::Response* res) {
  res->status = 200;
  res->set_content(json, "application/json");
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
  SetErrorResponse({ErrorCode::kMethodNotAllowed, Printable(req.method, 16) + " is not allowed on " +
                                                    std::string(route->path) + "; use " + std::string(route->allow)},
                   res);
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
  Params p = std::move(params).value();
  if constexpr (std::is_same_v<Params, ExtractParams>) {
    // The multipart part's file name, unless the query named one; a name
    // that is not clean text is not kept.
    if (!p.file_name && !body.file_name.empty()) {
      if (Result<std::string> name = CleanFileName(body.file_name); name.ok()) p.file_name = std::move(name).value();
    }
  }
  auto result = run(std::move(document).value(), p);
  if (!result.ok()) {
    SetErrorResponse(result.error(), &res);
    return;
  }
  respond(*result, &res);
}

// The usual file name extension of a stored document's media type.
std::string FileExtension(std::string_view media_type) {
  if (media_type == "application/pdf") return ".pdf";
  if (media_type == "image/png") return ".png";
  if (media_type == "image/jpeg") return ".jpg";
  if (media_type == "image/tiff") return ".tif";
  return "";
}

// GET of one stored document (the path's first group is its id): no
// parameters, an archive, a well-formed id, then `serve`.
template <typename Serve>
httplib::Server::Handler StoredDocumentRoute(const RouteContext* ctx, std::string_view endpoint, Serve serve) {
  return [ctx, endpoint, serve](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    if (auto err = RejectAnyParams(QueryOf(req), endpoint)) return SetErrorResponse(*err, &res);
    if (ctx->store == nullptr) return SetErrorResponse(NoArchive(), &res);
    if (!IsDocumentId(id)) return SetErrorResponse(NoSuchDocument(id), &res);
    serve(*ctx->store, id, &res);
  };
}

// Serves `bytes` whole (200), or the one byte range the client asked for
// (206 with Content-Range; 416 when it starts past the end).
void ServeBytes(std::string bytes, const std::string& media_type, httplib::Response* res) {
  res->set_header("Accept-Ranges", "bytes");
  const std::optional<std::pair<long long, long long>> range = CurrentRequestLogFacts().range;
  const auto size = static_cast<long long>(bytes.size());
  if (!range) {
    res->status = 200;
    res->set_content(std::move(bytes), media_type);
    return;
  }
  long long first = range->first, last = range->second;
  if (first < 0) {  // the last `last` bytes
    first = std::max(0LL, size - last);
    last = size - 1;
  } else if (last < 0 || last >= size) {
    last = size - 1;
  }
  if (first >= size || first > last) {
    SetErrorResponse({ErrorCode::kRangeNotSatisfiable,
                      "the range starts past the end of the " + std::to_string(size) +
                          "-byte document; ask for bytes=0-" + std::to_string(std::max(0LL, size - 1))},
                     res);
    res->set_header("Content-Range", "bytes */" + std::to_string(size));
    return;
  }
  res->status = 206;
  res->set_header("Content-Range",
                  "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size));
  res->set_content(bytes.substr(static_cast<std::size_t>(first), static_cast<std::size_t>(last - first + 1)),
                   media_type);
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
        *ctx, req, res, reader, NeedsArchiveIfStoring(*ctx, ParseExtractParams(QueryOf(req))),
        [ctx, &req](std::string doc, const ExtractParams& p) {
          return ExtractAndStore(*ctx, req, std::move(doc), p, nullptr);
        },
        [](const AgreementRecord& record, httplib::Response* r) { SetJson(r, ToJson(record)); });
  });
  http->Post("/v1/documents", [ctx](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
    bool created = false;
    DocumentRoute(
        *ctx, req, res, reader, NeedsArchiveIfStoring(*ctx, ParseStoreParams(QueryOf(req))),
        [ctx, &req, &created](std::string doc, const ExtractParams& p) {
          return ExtractAndStore(*ctx, req, std::move(doc), p, &created);
        },
        [&created](const AgreementRecord& record, httplib::Response* r) {
          SetJson(r, ToJson(record));
          // 201 with the new document's address; 200 when these bytes were
          // stored before (the record is replaced by the new reading).
          if (created) r->status = 201;
          r->set_header("Location", "/v1/documents/" + record.id);
        });
  });
  http->Post("/v1/verify", [ctx](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
    DocumentRoute(
        *ctx, req, res, reader, ParseNoParams(QueryOf(req), "POST /v1/verify"),
        [ctx, &req](std::string doc, const NoParams&) -> Result<VerifyReport> {
          DocumentRequest request;
          request.op = Operation::kVerify;
          Result<DocumentOutput> out = ctx->runner->Run(std::move(doc), request, FaultOf(*ctx, req));
          if (!out.ok()) return out.error();
          return std::get<VerifyReport>(std::move(out).value());
        },
        [](const VerifyReport& report, httplib::Response* r) { SetJson(r, ToJson(report)); });
  });
  http->Post("/v1/sign", [ctx](const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
    DocumentRoute(
        *ctx, req, res, reader, ParseSignParams(QueryOf(req)),
        [ctx, &req](std::string doc, const SignParams& p) -> Result<SignedPdf> {
          DocumentRequest request;
          request.op = Operation::kSign;
          request.sign = p;
          Result<DocumentOutput> out = ctx->runner->Run(std::move(doc), request, FaultOf(*ctx, req));
          if (!out.ok()) return out.error();
          return std::get<SignedPdf>(std::move(out).value());
        },
        [](const SignedPdf& pdf, httplib::Response* r) {
          r->status = 200;
          r->set_content(pdf.bytes, "application/pdf");
          r->set_header("Content-Disposition", "attachment; filename=\"signed.pdf\"");
        });
  });

  http->Get("/v1/documents", [ctx](const httplib::Request& req, httplib::Response& res) {
    Result<store::Query> query = ParseFindParams(QueryOf(req));
    if (!query.ok()) return SetErrorResponse(query.error(), &res);
    if (ctx->store == nullptr) return SetErrorResponse(NoArchive(), &res);
    Result<store::Page> page = ctx->store->Find(*query);
    if (!page.ok()) return SetErrorResponse(page.error(), &res);
    // The records are kept as the JSON text they were served as.
    std::string body = "{\"documents\":[";
    for (std::size_t i = 0; i < page->records.size(); ++i) {
      if (i > 0) body += ',';
      body += page->records[i];
    }
    body += "],\"next_cursor\":";
    if (page->next_cursor) {
      body += '"';
      body += std::to_string(*page->next_cursor);
      body += "\"}";
    } else {
      body += "null}";
    }
    SetJsonText(body, &res);
  });
  auto record = [](store::Store& st, const std::string& id, httplib::Response* res) {
    Result<std::optional<std::string>> found = st.Record(id);
    if (!found.ok()) return SetErrorResponse(found.error(), res);
    if (!*found) return SetErrorResponse(NoSuchDocument(id), res);
    SetJsonText(**found, res);
  };
  auto original = [](store::Store& st, const std::string& id, httplib::Response* res) {
    Result<std::optional<store::Original>> found = st.File(id);
    if (!found.ok()) return SetErrorResponse(found.error(), res);
    if (!*found) return SetErrorResponse(NoSuchDocument(id), res);
    res->set_header("Content-Disposition", "attachment; filename=\"" + id + FileExtension((*found)->media_type) + "\"");
    ServeBytes(std::move((*found)->bytes), (*found)->media_type, res);
  };
  http->Get("/v1/documents/([^/]+)", StoredDocumentRoute(ctx, "GET /v1/documents/{id}", record));
  http->Get("/v1/documents/([^/]+)/file", StoredDocumentRoute(ctx, "GET /v1/documents/{id}/file", original));

  http->Get("/healthz", GetRoute("GET /healthz", [](httplib::Response* res) { SetJson(res, {{"status", "ok"}}); }));

  http->Get("/readyz", GetRoute("GET /readyz", [ctx](httplib::Response* res) {
              const JobQueue::Stats s = ctx->jobs->GetStats();
              const int alive = ctx->workers ? ctx->workers->Alive() : s.workers;
              if (alive == 0) {
                SetErrorResponse(Error::Overloaded("no worker process is alive; replacements are being started, "
                                                   "retry after the time in Retry-After"),
                                 res);
                return;
              }
              if (!ctx->jobs->HasRoom()) {
                SetErrorResponse(Error::Overloaded("all " + std::to_string(s.workers) + " workers are busy and " +
                                                   std::to_string(s.queued) +
                                                   " documents wait; retry after the time in Retry-After"),
                                 res);
                return;
              }
              SetJson(res, {{"status", "ready"},
                            {"workers", s.workers},
                            {"workers_alive", alive},
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
