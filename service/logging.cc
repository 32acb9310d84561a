#include "logging.h"

#include <poppler-global.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>

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
  for (unsigned char c : s) {
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
    auto main_logger = spdlog::stderr_logger_mt("pactum");
    main_logger->set_formatter(Formatter(R"(%q,"message":"%j"})"));
    spdlog::set_default_logger(main_logger);
    // The access logger's messages are JSON members already (AccessLogLine).
    auto access = spdlog::stderr_logger_mt("access");
    access->set_formatter(Formatter(",%v}"));
  });
  spdlog::set_level(lv);
  return true;
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
