// Logging of the pactum binary: spdlog on stderr, Poppler's messages routed
// into it, and the facts of the access-log line of each request.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace pactum::service {

// Sets up the default logger ("pactum") and the access logger ("access") on
// stderr at `level` ("trace" ... "off"). Returns false for an unknown level
// name. Idempotent apart from the level; safe to call more than once.
bool InitLogging(const std::string& level);

// Routes Poppler's error output (process-wide) into the default logger at
// warning level, instead of raw lines on stderr.
void RoutePopplerMessagesToLog();

// The access logger: one line per request.
std::shared_ptr<spdlog::logger> AccessLog();

// What the access-log line of the request being served needs beyond the
// request and response. A request is served on one connection thread from
// routing to its log line, so these live in a thread_local.
struct RequestLogFacts {
  std::chrono::steady_clock::time_point start;
  bool started = false;      // `start` is set
  std::size_t bytes_in = 0;  // body bytes read
};

// This thread's facts; the logger resets them after each line.
RequestLogFacts& CurrentRequestLogFacts();

}  // namespace pactum::service
