// The HTTP service of shared/spec/API.md: a thin table of routes over
// pactum::extract::Extract, with the limits a public upload endpoint needs.
//
//   POST /v1/extract   document in -> agreement record (raw body or
//                      multipart/form-data part "file")
//   POST /v1/verify    PDF in -> signature verification report
//   POST /v1/sign      PDF in -> the PDF signed with the configured key
//   GET  /healthz      the process is alive
//   GET  /readyz       the work queue can take a document (else 503)
//   GET  /openapi.json the OpenAPI 3 description of all of the above
//
// Every error, on every path, is {"error": {"code", "message"}} with the
// contract's status. Uploads are capped by counting bytes as they arrive
// (413), extractions run on a bounded pool of workers (503 + Retry-After when
// full) under a per-document deadline (504).
//
// A Server is driven from one thread (Start, Stop); requests are served on
// threads of its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "pactum/models/status.h"
#include "pactum/signing/keys.h"

namespace pactum::service {

struct ServerOptions {
  // Listen address. Port 0 binds a free port; Server::port() tells which.
  std::string host = "127.0.0.1";
  int port = 8080;

  // Largest document accepted, in bytes. Counted as the body arrives (raw
  // bodies, chunked or not, and the "file" part of multipart bodies); one
  // byte more gives 413 too_large. Default 64 MiB.
  std::size_t max_upload_bytes = std::size_t{64} << 20;

  // Extractions that run at the same time (one thread each). 0 means the
  // number of hardware threads.
  int workers = 0;

  // Admitted documents that may wait for a worker. When `workers` documents
  // are being extracted and `queue` more wait, a further upload gets 503
  // overloaded with Retry-After. 0 means "no waiting".
  int queue = 16;

  // Time limit for one document, from admission to the answer; past it the
  // request gets 504 timeout. Also handed to the extraction as its deadline.
  std::chrono::milliseconds timeout = std::chrono::seconds(120);

  // Threads that read requests and write responses (one per open
  // connection). 0 means workers + queue + 4, at least 8, so that a full
  // queue is answered with 503 instead of leaving connections unserved.
  int http_threads = 0;

  // Trust anchors for /v1/verify (and the record's signatures), the signing
  // key of /v1/sign and the time-stamp authority. Loaded by the caller
  // (pactum::signing::LoadTrust, LoadSigningKey); all optional.
  signing::SigningSetup signing;
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
