#include "routes.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "cli/verify_text.h"
#include "http_errors.h"
#include "logging.h"
#include "pactum/extract/extractor.h"
#include "openapi.h"
#include "pactum/models/json.h"
#include "params.h"
#include "web_app.h"

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
    {"/v1/documents/{id}", "GET, HEAD, PUT"},
    {"/v1/documents/{id}/file", "GET, HEAD"},
    {"/v1/documents/{id}/text", "GET, HEAD"},
    {"/v1/documents/{id}/versions", "GET, HEAD"},
    {"/v1/documents/{id}/pages/{n}.png", "GET, HEAD"},
    {"/v1/documents/{id}/searchable.pdf", "GET, HEAD"},
    {"/v1/jobs", "GET, HEAD, POST"},
    {"/v1/jobs/{id}", "DELETE, GET, HEAD"},
    {"/v1/jobs/{id}/result", "GET, HEAD"},
    {"/healthz", "GET, HEAD"},
    {"/readyz", "GET, HEAD"},
    {"/metrics", "GET, HEAD"},
    {"/openapi.json", "GET, HEAD"},
    {"/", "GET, HEAD"},
    {"/app/{file}", "GET, HEAD"},
};

// The test seam of ServerOptions::TEST_allow_faults: the fault a request
// asks its worker to commit. Ignored unless the seam is on.
WorkerFault FaultOf(const RouteContext& ctx, const httplib::Request& req) {
  if (!ctx.allow_faults) return WorkerFault::kNone;
  return ParseWorkerFault(req.get_header_value("X-Pactum-Test-Fault")).value_or(WorkerFault::kNone);
}

// Whether `segment` of a path fills `pattern`, a segment of the table: the
// same text, or a "{name}" hole (with text before or after it that the
// segment must start and end with) that some non-empty text fills.
bool SegmentMatches(std::string_view pattern, std::string_view segment) {
  const auto open = pattern.find('{'), close = pattern.find('}');
  if (open == std::string_view::npos || close == std::string_view::npos) return pattern == segment;
  const std::string_view head = pattern.substr(0, open), tail = pattern.substr(close + 1);
  return segment.size() > head.size() + tail.size() && segment.starts_with(head) && segment.ends_with(tail);
}

// The route of `path`; a path segment may fill a "{id}" (or another hole)
// of the table.
const RouteSpec* FindRoute(std::string_view path) {
  for (const RouteSpec& r : kRoutes) {
    std::string_view pattern = r.path, rest = path;
    bool same = true;
    while (same && !pattern.empty() && !rest.empty()) {
      const auto p_end = std::min(pattern.find('/', 1), pattern.size());
      const auto r_end = std::min(rest.find('/', 1), rest.size());
      same = SegmentMatches(pattern.substr(0, p_end), rest.substr(0, r_end));
      pattern.remove_prefix(p_end);
      rest.remove_prefix(r_end);
    }
    if (same && pattern.empty() && rest.empty()) return &r;
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

// Largest body of PUT /v1/documents/{id} (a record; records are kilobytes).
constexpr std::size_t kMaxRecordBytes = std::size_t{16} << 20;

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

// Runs one document through the worker processes; a job's run reports
// progress and can be stopped (`hooks`, null for a synchronous request).
// `timeout`: a job's time left (a part or join of a split job), instead of
// the job's time limit.
Result<DocumentOutput> RunDocument(const RouteContext& ctx, std::string doc, DocumentRequest request,
                                   WorkerFault fault, const JobHooks* hooks,
                                   std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
  if (hooks == nullptr) return ctx.runner->Run(std::move(doc), request, fault);
  // A job: its progress, its cancellation, its own time limit; an
  // extraction that reaches it keeps the pages read.
  DocumentRunOptions options;
  options.control.on_progress = hooks->on_progress;
  options.control.cancelled = hooks->stop;
  options.timeout = timeout.value_or(ctx.job_timeout);
  request.partial_at_deadline = request.op == Operation::kExtract;
  return ctx.runner->Run(std::move(doc), request, options, fault);
}

// `record_json` (a record as served) with document.text set to `text`.
std::string WithText(const std::string& record_json, const std::string& text) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(record_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("document") || !j["document"].is_object()) return record_json;
  j["document"]["text"] = text;
  return DumpJson(j);
}

// The API key label of a request, the author of what it stores; nullopt
// when the service is open.
std::optional<std::string> Author(const std::string& client) {
  if (client.empty()) return std::nullopt;
  return client;
}

// An extraction's answer: the record as served (JSON text).
struct ExtractAnswer {
  std::string id;
  std::string json;
};

// A split job's join (JoinJob): the parts' pages and the time left.
struct Join {
  std::string parts_json;
  std::chrono::milliseconds time_left{0};
};

// POST /v1/extract and /v1/documents: the record, kept in the archive first
// when the parameters say so (*created: it was not there before), as a new
// version by `author`. The record carries document.text only when asked
// (p.text); the archive keeps the text apart from the record. A split job's
// record is joined from its parts' pages (`join`).
Result<ExtractAnswer> ExtractAndStore(const RouteContext& ctx, WorkerFault fault, std::string doc,
                                      const ExtractParams& p, bool* created, const std::optional<std::string>& author,
                                      const JobHooks* hooks = nullptr, std::optional<Join> join = std::nullopt) {
  DocumentRequest request;
  request.op = Operation::kExtract;
  request.extract = p;
  std::optional<std::chrono::milliseconds> timeout;
  if (join) {
    request.step = ExtractStep::kJoin;
    request.parts_json = std::move(join->parts_json);
    timeout = join->time_left;
  }
  std::string original;
  if (p.store) original = doc;
  Result<DocumentOutput> out = RunDocument(ctx, std::move(doc), request, fault, hooks, timeout);
  if (!out.ok()) return out.error();
  AgreementRecord record = std::get<AgreementRecord>(std::move(out).value());
  if (!p.text && !p.store) record.document.text.reset();
  if (!p.store) return ExtractAnswer{record.id, DumpJson(ToJson(record))};
  std::string text = std::move(record.document.text).value_or("");
  record.document.text.reset();
  Result<store::PutResult> put = ctx.store->Put({DumpJson(ToJson(record)), original, text, author});
  if (!put.ok()) {
    if (put.error().code == ErrorCode::kOverloaded) return put.error();
    return Error::Internal("the record could not be archived (" + put.error().message + "); this is a bug");
  }
  if (created) *created = put->created;
  return ExtractAnswer{record.id, p.text ? WithText(put->record.json, text) : std::move(put->record.json)};
}

Result<VerifyReport> Verify(const RouteContext& ctx, WorkerFault fault, std::string doc,
                            const JobHooks* hooks = nullptr) {
  DocumentRequest request;
  request.op = Operation::kVerify;
  Result<DocumentOutput> out = RunDocument(ctx, std::move(doc), request, fault, hooks);
  if (!out.ok()) return out.error();
  return std::get<VerifyReport>(std::move(out).value());
}

Result<SignedPdf> Sign(const RouteContext& ctx, WorkerFault fault, std::string doc, const SignParams& p,
                       const JobHooks* hooks = nullptr) {
  DocumentRequest request;
  request.op = Operation::kSign;
  request.sign = p;
  Result<DocumentOutput> out = RunDocument(ctx, std::move(doc), request, fault, hooks);
  if (!out.ok()) return out.error();
  return std::get<SignedPdf>(std::move(out).value());
}

// GET /v1/documents/{id}/searchable.pdf: the stored original, OCRed again
// in a worker with its searchable PDF/A made there (a signed PDF: 409).
void ServeSearchablePdf(const RouteContext& ctx, WorkerFault fault, const std::string& id, httplib::Response* res) {
  Result<std::optional<store::Original>> found = ctx.store->File(id);
  if (!found.ok()) return SetErrorResponse(found.error(), res);
  if (!*found) return SetErrorResponse(NoSuchDocument(id), res);
  DocumentRequest request;
  request.op = Operation::kExtract;
  request.searchable_pdf = true;
  Result<DocumentOutput> out = RunDocument(ctx, std::move((*found)->bytes), request, fault, nullptr);
  if (!out.ok()) return SetErrorResponse(out.error(), res);
  res->status = 200;
  res->set_content(std::get<SearchablePdf>(std::move(out).value()).bytes, "application/pdf");
  res->set_header("Content-Disposition", "inline; filename=\"" + id + "-searchable.pdf\"");
}

void SetJson(httplib::Response* res, const nlohmann::ordered_json& j) {
  res->status = 200;
  res->set_content(DumpJson(j), "application/json");
}

void SetJsonText(const std::string& json, httplib::Response* res) {
  res->status = 200;
  res->set_content(json, "application/json");
}

void RespondRecord(const ExtractAnswer& answer, httplib::Response* r) { SetJsonText(answer.json, r); }

void RespondReport(const VerifyReport& report, httplib::Response* r) { SetJson(r, ToJson(report)); }

void RespondSigned(const SignedPdf& pdf, httplib::Response* r) {
  r->status = 200;
  r->set_content(pdf.bytes, "application/pdf");
  r->set_header("Content-Disposition", "attachment; filename=\"signed.pdf\"");
}

QueryParams QueryOf(const httplib::Request& req) { return QueryParams(req.params.begin(), req.params.end()); }

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

bool HasParam(const QueryParams& query, std::string_view name) {
  return std::any_of(query.begin(), query.end(), [name](const auto& kv) { return kv.first == name; });
}

// POST /v1/jobs: the operation, the callback and the operation's own
// parameters, validated as its synchronous endpoint validates them.
struct JobSubmission {
  Operation op = Operation::kExtract;
  std::string callback_url;
  QueryParams params;
};

Error NoJobQueue() {
  return Error::BadRequest("jobs are kept in the archive's database and this service runs without one; start it "
                           "with --store sqlite:PATH or --store postgresql://...");
}

Result<JobSubmission> ParseJobSubmission(const RouteContext& ctx, const QueryParams& query) {
  JobSubmission s;
  std::optional<std::string> op, callback;
  for (const auto& [name, value] : query) {
    std::optional<std::string>* slot = name == "op" ? &op : name == "callback_url" ? &callback : nullptr;
    if (slot == nullptr) {
      s.params.emplace_back(name, value);
      continue;
    }
    if (*slot) return Error::BadRequest(name + "= is given twice; give it once");
    *slot = value;
  }
  if (!op) return Error::BadRequest("POST /v1/jobs needs op=extract, op=verify or op=sign");
  const std::optional<Operation> parsed = ParseOperation(*op);
  if (!parsed || *parsed == Operation::kRender) {
    return Error::BadRequest("op=" + Printable(*op) + " is not an operation; use extract, verify or sign");
  }
  s.op = *parsed;
  switch (s.op) {
    case Operation::kExtract: {
      Result<ExtractParams> p = ParseExtractParams(s.params);
      if (!p.ok()) return p.error();
      break;
    }
    case Operation::kVerify:
      if (auto err = RejectAnyParams(s.params, "POST /v1/jobs?op=verify")) return *err;
      break;
    case Operation::kSign: {
      Result<SignParams> p = ParseSignParams(s.params);
      if (!p.ok()) return p.error();
      break;
    }
    case Operation::kRender:
      break;  // refused above
  }
  if (ctx.store == nullptr) return NoJobQueue();
  if (callback) {
    if (ctx.callback_policy == nullptr) return Error::Internal("no callback policy; this is a bug");
    Result<CallbackTarget> target = ctx.callback_policy->Check(*callback);
    if (!target.ok()) return target.error();
    s.callback_url = *callback;
  }
  return s;
}

// POST /v1/verify: the report's format, and the upload's file name for the
// text report's first line.
struct VerifyQuery {
  ReportFormat format = ReportFormat::kJson;
  std::string file_name;
};

Result<VerifyQuery> ParseVerifyQuery(const QueryParams& query) {
  Result<ReportFormat> format = ParseVerifyParams(query);
  if (!format.ok()) return format.error();
  return VerifyQuery{*format, ""};
}

// A job id as the store makes them: 32 lowercase hex digits.
bool IsJobId(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Error NoSuchJob(std::string_view id) {
  return {ErrorCode::kNotFound, "no job " + Printable(id, 80) + "; see GET /v1/jobs for your jobs"};
}

// The job `id` of the requesting client (jobs of other API keys are not
// found), or the error to answer.
Result<store::Job> OwnJob(const RouteContext& ctx, const std::string& id) {
  if (ctx.store == nullptr) return NoJobQueue();
  if (!IsJobId(id)) return NoSuchJob(id);
  Result<std::optional<store::Job>> job = ctx.store->jobs().Get(id);
  if (!job.ok()) return job.error();
  // Parts of split jobs are the service's own business.
  if (!*job || (*job)->owner != CurrentRequestLogFacts().client || !(*job)->parent_id.empty()) return NoSuchJob(id);
  return std::move(**job);
}

void SetJobJson(const store::Job& job, int status, httplib::Response* res) {
  res->status = status;
  res->set_content(JobJson(job), "application/json");
}

// The query of GET /v1/jobs: state, limit (1..100, default 20), cursor.
struct JobListQuery {
  std::optional<store::JobState> state;
  int limit = 20;
  std::optional<std::string> cursor;
};

Result<JobListQuery> ParseJobListQuery(const QueryParams& query) {
  JobListQuery q;
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (!seen.insert(name).second) return Error::BadRequest(Printable(name) + "= is given twice; give it once");
    if (name == "state") {
      q.state = store::ParseJobState(value);
      if (!q.state) {
        return Error::BadRequest("state=" + Printable(value) +
                                 " is not a job state; use queued, running, succeeded, failed or cancelled");
      }
    } else if (name == "limit") {
      int n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 100) {
        return Error::BadRequest("limit=" + Printable(value) + " is not a number from 1 to 100");
      }
      q.limit = n;
    } else if (name == "cursor") {
      if (!IsJobId(value)) return Error::BadRequest("cursor=" + Printable(value) + " is not a next_cursor of GET /v1/jobs");
      q.cursor = value;
    } else {
      return Error::BadRequest("unknown parameter " + Printable(name) + " of GET /v1/jobs; use state, limit, cursor");
    }
  }
  return q;
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
  } else if constexpr (std::is_same_v<Params, VerifyQuery>) {
    if (!body.file_name.empty()) {
      if (Result<std::string> name = CleanFileName(body.file_name); name.ok()) p.file_name = std::move(name).value();
    }
  } else if constexpr (std::is_same_v<Params, JobSubmission>) {
    if (p.op == Operation::kExtract && !body.file_name.empty() && !HasParam(p.params, "filename")) {
      if (Result<std::string> name = CleanFileName(body.file_name); name.ok()) {
        p.params.emplace_back("filename", std::move(name).value());
      }
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

// GET /v1/documents/{id}/pages/{n}.png: the page rendered in a worker
// process. The id is the hash of the bytes, so the image of (id, page, dpi)
// never changes: an ETag of the three and a year's immutable caching; a
// request that names that ETag is answered 304 without rendering.
void ServePageImage(const RouteContext& ctx, const std::string& id, const std::string& page, const QueryParams& query,
                    const std::string& if_none_match, httplib::Response* res) {
  Result<RenderParams> p = ParseRenderParams(query, page);
  if (!p.ok()) return SetErrorResponse(p.error(), res);
  if (ctx.store == nullptr) return SetErrorResponse(NoArchive(), res);
  if (!IsDocumentId(id)) return SetErrorResponse(NoSuchDocument(id), res);
  const std::string etag = "\"" + id + "-p" + std::to_string(p->page) + "-d" + std::to_string(p->dpi) + "\"";
  const auto cache = [&etag, res] {
    res->set_header("ETag", etag);
    res->set_header("Cache-Control", "public, max-age=31536000, immutable");
  };
  if (if_none_match.find(etag) != std::string::npos || if_none_match == "*") {
    res->status = 304;
    cache();
    return;
  }
  Result<std::optional<store::Original>> found = ctx.store->File(id);
  if (!found.ok()) return SetErrorResponse(found.error(), res);
  if (!*found) return SetErrorResponse(NoSuchDocument(id), res);
  DocumentRequest request;
  request.op = Operation::kRender;
  request.render = *p;
  Result<DocumentOutput> out = ctx.runner->Run(std::move((*found)->bytes), request);
  if (!out.ok()) return SetErrorResponse(out.error(), res);
  res->status = 200;
  res->set_content(std::get<RenderedPage>(*out).png, "image/png");
  cache();
}

void RegisterJobRoutes(httplib::Server* http, const RouteContext* ctx) {
  http->Post("/v1/jobs", [ctx](const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
    DocumentRoute(
        *ctx, req, res, reader, ParseJobSubmission(*ctx, QueryOf(req)),
        [ctx](std::string doc, const JobSubmission& s) -> Result<store::Job> {
          Result<extract::MediaType> type = ctx->runner->Precheck(doc, s.op);
          if (!type.ok()) return type.error();
          nlohmann::json params = nlohmann::json::object();
          for (const auto& [name, value] : s.params) params[name] = value;
          store::NewJob job;
          job.op = std::string(OperationName(s.op));
          job.params_json = params.dump();
          job.owner = CurrentRequestLogFacts().client;
          job.callback_url = s.callback_url;
          job.media_type = std::string(extract::MediaTypeName(*type));
          job.upload = std::move(doc);
          job.max_attempts = ctx->job_attempts;
          return ctx->store->jobs().Submit(job);
        },
        [](const store::Job& job, httplib::Response* r) {
          SetJobJson(job, 202, r);
          r->set_header("Location", "/v1/jobs/" + job.id);
        });
  });
  http->Get("/v1/jobs", [ctx](const httplib::Request& req, httplib::Response& res) {
    Result<JobListQuery> q = ParseJobListQuery(QueryOf(req));
    if (!q.ok()) return SetErrorResponse(q.error(), &res);
    if (ctx->store == nullptr) return SetErrorResponse(NoJobQueue(), &res);
    Result<std::vector<store::Job>> jobs =
        ctx->store->jobs().List(CurrentRequestLogFacts().client, q->state, q->limit, q->cursor);
    if (!jobs.ok()) return SetErrorResponse(jobs.error(), &res);
    std::string body = "{\"jobs\":[";
    for (std::size_t i = 0; i < jobs->size(); ++i) {
      if (i > 0) body += ',';
      body += JobJson((*jobs)[i]);
    }
    body += "],\"next_cursor\":";
    body += static_cast<int>(jobs->size()) == q->limit ? "\"" + jobs->back().id + "\"}" : std::string("null}");
    SetJsonText(body, &res);
  });
  http->Get("/v1/jobs/([^/]+)", [ctx](const httplib::Request& req, httplib::Response& res) {
    if (auto err = RejectAnyParams(QueryOf(req), "GET /v1/jobs/{id}")) return SetErrorResponse(*err, &res);
    Result<store::Job> job = OwnJob(*ctx, req.matches[1]);
    if (!job.ok()) return SetErrorResponse(job.error(), &res);
    SetJobJson(*job, 200, &res);
  });
  // With a content reader, as the catch-all for DELETE has one (the library
  // tries those first); a body is read and dropped.
  http->Delete("/v1/jobs/([^/]+)", [ctx](const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& reader) {
    BodyReadInfo body;
    DiscardBody(req, reader, &body);
    CurrentRequestLogFacts().bytes_in = body.bytes_read;
    if (!body.complete) CloseConnectionAfter(&res);
    if (auto err = RejectAnyParams(QueryOf(req), "DELETE /v1/jobs/{id}")) return SetErrorResponse(*err, &res);
    Result<store::Job> job = OwnJob(*ctx, req.matches[1]);
    if (!job.ok()) return SetErrorResponse(job.error(), &res);
    Result<std::optional<store::Job>> after = ctx->store->jobs().Cancel(job->id);
    if (!after.ok()) return SetErrorResponse(after.error(), &res);
    if (!*after) return SetErrorResponse(NoSuchJob(job->id), &res);
    SetJobJson(**after, 200, &res);
  });
  http->Get("/v1/jobs/([^/]+)/result", [ctx](const httplib::Request& req, httplib::Response& res) {
    if (auto err = RejectAnyParams(QueryOf(req), "GET /v1/jobs/{id}/result")) return SetErrorResponse(*err, &res);
    Result<store::Job> job = OwnJob(*ctx, req.matches[1]);
    if (!job.ok()) return SetErrorResponse(job.error(), &res);
    if (!store::IsFinal(job->state)) {
      return SetErrorResponse(
          {ErrorCode::kConflict, "job " + job->id + " is " + std::string(store::JobStateName(job->state)) +
                                     "; poll GET /v1/jobs/" + job->id + " until its state is succeeded or failed"},
          &res);
    }
    if (job->state == store::JobState::kCancelled) {
      return SetErrorResponse({ErrorCode::kConflict, "job " + job->id + " was cancelled; it has no result"}, &res);
    }
    Result<std::optional<store::JobResult>> answer = ctx->store->jobs().Answer(job->id);
    if (!answer.ok()) return SetErrorResponse(answer.error(), &res);
    if (!*answer) return SetErrorResponse(NoSuchJob(job->id), &res);
    const nlohmann::json headers = nlohmann::json::parse((*answer)->headers_json, nullptr, false);
    if (headers.is_object()) {
      for (const auto& [name, value] : headers.items()) {
        if (value.is_string()) res.set_header(name, value.get<std::string>());
      }
    }
    res.status = (*answer)->status;
    res.set_content(std::move((*answer)->body), (*answer)->content_type);
  });
}

// The version a PUT may replace, from its If-Match header: "N" (or N);
// nullopt without the header or with "*". Errors: kBadRequest.
Result<std::optional<int>> IfMatchVersion(const httplib::Request& req) {
  if (!req.has_header("If-Match")) return std::optional<int>();
  std::string v = req.get_header_value("If-Match");
  while (!v.empty() && v.back() == ' ') v.pop_back();
  while (!v.empty() && v.front() == ' ') v.erase(0, 1);
  if (v == "*") return std::optional<int>();
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < 1) {
    return Error::BadRequest("If-Match must be a version number in quotes, e.g. If-Match: \"2\" (the ETag of "
                             "GET /v1/documents/{id}), not '" + Printable(req.get_header_value("If-Match")) + "'");
  }
  return std::optional<int>(n);
}

// The body of PUT /v1/documents/{id} as a record to store: an agreement
// record as GET serves it (its "version" and document.text are the
// archive's and are dropped), with the path's id (taken when the body has
// none). Errors: kBadRequest naming the offending member.
Result<std::string> CorrectedRecord(const std::string& body, const std::string& id) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Error::BadRequest("the body is not JSON; send the whole corrected record as GET /v1/documents/" + id +
                             " serves it");
  }
  if (!j.is_object()) return Error::BadRequest("the body must be a JSON object: the whole corrected record");
  j.erase("version");
  if (j.contains("document") && j["document"].is_object()) j["document"].erase("text");
  if (!j.contains("id")) j["id"] = id;  // the path names it
  if (j["id"] != id) return Error::BadRequest("$.id: the record's id must be the document's, " + id + " (the path's)");
  Result<AgreementRecord> record = AgreementRecordFromJson(j);
  if (!record.ok()) {
    std::string why = record.error().message;
    const std::string prefix = "malformed agreement record JSON: ";
    if (why.starts_with(prefix)) why = why.substr(prefix.size());
    return Error::BadRequest("the body is not an agreement record: " + why);
  }
  return DumpJson(ToJson(*record));
}

void SetETag(int version, httplib::Response* res) {
  std::string tag = "\"";
  tag += std::to_string(version);
  tag += '"';
  res->set_header("ETag", tag);
}

// GET and PUT of /v1/documents/{id}, its /file, /text and /versions.
void RegisterArchiveRoutes(httplib::Server* http, const RouteContext* ctx) {
  http->Get("/v1/documents/([^/]+)", [ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    Result<RecordParams> p = ParseRecordParams(QueryOf(req));
    if (!p.ok()) return SetErrorResponse(p.error(), &res);
    if (ctx->store == nullptr) return SetErrorResponse(NoArchive(), &res);
    if (!IsDocumentId(id)) return SetErrorResponse(NoSuchDocument(id), &res);
    Result<std::optional<store::StoredRecord>> found = ctx->store->Version(id, p->version);
    if (!found.ok()) return SetErrorResponse(found.error(), &res);
    if (!*found) {
      if (!p->version) return SetErrorResponse(NoSuchDocument(id), &res);
      Result<std::optional<std::string>> exists = ctx->store->Record(id);
      if (!exists.ok()) return SetErrorResponse(exists.error(), &res);
      if (!*exists) return SetErrorResponse(NoSuchDocument(id), &res);
      return SetErrorResponse({ErrorCode::kNotFound, "document " + id + " has no version " +
                                                         std::to_string(*p->version) + "; see GET /v1/documents/" +
                                                         id + "/versions"},
                              &res);
    }
    std::string json = std::move((*found)->json);
    if (p->text) {
      Result<std::optional<std::string>> text = ctx->store->Text(id);
      if (!text.ok()) return SetErrorResponse(text.error(), &res);
      json = WithText(json, text->value_or(""));
    }
    SetJsonText(json, &res);
    if (!p->version) SetETag((*found)->version.number, &res);
  });
  http->Put("/v1/documents/([^/]+)", [ctx](const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader& reader) {
    const std::string id = req.matches[1];
    BodyReadInfo info;
    auto refuse = [&](const Error& e) {
      if (!info.complete && info.bytes_read == 0) DiscardBody(req, reader, &info);
      CurrentRequestLogFacts().bytes_in = info.bytes_read;
      SetErrorResponse(e, &res);
      if (!info.complete) CloseConnectionAfter(&res);
    };
    if (auto err = RejectAnyParams(QueryOf(req), "PUT /v1/documents/{id}")) return refuse(*err);
    if (ctx->store == nullptr) return refuse(NoArchive());
    if (!IsDocumentId(id)) return refuse(NoSuchDocument(id));
    Result<std::optional<int>> if_match = IfMatchVersion(req);
    if (!if_match.ok()) return refuse(if_match.error());
    Result<std::string> body = ReadDocument(req, reader, UploadLimits{kMaxRecordBytes}, &info);
    CurrentRequestLogFacts().bytes_in = info.bytes_read;
    if (!info.complete) CloseConnectionAfter(&res);
    if (!body.ok()) return SetErrorResponse(body.error(), &res);
    Result<std::string> record = CorrectedRecord(*body, id);
    if (!record.ok()) {  // of a document that exists: else 404 whatever the body
      Result<std::optional<std::string>> exists = ctx->store->Record(id);
      if (exists.ok() && !*exists) return SetErrorResponse(NoSuchDocument(id), &res);
      return SetErrorResponse(record.error(), &res);
    }
    Result<store::StoredRecord> stored =
        ctx->store->Correct({id, *record, Author(CurrentRequestLogFacts().client), *if_match});
    if (!stored.ok()) {
      return SetErrorResponse(stored.error().code == ErrorCode::kNotFound ? NoSuchDocument(id) : stored.error(), &res);
    }
    SetJsonText(stored->json, &res);
    SetETag(stored->version.number, &res);
  });
  auto original = [](store::Store& st, const std::string& id, httplib::Response* res) {
    Result<std::optional<store::Original>> found = st.File(id);
    if (!found.ok()) return SetErrorResponse(found.error(), res);
    if (!*found) return SetErrorResponse(NoSuchDocument(id), res);
    res->set_header("Content-Disposition", "attachment; filename=\"" + id + FileExtension((*found)->media_type) + "\"");
    ServeBytes(std::move((*found)->bytes), (*found)->media_type, res);
  };
  auto text = [](store::Store& st, const std::string& id, httplib::Response* res) {
    Result<std::optional<std::string>> found = st.Text(id);
    if (!found.ok()) return SetErrorResponse(found.error(), res);
    if (!*found) return SetErrorResponse(NoSuchDocument(id), res);
    res->status = 200;
    res->set_content(std::move(**found), "text/plain; charset=utf-8");
  };
  auto versions = [](store::Store& st, const std::string& id, httplib::Response* res) {
    Result<std::optional<std::vector<store::VersionInfo>>> found = st.Versions(id);
    if (!found.ok()) return SetErrorResponse(found.error(), res);
    if (!*found) return SetErrorResponse(NoSuchDocument(id), res);
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const store::VersionInfo& v : **found) {
      list.push_back({{"number", v.number},
                      {"kind", v.kind},
                      {"created_at", v.created_at},
                      {"created_by", v.created_by ? nlohmann::ordered_json(*v.created_by) : nullptr}});
    }
    SetJson(res, {{"versions", std::move(list)}});
  };
  http->Get("/v1/documents/([^/]+)/file", StoredDocumentRoute(ctx, "GET /v1/documents/{id}/file", original));
  http->Get("/v1/documents/([^/]+)/text", StoredDocumentRoute(ctx, "GET /v1/documents/{id}/text", text));
  http->Get("/v1/documents/([^/]+)/versions", StoredDocumentRoute(ctx, "GET /v1/documents/{id}/versions", versions));
}

}  // namespace

namespace {

// Split jobs (JobOptions::part_pages): a scan of many pages is split into
// parts that the workers of every replica read at once; each part answers
// its pages (extract::PagesPartToJson), and the split job, queued again once
// every part is final, joins them into the record. The job's time limit
// holds for the whole: the parts read pages until the page stage's share of
// it (extract::PagesDeadline) has passed since the job started, and the
// join has what is left, at least the share kept back for it.

std::chrono::milliseconds SinceMs(std::int64_t epoch_ms) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return now - std::chrono::milliseconds(epoch_ms);
}

// Splits `job` when it is worth it: a scan (JobClass::kSlow) of more than
// part_pages pages. False when it was not split (the whole job then runs
// as one, and reports whatever stopped the split).
bool SplitJob(const RouteContext& ctx, std::string_view bytes, const ExtractParams& p, const JobHooks& hooks) {
  if (ctx.job_part_pages <= 0 || !hooks.split) return false;
  Result<extract::MediaType> type = ctx.runner->Precheck(bytes, Operation::kExtract);
  if (!type.ok() || ExtractionClass(bytes, *type, p) != JobClass::kSlow) return false;
  DocumentRequest count;
  count.op = Operation::kExtract;
  count.extract = p;
  count.step = ExtractStep::kCount;
  Result<DocumentOutput> out = RunDocument(ctx, std::string(bytes), count, WorkerFault::kNone, &hooks);
  if (!out.ok()) return false;
  const int pages = std::get<PagesOutput>(*out).page_count;
  if (pages <= ctx.job_part_pages) return false;
  std::vector<store::PageRange> ranges;
  for (int first = 1; first <= pages; first += ctx.job_part_pages) {
    ranges.push_back({first, std::min(pages, first + ctx.job_part_pages - 1)});
  }
  Result<bool> split = hooks.split(ranges);
  if (!split.ok()) spdlog::warn("a job could not be split into parts ({}); it runs whole", split.error().message);
  return split.ok() && *split;
}

// A part of a split job: its pages.
void AnswerPart(const RouteContext& ctx, const store::Job& part, std::string bytes, const ExtractParams& p,
                const JobHooks& hooks, httplib::Response* res) {
  Result<std::optional<store::Job>> parent = ctx.store->jobs().Get(part.parent_id);
  if (!parent.ok()) return SetErrorResponse(parent.error(), res);
  if (!*parent || !(*parent)->started_at) return SetErrorResponse(Error::Internal("a part without its job"), res);
  // It reads pages until the job's page stage ends, and is stopped when
  // the job's time is up (its worker keeps back a share of what is left for
  // its answer, as a whole job's does).
  const std::chrono::milliseconds since = SinceMs(*(*parent)->started_at);
  const std::chrono::milliseconds left = ctx.job_timeout - since;
  std::string pages;
  if (extract::PagesDeadline(ctx.job_timeout) <= since) {
    // Past the job's page stage: the part's pages are missing.
    extract::PagesPart none;
    none.page_count = (*parent)->pages_total;
    for (int page = part.first_page; page <= part.last_page; ++page) none.pages.missing_pages.push_back(page);
    pages = extract::PagesPartToJson(none);
  } else {
    DocumentRequest request;
    request.op = Operation::kExtract;
    request.extract = p;
    request.step = ExtractStep::kPages;
    request.first_page = part.first_page;
    request.last_page = part.last_page;
    Result<DocumentOutput> out = RunDocument(ctx, std::move(bytes), request, WorkerFault::kNone, &hooks, left);
    if (!out.ok()) return SetErrorResponse(out.error(), res);
    pages = std::get<PagesOutput>(std::move(out).value()).json;
  }
  res->status = 200;
  res->set_content(std::move(pages), "application/json");
}

// The parts' pages as a JSON array, in page order; else the error of the
// first part that failed, which the split job then fails with.
Result<std::string> PartsJson(const RouteContext& ctx, const store::Job& job) {
  Result<std::vector<store::Job>> parts = ctx.store->jobs().Parts(job.id);
  if (!parts.ok()) return parts.error();
  if (static_cast<int>(parts->size()) != job.parts) {
    return Error::Internal("job " + job.id + " has " + std::to_string(parts->size()) + " of its " +
                           std::to_string(job.parts) + " parts");
  }
  std::string joined = "[";
  for (const store::Job& part : *parts) {
    if (part.state == store::JobState::kCancelled) return Error::Cancelled();
    Result<std::optional<store::JobResult>> answer = ctx.store->jobs().Answer(part.id);
    if (!answer.ok()) return answer.error();
    if (part.state == store::JobState::kFailed || !*answer) {
      // Its error: from its answer, or from the queue (its replicas died).
      const std::string error_json = *answer ? (*answer)->body : "{\"error\":" + part.error_json.value_or("{}") + "}";
      const nlohmann::ordered_json j = nlohmann::ordered_json::parse(error_json, nullptr, false);
      if (Result<Error> e = ErrorFromJson(j); e.ok()) return *e;
      return Error::Internal("part " + part.id + " of job " + job.id + " failed");
    }
    if (joined.size() > 1) joined += ',';
    joined += (*answer)->body;
  }
  return joined + "]";
}

}  // namespace

void AnswerJob(const RouteContext& ctx, const store::Job& job, std::string bytes, const JobHooks& hooks,
               httplib::Response* res) {
  QueryParams query;
  const nlohmann::json params = nlohmann::json::parse(job.params_json, nullptr, false);
  if (params.is_object()) {
    for (const auto& [name, value] : params.items()) {
      if (value.is_string()) query.emplace_back(name, value.get<std::string>());
    }
  }
  const std::optional<Operation> op = ParseOperation(job.op);
  if (!op) return SetErrorResponse(Error::Internal("a job of unknown operation " + Printable(job.op)), res);
  switch (*op) {
    case Operation::kExtract: {
      Result<ExtractParams> p = ParseExtractParams(query);
      if (!p.ok()) return SetErrorResponse(p.error(), res);
      if (p->store && ctx.store == nullptr) return SetErrorResponse(NoArchive(), res);
      if (!job.parent_id.empty()) return AnswerPart(ctx, job, std::move(bytes), *p, hooks, res);
      std::optional<Join> join;
      if (job.parts > 0) {
        Result<std::string> parts = PartsJson(ctx, job);
        if (!parts.ok()) return SetErrorResponse(parts.error(), res);
        const std::chrono::milliseconds reserve = ctx.job_timeout - extract::PagesDeadline(ctx.job_timeout);
        const std::chrono::milliseconds left = ctx.job_timeout - SinceMs(job.started_at.value_or(job.created_at));
        join = Join{std::move(parts).value(), std::max(left, reserve)};
      } else if (SplitJob(ctx, bytes, *p, hooks)) {
        return;  // it waits for its parts
      }
      Result<ExtractAnswer> r = ExtractAndStore(ctx, WorkerFault::kNone, std::move(bytes), *p, nullptr,
                                                Author(job.owner), &hooks, std::move(join));
      return r.ok() ? RespondRecord(*r, res) : SetErrorResponse(r.error(), res);
    }
    case Operation::kVerify: {
      Result<VerifyReport> r = Verify(ctx, WorkerFault::kNone, std::move(bytes), &hooks);
      return r.ok() ? RespondReport(*r, res) : SetErrorResponse(r.error(), res);
    }
    case Operation::kSign: {
      Result<SignParams> p = ParseSignParams(query);
      if (!p.ok()) return SetErrorResponse(p.error(), res);
      Result<SignedPdf> r = Sign(ctx, WorkerFault::kNone, std::move(bytes), *p, &hooks);
      return r.ok() ? RespondSigned(*r, res) : SetErrorResponse(r.error(), res);
    }
    case Operation::kRender:
      break;
  }
  SetErrorResponse(Error::Internal("a job of operation render, which jobs do not run"), res);
}

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
          return ExtractAndStore(*ctx, FaultOf(*ctx, req), std::move(doc), p, nullptr,
                                 Author(CurrentRequestLogFacts().client));
        },
        RespondRecord);
  });
  http->Post("/v1/documents", [ctx](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
    bool created = false;
    DocumentRoute(
        *ctx, req, res, reader, NeedsArchiveIfStoring(*ctx, ParseStoreParams(QueryOf(req))),
        [ctx, &req, &created](std::string doc, const ExtractParams& p) {
          return ExtractAndStore(*ctx, FaultOf(*ctx, req), std::move(doc), p, &created,
                                 Author(CurrentRequestLogFacts().client));
        },
        [&created](const ExtractAnswer& answer, httplib::Response* r) {
          SetJsonText(answer.json, r);
          // 201 with the new document's address; 200 when these bytes were
          // stored before (the new reading is the record's next version).
          if (created) r->status = 201;
          r->set_header("Location", "/v1/documents/" + answer.id);
        });
  });
  http->Post("/v1/verify", [ctx](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
    VerifyQuery query;
    DocumentRoute(
        *ctx, req, res, reader, ParseVerifyQuery(QueryOf(req)),
        [ctx, &req, &query](std::string doc, const VerifyQuery& q) {
          query = q;
          return Verify(*ctx, FaultOf(*ctx, req), std::move(doc));
        },
        [&query](const VerifyReport& report, httplib::Response* r) {
          if (query.format == ReportFormat::kJson) return RespondReport(report, r);
          // The words of `pactum verify --format text` (cli/verify_text.h).
          r->status = 200;
          r->set_content(cli::VerifyReportText(ToJson(report), query.file_name.empty() ? "(upload)" : query.file_name),
                         "text/plain; charset=utf-8");
        });
  });
  http->Post("/v1/sign", [ctx](const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
    DocumentRoute(
        *ctx, req, res, reader, ParseSignParams(QueryOf(req)),
        [ctx, &req](std::string doc, const SignParams& p) { return Sign(*ctx, FaultOf(*ctx, req), std::move(doc), p); },
        RespondSigned);
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
    body += page->next_cursor ? "\"" + store::FormatCursor(*page->next_cursor, page->next_rank) + "\"" : "null";
    if (!query->text.empty()) {  // why each matched, in the same order
      nlohmann::ordered_json hits = nlohmann::ordered_json::array();
      for (const store::Hit& h : page->hits) {
        hits.push_back({{"id", h.id}, {"rank", h.rank}, {"snippet", h.snippet}, {"snippet_html", h.snippet_html}});
      }
      body += ",\"hits\":" + DumpJson(hits);
    }
    body += '}';
    SetJsonText(body, &res);
  });
  RegisterArchiveRoutes(http, ctx);
  http->Get("/v1/documents/([^/]+)/pages/([^/]+)\\.png", [ctx](const httplib::Request& req, httplib::Response& res) {
    ServePageImage(*ctx, req.matches[1], req.matches[2], QueryOf(req), req.get_header_value("If-None-Match"), &res);
  });
  http->Get("/v1/documents/([^/]+)/searchable\\.pdf", [ctx](const httplib::Request& req, httplib::Response& res) {
    const WorkerFault fault = FaultOf(*ctx, req);
    StoredDocumentRoute(ctx, "GET /v1/documents/{id}/searchable.pdf",
                        [ctx, fault](store::Store&, const std::string& id, httplib::Response* r) {
                          ServeSearchablePdf(*ctx, fault, id, r);
                        })(req, res);
  });
  RegisterJobRoutes(http, ctx);

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

  RegisterWebApp(http);

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
