#include "logging.h"

#include <poppler-global.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

namespace pactum::service {
namespace {

void PopplerToLog(const std::string& message, void* /*closure*/) {
  // Poppler reports damaged input here; it is worth a line, not an error.
  spdlog::warn("poppler: {}", message);
}

}  // namespace

bool InitLogging(const std::string& level) {
  const spdlog::level::level_enum lv = spdlog::level::from_str(level);
  // from_str gives `off` for unknown names: tell them apart.
  if (lv == spdlog::level::off && level != "off") return false;
  static std::once_flag once;
  std::call_once(once, [] {
    auto main_logger = spdlog::stderr_color_mt("pactum");
    spdlog::set_default_logger(main_logger);
    spdlog::stderr_color_mt("access");
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v");
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
