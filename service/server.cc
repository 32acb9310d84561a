// Server: cpp-httplib configured for untrusted uploads, around the routes.
#include "pactum/service/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <exception>
#include <random>
#include <thread>

#include "access.h"
#include "document_runner.h"
#include "http_errors.h"
#include "http_guard.h"
#include "job_runner.h"
#include "logging.h"
#include "metrics.h"
#include "pactum/extract/options.h"
#include "pactum/service/job_queue.h"
#include "params.h"
#include "rate_limit.h"
#include "routes.h"
#include "upload.h"
#include "webhook.h"
#include "worker_pool.h"

namespace pactum::service {
namespace {

// Connections are served one per thread (cpp-httplib's blocking model); a
// thread waiting on a slow client costs little, so keep many: clerks upload
// large scans over slow lines, and a few slow clients must not stop the
// health checks and everybody else.
// Each slow client holds a thread for at most AccessOptions::head_timeout
// while its headers trickle in.
constexpr int kMinHttpThreads = 256;

ServerOptions Resolve(ServerOptions o) {
  if (o.workers <= 0) o.workers = extract::AvailableCpus();
  o.queue = std::max(0, o.queue);
  if (o.http_threads <= 0) o.http_threads = std::max(kMinHttpThreads, o.workers + o.queue + 4);
  return o;
}

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// One JSON access-log line per request (logging.h).
void WriteAccessLog(const httplib::Request& req, const httplib::Response& res, const RequestLogFacts& facts) {
  std::string line = fmt::format(R"("request_id":"{}","method":"{}","path":"{}","status":{},"bytes_in":{},"bytes_out":{})",
                                 JsonEscape(facts.request_id), JsonEscape(req.method.empty() ? "-" : Printable(req.method, 16)),
                                 JsonEscape(req.path.empty() ? "-" : Printable(req.path, 256)), res.status,
                                 facts.bytes_in, res.body.size());
  if (facts.started) line += fmt::format(R"(,"ms":{:.1f})", SecondsSince(facts.start) * 1000);
  if (!req.remote_addr.empty()) line += fmt::format(R"(,"remote":"{}")", JsonEscape(req.remote_addr));
  if (!facts.client.empty()) line += fmt::format(R"(,"client":"{}")", JsonEscape(facts.client));
  if (res.status >= 400) {
    // The error's code, from the contract's body.
    const auto at = res.body.find("\"code\":\"");
    if (at != std::string::npos) {
      const auto from = at + 8, to = res.body.find('"', from);
      if (to != std::string::npos && to - from < 40) line += fmt::format(R"(,"error":"{}")", res.body.substr(from, to - from));
    }
  }
  AccessLog()->info(line);
}

// A request id: the client's X-Request-Id when it is a plain token (letters,
// digits, '.', '_', '-'; at most 64), else 16 random hex digits.
std::string RequestIdFor(const httplib::Request& req) {
  const std::string given = req.get_header_value("X-Request-Id");
  if (!given.empty() && given.size() <= 64 &&
      std::all_of(given.begin(), given.end(), [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; })) {
    return given;
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

// Endpoints that stay open when API keys are configured: probes of
// orchestrators, the API description and the web app's static files (which
// then ask for a key for their API calls).
bool IsOpenPath(const std::string& path) {
  return path == "/healthz" || path == "/readyz" || path == "/openapi.json" || path == "/" ||
         (path.starts_with("/app/") && path.find('/', 5) == std::string::npos);
}

// Called when a request's headers are in (Expect handler, then routing);
// the first call of a request counts.
void StartRequestClock(const httplib::Request& req, httplib::Response& res) {
  RequestLogFacts& facts = CurrentRequestLogFacts();
  if (facts.started) return;
  facts.start = std::chrono::steady_clock::now();
  facts.started = true;
  facts.request_id = RequestIdFor(req);
  res.set_header("X-Request-Id", facts.request_id);
}

// Sets header `name` to `value`, replacing any earlier value (the library's
// set_header adds one more).
void ReplaceHeader(httplib::Response& res, const std::string& name, const std::string& value) {
  res.headers.erase(name);
  res.set_header(name, value);
}

// Framing the service refuses (request smuggling): Content-Length given
// twice with different values, or together with Transfer-Encoding. Read
// from the head as received (a guarded connection), else from the parsed
// headers.
std::optional<Error> CheckFraming(const httplib::Request& req) {
  const std::string& head = CurrentRawHead().bytes;
  std::vector<std::string> lengths, encodings;
  if (!head.empty()) {
    lengths = RawHeaderValues(head, "Content-Length");
    encodings = RawHeaderValues(head, "Transfer-Encoding");
  } else {
    for (auto [it, end] = req.headers.equal_range("Content-Length"); it != end; ++it) lengths.push_back(it->second);
    for (auto [it, end] = req.headers.equal_range("Transfer-Encoding"); it != end; ++it) encodings.push_back(it->second);
  }
  for (const std::string& l : lengths) {
    if (l != lengths.front()) {
      return Error::BadRequest("the request has Content-Length headers with different values; send one");
    }
  }
  if (!lengths.empty() && !encodings.empty()) {
    return Error::BadRequest("the request has both Content-Length and Transfer-Encoding; send one of them");
  }
  return std::nullopt;
}

// The Authorization header as the client sent it (the library
// percent-decodes header values; a key is compared byte for byte).
std::string AuthorizationAsSent(const httplib::Request& req) {
  const std::string& head = CurrentRawHead().bytes;
  if (head.empty()) return req.get_header_value("Authorization");
  std::vector<std::string> values = RawHeaderValues(head, "Authorization");
  if (values.size() != 1) return std::string();  // none, or ambiguous
  return values.front();
}

// The library would cut the answers of every route to the client's byte
// ranges, many of them at once (one small request, a huge multipart
// answer). Its handling is switched off here: one range is kept for the
// routes that serve it (RequestLogFacts::range), more are ignored (the
// whole answer, as nginx's max_ranges 1).
void TakeRanges(const httplib::Request& req) {
  auto& ranges = const_cast<httplib::Request&>(req).ranges;  // the library's own object, not const
  if (ranges.size() == 1) {
    CurrentRequestLogFacts().range = std::pair<long long, long long>(ranges.front().first, ranges.front().second);
  }
  ranges.clear();
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(ServerOptions options) : options_(Resolve(std::move(options))) {}

  Result<int> Start();
  void Stop();

  Result<bool> StartWorkers();
  void StartJobRunner();
  void DeclareMetrics();
  void Configure();
  // Authentication and rate limit of a request whose headers are in; false
  // (with `res` set to 401 or 429) when it must not go on.
  bool Admit(const httplib::Request& req, httplib::Response& res);
  void CountRequest(const httplib::Request& req, const httplib::Response& res, const RequestLogFacts& facts);

  ServerOptions options_;
  std::function<void()> before_extract_;
  std::function<void()> before_routing_;
  Metrics metrics_;
  CounterFamily* requests_ = nullptr;
  HistogramFamily* latency_ = nullptr;
  CounterFamily* pages_ = nullptr;
  CounterFamily* documents_ = nullptr;
  CounterFamily* signatures_ = nullptr;
  CounterFamily* restarts_ = nullptr;
  std::optional<ApiKeys> api_keys_;
  std::unique_ptr<RateLimiter> rate_limiter_;
  // Declared before the queue: the queue's jobs use the workers, so the
  // queue goes first.
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<DocumentRunner> runner_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<JobRunner> job_runner_;
  // Callbacks of finished jobs: the operator's policy (empty without
  // --callback-allow) and the sender (null then). The jobs code checks a
  // submitted callback_url with routes_.callback_policy and hands finished
  // jobs to routes_.callbacks->Enqueue(); Stop() stops the sender after the
  // job queue, so that jobs finishing during shutdown still enqueue theirs.
  CallbackPolicy callback_policy_;
  std::unique_ptr<CallbackSender> callbacks_;
  RouteContext routes_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  std::atomic<bool> listener_exited_{false};
  int port_ = -1;
  bool started_ = false;
  bool stopped_ = false;
};

void Server::Impl::Configure() {
  const int threads = options_.http_threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };

  const std::size_t cap = options_.max_upload_bytes;
  // First line of defence: bodies that declare a larger Content-Length. The
  // document cap itself is enforced by counting (upload.h).
  http_->set_payload_max_length(cap + kBodySlackBytes);
  http_->set_keep_alive_max_count(20);
  // Headers and body go out in separate writes: with Nagle's algorithm a
  // small answer on a kept-alive connection waits for the client's delayed
  // ACK (40 ms on Linux). Measured with wrk, 8 connections: GET /healthz
  // 198 req/s at p99 48 ms with Nagle.
  http_->set_tcp_nodelay(true);

  // Every connection is bound before its headers reach the library
  // (http_guard.h); only one instance listens on a port (the library's
  // default socket options would add SO_REUSEPORT, letting a second
  // instance, perhaps without API keys, take a share of the connections).
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  http_->set_pre_routing_handler([this, hook = before_routing_](const httplib::Request& req, httplib::Response& res) {
    StartRequestClock(req, res);
    TakeRanges(req);
    if (auto err = CheckFraming(req)) {
      SetErrorResponse(*err, &res);
      CloseConnectionAfter(&res);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!Admit(req, res)) return httplib::Server::HandlerResponse::Handled;
    if (hook) hook();
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // "Expect: 100-continue": refuse what cannot succeed before the client
  // sends the body.
  // The client then never sends the body; the connection is closed anyway
  // in case it does.
  http_->set_expect_100_continue_handler([this, cap](const httplib::Request& req, httplib::Response& res) {
    StartRequestClock(req, res);
    if (auto err = CheckFraming(req)) {
      SetErrorResponse(*err, &res);
      CloseConnectionAfter(&res);
      return res.status;
    }
    if (!Admit(req, res)) return res.status;
    if (!RequestContentEncoding(req).empty()) {
      SetErrorResponse(Error::Unsupported("Content-Encoding is not accepted; send the document's bytes uncompressed"),
                       &res);
      CloseConnectionAfter(&res);
      return res.status;
    }
    if (req.has_header("Content-Length") && req.get_header_value<uint64_t>("Content-Length") > cap + kBodySlackBytes) {
      SetErrorResponse(DocumentTooLarge(UploadLimits{cap}), &res);
      CloseConnectionAfter(&res);
      return res.status;
    }
    return 100;
  });

  // Fills the error body of responses that no route wrote (the library's own
  // 400/413/414/... answers). Must not throw: it runs outside the library's
  // try block.
  http_->set_error_handler(httplib::Server::HandlerWithResponse([access = options_.access](const httplib::Request& req,
                                                                                        httplib::Response& res) {
    try {
      const_cast<httplib::Request&>(req).ranges.clear();  // the error body is never cut
      StartRequestClock(req, res);  // answers before routing carry an id too
      switch (CurrentRawHead().violation) {
        case RawHead::Violation::kTooLarge:
        case RawHead::Violation::kTooManyLines:
          res.status = 431;
          SetErrorResponse(Error::BadRequest("the request's headers are too large (at most " +
                                             std::to_string(access.max_head_bytes) + " bytes in " +
                                             std::to_string(access.max_head_lines) + " lines)"),
                           &res, 431);
          CloseConnectionAfter(&res);
          return httplib::Server::HandlerResponse::Handled;
        case RawHead::Violation::kTimeout:
          SetErrorResponse(Error::BadRequest("the request's headers did not arrive in time"), &res, 408);
          CloseConnectionAfter(&res);
          return httplib::Server::HandlerResponse::Handled;
        case RawHead::Violation::kNone:
          break;
      }
      if (res.status == 416) {
        res.body.clear();
        SetErrorResponse({ErrorCode::kRangeNotSatisfiable,
                          "the Range header is malformed; ask for one range, e.g. bytes=0-1023, or for the whole "
                          "resource"},
                         &res);
        return httplib::Server::HandlerResponse::Handled;
      }
      if (res.body.empty()) SetErrorResponse(ErrorForLibraryStatus(res.status), &res, res.status);
    } catch (...) {
      res.body.clear();
    }
    return httplib::Server::HandlerResponse::Handled;
  }));

  // A bug in a handler: logged, answered with 500 internal, serving goes on.
  http_->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "non-standard exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("request {}: {} {}: handler threw: {}", CurrentRequestLogFacts().request_id, Printable(req.method, 16),
                  Printable(req.path, 256), what);
    res.headers.clear();
    if (!CurrentRequestLogFacts().request_id.empty()) res.set_header("X-Request-Id", CurrentRequestLogFacts().request_id);
    CloseConnectionAfter(&res);  // the body may be half read
    SetErrorResponse(Error::Internal("the request failed unexpectedly; this is a bug of the service, please report it"),
                     &res);
  });

  http_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    RequestLogFacts& facts = CurrentRequestLogFacts();
    try {
      WriteAccessLog(req, res, facts);
      CountRequest(req, res, facts);
    } catch (...) {
    }
    facts = RequestLogFacts{};
  });

  RegisterRoutes(http_.get(), &routes_);
}

// The worker processes, with the configuration they load themselves.
Result<bool> Server::Impl::StartWorkers() {
  WorkerPoolOptions wo;
  wo.binary = options_.worker.binary;
  if (wo.binary.empty()) {
    char self[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return Error::Internal("cannot find this executable to start workers (/proc/self/exe)");
    wo.binary.assign(self, static_cast<std::size_t>(n));
  }
  wo.size = options_.workers;
  wo.max_documents = options_.worker.max_documents;
  WorkerConfig& c = wo.config;
  c.log_level = options_.worker.log_level;
  c.trust = options_.trust;
  c.sign_key = options_.sign_key;
  c.tsa_url = options_.tsa_url;
  const int hw = extract::AvailableCpus();
  c.ocr_threads = std::max(1, hw / options_.workers);
  c.limits.memory_bytes = options_.worker.memory_bytes;
  c.limits.cpu_seconds = options_.worker.cpu_seconds;
  c.limits.max_stream_bytes = options_.max_stream_bytes;
  c.limits.document = options_.limits;
  c.limits.timeout = options_.timeout;
  c.allow_faults = options_.TEST_allow_faults;
  wo.on_replace = [this](WorkerExit cause) { restarts_->Add({{"cause", WorkerExitName(cause)}}).Increment(); };
  Result<std::unique_ptr<WorkerPool>> pool = WorkerPool::Start(std::move(wo));
  if (!pool.ok()) return pool.error();
  workers_ = std::move(*pool);
  return true;
}

void Server::Impl::DeclareMetrics() {
  requests_ = &metrics_.AddCounter("pactum_http_requests_total", "HTTP requests answered, by route and status");
  latency_ = &metrics_.AddHistogram("pactum_http_request_duration_seconds",
                                    "Time from a request's headers to its answer, by route");
  documents_ = &metrics_.AddCounter("pactum_documents_total", "Documents processed by a worker, by operation");
  pages_ = &metrics_.AddCounter("pactum_pages_total",
                                "Pages of processed documents: all, rendered to pixels, read with OCR");
  signatures_ = &metrics_.AddCounter("pactum_signatures_verified_total", "Signatures verified, by status");
  restarts_ = &metrics_.AddCounter("pactum_worker_restarts_total", "Worker processes replaced, by cause");
  for (WorkerExit c : kWorkerExits) {
    restarts_->Add({{"cause", WorkerExitName(c)}});  // every cause shown, at 0
  }
  metrics_.AddGaugeCallback("pactum_queue_depth", "Admitted documents waiting for a worker",
                            [this] { return jobs_ ? jobs_->GetStats().queued : 0; });
  metrics_.AddGaugeCallback("pactum_documents_in_progress", "Documents being processed by workers",
                            [this] { return jobs_ ? jobs_->GetStats().running : 0; });
  metrics_.AddGaugeCallback("pactum_callbacks_pending", "Callbacks waiting for an attempt or a retry, or being sent",
                            [this] { return callbacks_ ? static_cast<double>(callbacks_->Pending()) : 0.0; });
  metrics_.AddGaugeCallback("pactum_workers", "Worker processes alive",
                            [this] { return workers_ ? static_cast<double>(workers_->Alive()) : 0.0; });
}

bool Server::Impl::Admit(const httplib::Request& req, httplib::Response& res) {
  RequestLogFacts& facts = CurrentRequestLogFacts();
  // The Expect handler admits a request before its body; routing then
  // must not charge it again.
  if (facts.admitted) return true;
  facts.admitted = true;
  if (IsOpenPath(req.path)) return true;
  std::string client = req.remote_addr;
  if (api_keys_) {
    std::optional<std::string> label = api_keys_->Authenticate(AuthorizationAsSent(req));
    if (!label) {
      SetErrorResponse(
          {ErrorCode::kUnauthorized,
           req.has_header("Authorization")
               ? "the API key is not valid; send a key of this service as Authorization: Bearer KEY"
               : "an API key is required; send it as Authorization: Bearer KEY"},
          &res);
      res.set_header("WWW-Authenticate", "Bearer");
      CloseConnectionAfter(&res);  // the body, if any, stays unread
      return false;
    }
    client = *label;
    facts.client = client;
  }
  std::chrono::milliseconds retry{0};
  if (rate_limiter_ && !rate_limiter_->Allow(client, std::chrono::steady_clock::now(), &retry)) {
    SetErrorResponse(Error::Overloaded("too many requests from this client; retry after the time in Retry-After"),
                     &res, 429);
    ReplaceHeader(res, "Retry-After", std::to_string((retry.count() + 999) / 1000));
    CloseConnectionAfter(&res);
    return false;
  }
  return true;
}

void Server::Impl::CountRequest(const httplib::Request& req, const httplib::Response& res,
                                const RequestLogFacts& facts) {
  const std::string route = req.path.empty() ? "other" : RouteLabel(req.path);
  requests_->Add({{"route", route}, {"status", std::to_string(res.status)}}).Increment();
  if (facts.started) latency_->Add({{"route", route}}, DefaultLatencyBuckets()).Observe(SecondsSince(facts.start));
}

Result<int> Server::Impl::Start() {
  DeclareMetrics();
  if (!options_.access.api_keys_file.empty()) {
    Result<ApiKeys> keys = ApiKeys::Load(options_.access.api_keys_file);
    if (!keys.ok()) return keys.error();
    api_keys_ = std::move(*keys);
  }
  if (options_.access.rate_per_second > 0) {
    rate_limiter_ = std::make_unique<RateLimiter>(options_.access.rate_per_second, options_.access.rate_burst);
  }
  const bool tls = !options_.access.tls_cert_file.empty() || !options_.access.tls_key_file.empty();
  if (tls) {
    if (options_.access.tls_cert_file.empty() || options_.access.tls_key_file.empty()) {
      return Error::BadRequest("TLS needs both a certificate (--tls-cert) and its key (--tls-key)");
    }
    auto ssl = std::make_unique<httplib::SSLServer>(options_.access.tls_cert_file.c_str(),
                                                    options_.access.tls_key_file.c_str());
    if (!ssl->is_valid()) {
      return Error::BadRequest("cannot use the TLS certificate " + options_.access.tls_cert_file + " with the key " +
                               options_.access.tls_key_file + " (unreadable, not PEM, or not a pair)");
    }
    http_ = std::move(ssl);
  } else {
    HeadLimits head;
    head.max_head_bytes = options_.access.max_head_bytes;
    head.max_head_lines = options_.access.max_head_lines;
    head.head_timeout = options_.access.head_timeout;
    http_ = std::make_unique<GuardedServer>(head);
  }

  Result<std::unique_ptr<CallbackSender>> callbacks = StartCallbackSender(options_.callbacks, &metrics_);
  if (!callbacks.ok()) return callbacks.error();
  callbacks_ = std::move(*callbacks);
  if (callbacks_) callback_policy_ = callbacks_->policy();

  if (!options_.store_uri.empty()) {
    Result<std::unique_ptr<store::Store>> store = store::Store::Open(options_.store_uri);
    if (!store.ok()) return store.error();
    store_ = std::move(*store);
    spdlog::info("archive: {}", store_->Describe());
  }
  if (Result<bool> w = StartWorkers(); !w.ok()) return w.error();
  jobs_ = std::make_unique<JobQueue>(options_.workers, options_.queue);
  DocumentRunnerOptions ro;
  ro.timeout = options_.timeout;
  ro.workers = workers_.get();
  ro.has_signing_key = options_.sign_key.has_value();
  ro.before_extract = before_extract_;
  ro.on_done = [this](Operation op, const WorkStats& st) {
    documents_->Add({{"op", std::string(OperationName(op))}}).Increment();
    pages_->Add({{"kind", "all"}}).Increment(st.pages);
    pages_->Add({{"kind", "rendered"}}).Increment(st.pages_rendered);
    pages_->Add({{"kind", "ocr"}}).Increment(st.pages_ocr);
    for (const auto& [status, n] : st.signatures) signatures_->Add({{"status", status}}).Increment(n);
  };
  runner_ = std::make_unique<DocumentRunner>(jobs_.get(), std::move(ro));
  routes_.runner = runner_.get();
  routes_.jobs = jobs_.get();
  routes_.workers = workers_.get();
  routes_.metrics = &metrics_;
  routes_.store = store_.get();
  routes_.callback_policy = &callback_policy_;
  routes_.callbacks = callbacks_.get();
  routes_.allow_faults = options_.TEST_allow_faults;
  routes_.upload.max_document_bytes = options_.max_upload_bytes;
  routes_.job_attempts = options_.jobs.attempts;
  routes_.job_part_pages = options_.jobs.part_pages;
  routes_.job_timeout = std::chrono::seconds(options_.jobs.timeout_seconds);
  Configure();

  errno = 0;
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
  } else {
    port_ = http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ < 0) {
    const std::string why = errno != 0 ? std::strerror(errno) : "address not available";
    jobs_->Shutdown();
    if (callbacks_) callbacks_->Stop();
    workers_->Shutdown();
    return Error::Internal("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + why);
  }
  started_ = true;
  if (store_) StartJobRunner();
  listener_ = std::thread([this] {
    if (!http_->listen_after_bind()) spdlog::error("the HTTP listener stopped with an error");
    listener_exited_ = true;
  });
  while (!http_->is_running() && !listener_exited_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!http_->is_running()) {
    Stop();
    return Error::Internal("the HTTP listener on " + options_.host + ":" + std::to_string(port_) + " did not start");
  }
  return port_;
}

void Server::Impl::StartJobRunner() {
  JobRunnerOptions jo;
  jo.concurrency = options_.jobs.concurrency > 0 ? std::min(options_.jobs.concurrency, options_.workers)
                                                 : options_.workers;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
  jo.replica = std::string(host) + ":" + std::to_string(getpid());
  jo.lease = std::chrono::seconds(options_.jobs.lease_seconds);
  // Renewed every third of the lease, and at least every second so that a
  // cancellation is seen within a second (one small write per running job).
  jo.heartbeat = std::min<std::chrono::milliseconds>(jo.lease / 3, std::chrono::seconds(1));
  jo.retention = std::chrono::hours(options_.jobs.retention_hours);
  jo.execute = [this](const store::Job& job, std::string bytes, const JobHooks& hooks, httplib::Response* res) {
    AnswerJob(routes_, job, std::move(bytes), hooks, res);
  };
  jo.on_finished = [this](const store::Job& job) {
    if (job.callback_url.empty()) return;
    if (!callbacks_) {
      spdlog::warn("job {} has a callback_url but callbacks are no longer allowed (--callback-allow); not sent", job.id);
      return;
    }
    Result<std::string> delivery = callbacks_->Enqueue(job.callback_url, JobJson(job));
    if (!delivery.ok()) spdlog::warn("job {}: its callback was not queued: {}", job.id, delivery.error().message);
  };
  job_runner_ = std::make_unique<JobRunner>(&store_->jobs(), std::move(jo));
  job_runner_->Start();
}

void Server::Impl::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  http_->stop();  // closes the listening socket; in-flight requests finish
  if (listener_.joinable()) listener_.join();
  if (job_runner_) job_runner_->Stop();  // running jobs are given back to the queue
  jobs_->Shutdown();  // jobs whose requests timed out run to their end here
  if (callbacks_) callbacks_->Stop();  // after the jobs: those finishing above still enqueue theirs
  workers_->Shutdown();
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { Stop(); }

Result<int> Server::Start() { return impl_->Start(); }

void Server::Stop() { impl_->Stop(); }

int Server::port() const { return impl_->port_; }

const ServerOptions& Server::options() const { return impl_->options_; }

std::vector<int> Server::WorkerPids() const {
  if (!impl_->workers_) return {};
  std::vector<pid_t> pids = impl_->workers_->Pids();
  return std::vector<int>(pids.begin(), pids.end());
}

void Server::TEST_SetBeforeExtractHook(std::function<void()> hook) { impl_->before_extract_ = std::move(hook); }

void Server::TEST_SetBeforeRoutingHook(std::function<void()> hook) { impl_->before_routing_ = std::move(hook); }

}  // namespace pactum::service
