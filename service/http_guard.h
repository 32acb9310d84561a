// GuardedServer: cpp-httplib's server with the bounds on request heads that
// Debian's cpp-httplib 0.11 does not have.
//
// The library reads the request line and header lines without bounding
// their number, their total size or the time a client may take for them,
// and it percent-decodes header values. GuardedServer serves each
// connection through its own socket stream, which sees every byte of the
// request head before the library does:
//   - the head (request line and headers) is at most max_head_bytes and
//     max_head_lines lines; beyond, reading stops and the request is
//     answered 431 (or the connection is closed while still in the request
//     line);
//   - the whole head must arrive within head_timeout of its first byte
//     (slow clients, "slowloris"); beyond, 408 or a closed connection;
//   - the head's bytes are kept as received (RawHead), so that the service
//     reads header values as the client sent them (API keys) and sees
//     repeated framing headers (request smuggling).
// Bodies are bounded by the routes (upload.h). For TLS the library's own
// server is used and these bounds are not applied: put a proxy in front
// (deploy/nginx).
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pactum::service {

struct HeadLimits {
  // Request line plus header lines, in bytes (nginx: 4 buffers of 8 KiB).
  std::size_t max_head_bytes = 32 * 1024;
  // Header lines.
  int max_head_lines = 100;
  // Time from the first byte of a request to the end of its head.
  std::chrono::milliseconds head_timeout{std::chrono::seconds(10)};
};

// What the guard saw of the request being served on this thread (a
// connection is served on one thread from its head to its answer).
struct RawHead {
  enum class Violation { kNone, kTooLarge, kTooManyLines, kTimeout };
  std::string bytes;  // the request line and header lines as received
  Violation violation = Violation::kNone;
  bool close_after = false;  // CloseConnectionAfterThisRequest() was called
};

// This thread's request head; empty outside a guarded connection.
const RawHead& CurrentRawHead();

// Ends the connection after the answer to the request being served on this
// thread (a body left unread, a refused head): no further request is read
// from it. The library itself only closes when the client asked to.
void CloseConnectionAfterThisRequest();

// The values of header `name` (case-insensitive) in `head`, as sent: not
// percent-decoded, surrounding spaces and tabs removed, in order.
std::vector<std::string> RawHeaderValues(std::string_view head, std::string_view name);

class GuardedServer final : public httplib::Server {
 public:
  explicit GuardedServer(HeadLimits limits) : limits_(limits) {}

 private:
  bool process_and_close_socket(socket_t sock) override;

  const HeadLimits limits_;
};

}  // namespace pactum::service
