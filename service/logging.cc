#include "logging.h"

#include <poppler-global.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <mutex>

#include "pactum/models/mutex.h"

namespace pactum::service {
namespace {

void PopplerToLog(const std::string& message, void* /*closure*/) {
  // Poppler reports damaged input here; it is worth a line, not an error.
  spdlog::warn("poppler: {}", message);
}

// %j: the message as the inside of a JSON string.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string s = JsonEscape(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(s.data(), s.data() + s.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

// %q: ,"request_id":"..." when this thread serves a request.
class RequestIdMember final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string& id = CurrentRequestLogFacts().request_id;
    if (id.empty()) return;
    const std::string s = ",\"request_id\":\"" + JsonEscape(id) + "\"";
    dest.append(s.data(), s.data() + s.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RequestIdMember>(); }
};

// The document log budget (DocumentLogBudget): lines left, and lines dropped.
std::atomic<bool> g_budget_active{false};
std::atomic<long long> g_lines_left{0};
std::atomic<long long> g_lines_dropped{0};

// SetStderrOverlay's overlay.
Mutex g_overlay_mu;
StderrOverlay* g_overlay PACTUM_GUARDED_BY(g_overlay_mu) = nullptr;
std::atomic<bool> g_overlay_set{false};  // g_overlay != nullptr, read without the lock

// The default logger's sink: stderr, unless a document's budget is spent.
class BudgetedStderrSink final : public spdlog::sinks::sink {
 public:
  void log(const spdlog::details::log_msg& msg) override {
    if (g_budget_active.load(std::memory_order_relaxed) && g_lines_left.fetch_sub(1, std::memory_order_relaxed) <= 0) {
      g_lines_dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (g_overlay_set.load()) {
      MutexLock lock(&g_overlay_mu);
      if (g_overlay != nullptr) {
        g_overlay->WriteAbove([&] {
          inner_.log(msg);
          inner_.flush();
        });
        return;
      }
    }
    inner_.log(msg);
  }
  void flush() override { inner_.flush(); }
  void set_pattern(const std::string& pattern) override { inner_.set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override { inner_.set_formatter(std::move(f)); }

 private:
  spdlog::sinks::stderr_sink_mt inner_;
};

constexpr const char* kTimeLevel = R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","logger":"%n","pid":%P)";

std::unique_ptr<spdlog::formatter> Formatter(const std::string& tail) {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<JsonEscapedMessage>('j');
  f->add_flag<RequestIdMember>('q');
  f->set_pattern(std::string(kTimeLevel) + tail);
  return f;
}

}  // namespace

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

bool InitLogging(const std::string& level) {
  const spdlog::level::level_enum lv = spdlog::level::from_str(level);
  // from_str gives `off` for unknown names: tell them apart.
  if (lv == spdlog::level::off && level != "off") return false;
  static std::once_flag once;
  std::call_once(once, [] {
    auto main_logger = std::make_shared<spdlog::logger>("pactum", std::make_shared<BudgetedStderrSink>());
    spdlog::register_logger(main_logger);
    main_logger->set_formatter(Formatter(R"(%q,"message":"%j"})"));
    spdlog::set_default_logger(main_logger);
    // The access logger's messages are JSON members already (AccessLogLine).
    auto access = spdlog::stderr_logger_mt("access");
    access->set_formatter(Formatter(",%v}"));
  });
  spdlog::set_level(lv);
  return true;
}

DocumentLogBudget::DocumentLogBudget(int max_lines) {
  g_lines_dropped = 0;
  g_lines_left = max_lines;
  g_budget_active = true;
}

DocumentLogBudget::~DocumentLogBudget() {
  g_budget_active = false;
  const long long dropped = g_lines_dropped.exchange(0);
  if (dropped > 0) spdlog::warn("{} further log lines of this document were dropped (limit per document)", dropped);
}

void SetStderrOverlay(StderrOverlay* overlay) {
  MutexLock lock(&g_overlay_mu);
  g_overlay = overlay;
  g_overlay_set.store(overlay != nullptr);
}

void RoutePopplerMessagesToLog() { poppler::set_debug_error_function(&PopplerToLog, nullptr); }

std::shared_ptr<spdlog::logger> AccessLog() {
  auto log = spdlog::get("access");
  return log ? log : spdlog::default_logger();
}

RequestLogFacts& CurrentRequestLogFacts() {
  thread_local RequestLogFacts facts;
  return facts;
}

}  // namespace pactum::service
