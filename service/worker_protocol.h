// The wire between the service and its worker processes (`pactum worker`).
//
// One stream socket (a socketpair; the worker's end is its fd 3) carries
// frames: an 8-byte little-endian length, then that many bytes. Every
// message is two frames, a JSON header and a binary body (possibly empty):
//
//   parent -> worker   WorkerConfig once, then one WorkerRequest per document
//   worker -> parent   a "ready" reply once (or the configuration's error),
//                      then per request: WorkerProgress messages while it
//                      works (only when the request asks for them), then
//                      one WorkerReply
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
#include "pipeline.h"
#include "pactum/extract/options.h"
#include "pactum/models/status.h"
#include "pactum/signing/keys.h"

namespace pactum::service {

// Everything a worker needs, sent once after it starts. Key files are read
// by the worker itself; the PKCS#12 password travels only on the socket.
struct WorkerConfig {
  std::string log_level = "info";
  signing::TrustConfig trust;
  std::optional<signing::SigningConfig> sign_key;
  std::string tsa_url;
  int ocr_threads = 1;  // pages OCRed in parallel within one document
  Limits limits;  // the pipeline's limits (pipeline.h)
  // Test seam: honour WorkerRequest::fault. Never set in production.
  bool allow_faults = false;
};

// A fault a test asks a worker to commit (WorkerConfig::allow_faults).
enum class WorkerFault { kNone, kCrash, kHang, kExhaustMemory, kSpinCpu };

// Parses "crash", "hang", "oom", "cpu"; nullopt otherwise.
std::optional<WorkerFault> ParseWorkerFault(const std::string& name);

struct WorkerRequest {
  DocumentRequest document;  // the operation and its parameters
  // Time left for this document when it was sent.
  std::chrono::milliseconds time_left{0};
  WorkerFault fault = WorkerFault::kNone;
  std::string request_id;  // for the worker's log lines
  // Send WorkerProgress messages while working (kExtract: one per page read).
  bool progress = false;
  // CPU seconds for this document instead of WorkerConfig::limits'
  // cpu_seconds (a job with a longer deadline); 0: the configured cap.
  int cpu_seconds = 0;
};

// Progress of the document in hand: pages read so far, of the page count.
// On the wire a header {"progress":{"pages_done":K,"pages_total":N}} and an
// empty body.
struct WorkerProgress {
  int pages_done = 0;
  int pages_total = 0;
};

// A worker's answer: the typed output of the operation, or the error of
// the contract. On the wire the output is the record's or the report's JSON,
// or the signed PDF's bytes; the parent decodes it once (DecodeReply).
struct WorkerReply {
  Result<DocumentOutput> output = DocumentOutput(SignedPdf{});
  WorkStats stats;
  // The worker asks to be replaced after this reply (e.g. it ran out of
  // memory and its heap can no longer be trusted).
  bool retire = false;
};

// The socket I/O. Every call waits at most until `deadline` (steady clock);
// past it, or on a closed or broken socket, it fails with:
enum class WireError { kTimeout, kClosed, kMalformed };

// Largest frame accepted from the other side.
inline constexpr std::size_t kMaxFrameBytes = std::size_t{2} << 30;

std::optional<WireError> WriteMessage(int fd, const std::string& header, const std::string& body, Deadline deadline);
std::optional<WireError> ReadMessage(int fd, std::string* header, std::string* body, Deadline deadline);

// JSON of the messages. Decoding fails on anything malformed.
std::string EncodeConfig(const WorkerConfig& config);
Result<WorkerConfig> DecodeConfig(const std::string& header);
std::string EncodeRequest(const WorkerRequest& request);
Result<WorkerRequest> DecodeRequest(const std::string& header);
// The reply as the worker sends it: the header (stats, error) and the body
// (the output's JSON, or the signed PDF).
void EncodeReply(const WorkerReply& reply, std::string* header, std::string* body);
// The reply of a request for `op`; kInternal when anything is malformed.
Result<WorkerReply> DecodeReply(const std::string& header, std::string body, Operation op);
// The header of a progress message (its body is empty).
std::string EncodeProgress(const WorkerProgress& progress);
// A progress message, or nullopt when the header is not one (no member
// "progress": a reply). kInternal when it is malformed: members beyond
// "progress", or beyond pages_done and pages_total within it, values not
// integers with 1 <= pages_done <= pages_total <= max_pages, a body.
Result<std::optional<WorkerProgress>> DecodeProgress(const std::string& header, const std::string& body,
                                                     int max_pages);

// Waits until `fd` has bytes to read (or is closed: the read then says so);
// kTimeout past `deadline`.
std::optional<WireError> WaitReadable(int fd, Deadline deadline);

}  // namespace pactum::service
