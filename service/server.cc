// Server: cpp-httplib configured for untrusted uploads, around the routes.
#include "pactum/service/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

#include "document_runner.h"
#include "http_errors.h"
#include "logging.h"
#include "pactum/extract/ocr_engine.h"
#include "pactum/service/job_queue.h"
#include "params.h"
#include "routes.h"
#include "upload.h"

namespace pactum::service {
namespace {

ServerOptions Resolve(ServerOptions o) {
  if (o.workers <= 0) o.workers = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  o.queue = std::max(0, o.queue);
  if (o.http_threads <= 0) o.http_threads = std::max(8, o.workers + o.queue + 4);
  return o;
}

void WriteAccessLog(const httplib::Request& req, const httplib::Response& res) {
  RequestLogFacts& facts = CurrentRequestLogFacts();
  const std::string ms =
      facts.started
          ? fmt::format("{:.1f}", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - facts.start).count())
          : std::string("-");
  // Requests the library rejected before routing have no method or path.
  AccessLog()->info("{} {} {} in={} out={} ms={} remote={}", req.method.empty() ? "-" : Printable(req.method, 16),
                    req.path.empty() ? "-" : Printable(req.path, 256), res.status, facts.bytes_in, res.body.size(), ms,
                    req.remote_addr.empty() ? "-" : req.remote_addr);
  facts = RequestLogFacts{};
}

// Called when a request's headers are in (Expect handler, then routing);
// the first call of a request counts.
void StartRequestClock() {
  RequestLogFacts& facts = CurrentRequestLogFacts();
  if (facts.started) return;
  facts.start = std::chrono::steady_clock::now();
  facts.started = true;
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(ServerOptions options) : options_(Resolve(std::move(options))) {}

  Result<int> Start();
  void Stop();

  void Configure();

  ServerOptions options_;
  std::function<void()> before_extract_;
  std::function<void()> before_routing_;
  // Declared before the queue: the queue's jobs use the engines, so the
  // queue goes first.
  std::unique_ptr<extract::OcrEnginePool> ocr_engines_;
  std::unique_ptr<JobQueue> jobs_;
  std::unique_ptr<DocumentRunner> runner_;
  RouteContext routes_;
  httplib::Server http_;
  std::thread listener_;
  std::atomic<bool> listener_exited_{false};
  int port_ = -1;
  bool started_ = false;
  bool stopped_ = false;
};

void Server::Impl::Configure() {
  const int threads = options_.http_threads;
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };

  const std::size_t cap = options_.max_upload_bytes;
  // First line of defence: bodies that declare a larger Content-Length. The
  // document cap itself is enforced by counting (upload.h).
  http_.set_payload_max_length(cap + kBodySlackBytes);
  http_.set_keep_alive_max_count(20);

  http_.set_pre_routing_handler([hook = before_routing_](const httplib::Request&, httplib::Response&) {
    StartRequestClock();
    if (hook) hook();
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // "Expect: 100-continue": refuse what cannot succeed before the client
  // sends the body.
  // The client then never sends the body; the connection is closed anyway
  // in case it does.
  http_.set_expect_100_continue_handler([cap](const httplib::Request& req, httplib::Response& res) {
    StartRequestClock();
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
  http_.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    try {
      if (res.body.empty()) SetErrorResponse(ErrorForLibraryStatus(res.status), &res, res.status);
    } catch (...) {
      res.body.clear();
    }
    return httplib::Server::HandlerResponse::Handled;
  }));

  // A bug in a handler: logged, answered with 500 internal, serving goes on.
  http_.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "non-standard exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("{} {}: handler threw: {}", Printable(req.method, 16), Printable(req.path, 256), what);
    res.headers.clear();
    CloseConnectionAfter(&res);  // the body may be half read
    SetErrorResponse(Error::Internal("the request failed unexpectedly; this is a bug of the service, please report it"),
                     &res);
  });

  http_.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    try {
      WriteAccessLog(req, res);
    } catch (...) {
    }
  });

  RegisterRoutes(&http_, &routes_);
}

Result<int> Server::Impl::Start() {
  const int hw = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int ocr_threads_per_document = std::max(1, hw / options_.workers);
  // One OCR engine pool for the whole server, so that engines (and their
  // loaded language models) are reused across requests: at most one engine
  // per OCR thread and language list.
  ocr_engines_ = extract::CreateOcrEnginePool(options_.workers * ocr_threads_per_document);

  jobs_ = std::make_unique<JobQueue>(options_.workers, options_.queue);
  DocumentRunnerOptions ro;
  ro.signing = options_.signing;
  ro.timeout = options_.timeout;
  ro.ocr_threads_per_document = ocr_threads_per_document;
  ro.ocr_engines = ocr_engines_.get();
  ro.before_extract = before_extract_;
  runner_ = std::make_unique<DocumentRunner>(jobs_.get(), std::move(ro));
  routes_.runner = runner_.get();
  routes_.jobs = jobs_.get();
  routes_.upload.max_document_bytes = options_.max_upload_bytes;
  Configure();

  errno = 0;
  if (options_.port == 0) {
    port_ = http_.bind_to_any_port(options_.host);
  } else {
    port_ = http_.bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ < 0) {
    const std::string why = errno != 0 ? std::strerror(errno) : "address not available";
    jobs_->Shutdown();
    return Error::Internal("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + why);
  }
  started_ = true;
  listener_ = std::thread([this] {
    if (!http_.listen_after_bind()) spdlog::error("the HTTP listener stopped with an error");
    listener_exited_ = true;
  });
  while (!http_.is_running() && !listener_exited_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!http_.is_running()) {
    Stop();
    return Error::Internal("the HTTP listener on " + options_.host + ":" + std::to_string(port_) + " did not start");
  }
  return port_;
}

void Server::Impl::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  http_.stop();  // closes the listening socket; in-flight requests finish
  if (listener_.joinable()) listener_.join();
  jobs_->Shutdown();  // jobs whose requests timed out run to their end here
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { Stop(); }

Result<int> Server::Start() { return impl_->Start(); }

void Server::Stop() { impl_->Stop(); }

int Server::port() const { return impl_->port_; }

const ServerOptions& Server::options() const { return impl_->options_; }

void Server::TEST_SetBeforeExtractHook(std::function<void()> hook) { impl_->before_extract_ = std::move(hook); }

void Server::TEST_SetBeforeRoutingHook(std::function<void()> hook) { impl_->before_routing_ = std::move(hook); }

}  // namespace pactum::service
