// The wire between the service and its worker processes (`pactum worker`).
//
// One stream socket (a socketpair; the worker's end is its fd 3) carries
// frames: an 8-byte little-endian length, then that many bytes. Every
// message is two frames, a JSON header and a binary body (possibly empty):
//
//   parent -> worker   WorkerConfig once, then one WorkerRequest per document
//   worker -> parent   a "ready" reply once (or the configuration's error),
//                      then one WorkerReply per request
//
// A worker handles one document at a time. The parent never trusts a reply
// beyond its framing: sizes are capped and the JSON is validated.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "params.h"
#include "pactum/extract/options.h"
#include "pactum/models/status.h"
#include "pactum/signing/keys.h"

namespace pactum::service {

// Limits a worker applies to itself and to each document.
struct WorkerLimits {
  // Address-space cap of the worker process (RLIMIT_AS), bytes; 0: none.
  // An allocation past it fails; the document is answered 422.
  std::uint64_t memory_bytes = std::uint64_t{4} << 30;
  // CPU seconds one document may use (RLIMIT_CPU, re-armed per document);
  // 0: none. Past it the worker is killed and the request gets 504.
  int cpu_seconds = 300;
  // Decoded bytes of any one PDF stream (FlateDecode and the other generic
  // filters), checked before the document is parsed: decompression bombs.
  std::uint64_t max_stream_bytes = std::uint64_t{256} << 20;
  // Pages, pixels per rendered page and per decoded image.
  extract::Limits extract;
};

// Everything a worker needs, sent once after it starts. Key files are read
// by the worker itself; the PKCS#12 password travels only on the socket.
struct WorkerConfig {
  std::string log_level = "info";
  signing::TrustConfig trust;
  std::optional<signing::SigningConfig> sign_key;
  std::string tsa_url;
  int ocr_threads = 1;  // pages OCRed in parallel within one document
  WorkerLimits limits;
  // Test seam: honour WorkerRequest::fault. Never set in production.
  bool allow_faults = false;
};

enum class WorkerOp { kExtract, kVerify, kSign };

// A fault a test asks a worker to commit (WorkerConfig::allow_faults).
enum class WorkerFault { kNone, kCrash, kHang, kExhaustMemory, kSpinCpu };

// Parses "crash", "hang", "oom", "cpu"; nullopt otherwise.
std::optional<WorkerFault> ParseWorkerFault(const std::string& name);

struct WorkerRequest {
  WorkerOp op = WorkerOp::kExtract;
  ExtractParams extract;  // op == kExtract
  SignParams sign;        // op == kSign
  // Time left for this document when it was sent.
  std::chrono::milliseconds time_left{0};
  WorkerFault fault = WorkerFault::kNone;
  std::string request_id;  // for the worker's log lines
};

// What a document cost, for the service's metrics.
struct WorkStats {
  int pages = 0;           // pages of the document
  int pages_rendered = 0;  // PDF pages rendered to pixels for OCR
  int pages_ocr = 0;       // pages whose text came from OCR
  std::map<std::string, int> signatures;  // verified signatures by status
};

// A worker's answer: the response body (JSON of the record or report, or
// the signed PDF) or the error of the contract.
struct WorkerReply {
  Result<std::string> body = std::string();
  WorkStats stats;
  // The worker asks to be replaced after this reply (e.g. it ran out of
  // memory and its heap can no longer be trusted).
  bool retire = false;
};

// The socket I/O. Every call waits at most until `deadline` (steady clock);
// past it, or on a closed or broken socket, it fails with:
enum class WireError { kTimeout, kClosed, kMalformed };

using Deadline = std::chrono::steady_clock::time_point;

// Largest frame accepted from the other side.
inline constexpr std::size_t kMaxFrameBytes = std::size_t{2} << 30;

std::optional<WireError> WriteMessage(int fd, const std::string& header, const std::string& body, Deadline deadline);
std::optional<WireError> ReadMessage(int fd, std::string* header, std::string* body, Deadline deadline);

// JSON of the messages. Decoding fails on anything malformed.
std::string EncodeConfig(const WorkerConfig& config);
Result<WorkerConfig> DecodeConfig(const std::string& header);
std::string EncodeRequest(const WorkerRequest& request);
Result<WorkerRequest> DecodeRequest(const std::string& header);
// The reply's header; the body travels as the second frame.
std::string EncodeReplyHeader(const WorkerReply& reply);
// Fills everything but the body's value; `body` is moved in on success.
Result<WorkerReply> DecodeReply(const std::string& header, std::string body);

}  // namespace pactum::service
