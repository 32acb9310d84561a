// The HTTP service of shared/spec/API.md: a thin table of routes over
// pactum::extract::Extract, with the limits a public upload endpoint needs.
//
//   POST /v1/extract   document in -> agreement record (raw body or
//                      multipart/form-data part "file")
//   POST /v1/verify    PDF in -> signature verification report
//   POST /v1/sign      PDF in -> the PDF signed with the configured key
//   POST /v1/documents document in -> record, kept in the archive with the
//                      original; GET /v1/documents (search), /{id}, /{id}/file
//   GET  /healthz      the process is alive
//   GET  /readyz       the work queue can take a document (else 503)
//   GET  /metrics      Prometheus text format
//   GET  /openapi.json the OpenAPI 3 description of all of the above
//
// Every error, on every path, is {"error": {"code", "message"}} with the
// contract's status. Uploads are capped by counting bytes as they arrive
// (413), documents are processed in a bounded pool of supervised worker
// processes (503 + Retry-After when full) under a per-document deadline
// (504); a worker that crashes costs its request a 422, never the service.
//
// A Server is driven from one thread (Start, Stop); requests are served on
// threads of its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pactum/extract/options.h"
#include "pactum/models/status.h"
#include "pactum/service/callbacks.h"
#include "pactum/signing/keys.h"

namespace pactum::service {

// The worker processes that parse documents (see worker_pool.h).
struct WorkerProcessOptions {
  // The pactum executable started as `BINARY worker`; empty: this process's
  // own executable (/proc/self/exe).
  std::string binary;
  // Address-space cap of each worker (RLIMIT_AS), bytes; 0: none. A
  // document that needs more is answered 422 and the worker is replaced.
  std::uint64_t memory_bytes = std::uint64_t{4} << 30;
  // CPU seconds per document (RLIMIT_CPU); past it the worker is killed and
  // the request gets 504. 0: none.
  int cpu_seconds = 300;
  // A worker is replaced after this many documents (slow leaks); 0: never.
  int max_documents = 1000;
  // Log level of the workers (they log to the same stderr).
  std::string log_level = "info";
};

// Access control. Empty fields switch a feature off.
struct AccessOptions {
  // File of SHA-256 hex digests of the accepted API keys, one per line
  // (optionally followed by a label). Set: every endpoint except /healthz,
  // /readyz and /openapi.json needs "Authorization: Bearer KEY" (else 401).
  std::string api_keys_file;
  // Requests per second allowed per API key (per client address when no keys
  // are configured), with bursts of `rate_burst`; past it 429 with
  // Retry-After. 0: unlimited.
  double rate_per_second = 0;
  double rate_burst = 20;
  // PEM certificate (chain) and private key: serve HTTPS instead of HTTP.
  // With TLS the request-head bounds below are not applied (the library's
  // own TLS server reads the heads): put a proxy in front (deploy/nginx).
  std::string tls_cert_file, tls_key_file;
  // Bounds on each request's head (request line and headers), checked as
  // the bytes arrive, before the library parses them: total size (431
  // beyond), header lines (431), and the time from its first byte to its
  // end (408, or the connection is closed): slow clients.
  std::size_t max_head_bytes = 32 * 1024;
  int max_head_lines = 100;
  std::chrono::milliseconds head_timeout = std::chrono::seconds(10);
};

// Jobs (POST /v1/jobs), kept in the archive's database: none without one.
struct JobOptions {
  // Time one job may take from its claim to its answer; an extraction
  // keeps the pages read by then (partial: true).
  int timeout_seconds = 3600;
  // A replica that stops renewing its jobs' leases (it died) loses them to
  // the other replicas after this; they renew every third of it.
  int lease_seconds = 30;
  // Finished jobs and their results are deleted after this.
  int retention_hours = 168;
  // Claims of one job before it fails (replicas that died while running it).
  int attempts = 3;
  // An extraction job likely to be OCRed (a scan) of more pages than this
  // is split into parts of this many pages, which the workers of every
  // replica read at once, and joined in page order. 0: never split.
  int part_pages = 4;
  // Jobs (and parts) this replica runs at once; the rest of its workers
  // stay free for synchronous requests. 0: as many as it has workers.
  int concurrency = 0;
};

struct ServerOptions {
  // Listen address. Port 0 binds a free port; Server::port() tells which.
  std::string host = "127.0.0.1";
  int port = 8080;

  // Largest document accepted, in bytes. Counted as the body arrives (raw
  // bodies, chunked or not, and the "file" part of multipart bodies); one
  // byte more gives 413 too_large. Default 64 MiB.
  std::size_t max_upload_bytes = std::size_t{64} << 20;

  // Worker processes, each processing one document at a time. 0 means the
  // number of hardware threads.
  int workers = 0;

  // Admitted documents that may wait for a worker. When `workers` documents
  // are being processed and `queue` more wait, a further upload gets 503
  // overloaded with Retry-After. 0 means "no waiting".
  int queue = 16;

  // Time limit for one document, from admission to the answer; past it the
  // request gets 504 timeout (a worker still busy with it is killed).
  std::chrono::milliseconds timeout = std::chrono::seconds(120);

  // Threads that read requests and write responses (one per open
  // connection). 0 means workers + queue + 4, at least 256, so that a full
  // queue is answered with 503 instead of leaving connections unserved and
  // slow clients leave room for the others.
  int http_threads = 0;

  // Documents: pages, pixels per rendered page and per decoded image
  // (pactum::extract::Limits; its deadline is taken from `timeout`), and
  // the decoded bytes of any one PDF stream (decompression bombs). Over a
  // limit: 422 unprocessable naming it.
  extract::Limits limits;
  std::uint64_t max_stream_bytes = std::uint64_t{256} << 20;

  WorkerProcessOptions worker;
  AccessOptions access;

  // Trust anchors for /v1/verify (and the record's signatures), the signing
  // key of /v1/sign and the time-stamp authority; all optional. The files
  // are read by the workers when they start; a bad file fails Start().
  signing::TrustConfig trust;
  std::optional<signing::SigningConfig> sign_key;
  std::string tsa_url;

  // The archive of records and originals (/v1/documents, store=true):
  // "sqlite:PATH", "postgresql://..." or empty for none. Opened (and
  // created) by Start(); a store that cannot be opened fails Start().
  std::string store_uri;
  JobOptions jobs;

  // Callbacks of finished jobs (callbacks.h): where they may go, the key
  // they are signed with, retries. Checked by Start(): a bad allow-list
  // entry, secret file or CA file fails it. Without an allow list no
  // callback is sent and a callback_url is refused (400).
  CallbackOptions callbacks;

  // Test seam: requests may carry "X-Pactum-Test-Fault: crash|hang|oom|cpu"
  // and the worker commits that fault. Never set in production.
  bool TEST_allow_faults = false;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  // Stop().
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listen address and serves on background threads. Returns the
  // bound port, or an Error (kInternal) saying why the address could not be
  // bound. REQUIRES: Start() has not been called before.
  Result<int> Start();

  // Stops accepting connections, lets requests in flight finish (each is
  // bounded by the timeout), then joins every thread. Idempotent. Not
  // async-signal-safe: call it from a thread, not from a signal handler.
  void Stop();

  // The bound port. REQUIRES: Start() succeeded.
  int port() const;

  // Process ids of the live worker processes, ascending (a worker being
  // replaced is missing for a moment).
  std::vector<int> WorkerPids() const;

  // The options with defaults resolved (workers, http_threads).
  const ServerOptions& options() const;

  // Test seam: `hook` runs on the worker thread right before each
  // extraction, e.g. to keep the only worker busy until a test lets it go.
  // REQUIRES: called before Start().
  void TEST_SetBeforeExtractHook(std::function<void()> hook);

  // Test seam: `hook` runs on the connection thread before each request is
  // routed; an exception from it takes the path of a failing handler.
  // REQUIRES: called before Start().
  void TEST_SetBeforeRoutingHook(std::function<void()> hook);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pactum::service
