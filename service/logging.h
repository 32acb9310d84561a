// Logging of the pactum binary: spdlog on stderr, one JSON object per line
// ({"time","level","logger","pid","request_id","message"}, request_id when
// the logging thread serves a request; access lines carry the request's
// fields instead of "message"), Poppler's messages routed into it,
// and the facts of the access-log line of each request.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

namespace pactum::service {

// Sets up the default logger ("pactum") and the access logger ("access") on
// stderr at `level` ("trace" ... "off"). Returns false for an unknown level
// name. Idempotent apart from the level; safe to call more than once.
bool InitLogging(const std::string& level);

// Routes Poppler's error output (process-wide) into the default logger at
// warning level, instead of raw lines on stderr.
void RoutePopplerMessagesToLog();

// Bounds the log lines one document causes, the libraries' messages
// included: while one lives, the default logger writes at most `max_lines`
// lines, then drops the rest; its destructor writes one line saying how many
// were dropped. For a process that handles one document at a time (a worker,
// the CLI); the budget is process-wide. Not nestable.
class DocumentLogBudget {
 public:
  explicit DocumentLogBudget(int max_lines);
  ~DocumentLogBudget();
  DocumentLogBudget(const DocumentLogBudget&) = delete;
  DocumentLogBudget& operator=(const DocumentLogBudget&) = delete;
};

// Something kept on the last line of stderr, such as the command line's
// progress bar, that log lines must not run into.
class StderrOverlay {
 public:
  virtual ~StderrOverlay() = default;
  // Takes the line away, calls `write` (which writes whole lines to
  // stderr), and puts the line back below them.
  virtual void WriteAbove(const std::function<void()>& write) = 0;
};

// While set, every line of the default logger is written through
// `overlay`->WriteAbove. nullptr: none. The caller keeps `overlay` alive
// until it has set nullptr again (which waits for a line being written).
void SetStderrOverlay(StderrOverlay* overlay);

// `s` escaped for the inside of a JSON string (quotes, backslashes, control
// characters); other bytes are kept as they are.
std::string JsonEscape(std::string_view s);

// The access logger: one line per request. Its messages are JSON object
// members without the braces ("\"method\":\"GET\",...").
std::shared_ptr<spdlog::logger> AccessLog();

// What the access-log line of the request being served needs beyond the
// request and response. A request is served on one connection thread from
// routing to its log line, so these live in a thread_local. Job threads and
// workers set request_id while they work for a request, so that their log
// lines carry it too.
struct RequestLogFacts {
  std::chrono::steady_clock::time_point start;
  bool started = false;      // `start` is set
  std::size_t bytes_in = 0;  // body bytes read
  std::string request_id;    // echoed in X-Request-Id
  std::string client;        // API key label, when keys are configured
  bool admitted = false;     // authenticated and charged to the rate limit
  // The one byte range the client asked for (first, last; -1 for an open
  // end, as the library parses them). The library's own range handling is
  // off: routes that serve ranges use this.
  std::optional<std::pair<long long, long long>> range;
};

// This thread's facts; the logger resets them after each line.
RequestLogFacts& CurrentRequestLogFacts();

}  // namespace pactum::service
