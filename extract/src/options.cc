#include "pactum/extract/options.h"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <thread>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pactum::extract {

int AvailableCpus() {
  int cpus = static_cast<int>(std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = CPU_COUNT(&set);
  // "max 100000" (no limit) or "<quota> <period>" in microseconds.
  std::ifstream max("/sys/fs/cgroup/cpu.max");
  std::string quota;
  long long period = 0;
  if (max >> quota >> period && quota != "max" && period > 0) {
    char* end = nullptr;
    const long long q = std::strtoll(quota.c_str(), &end, 10);
    if (end != quota.c_str() && *end == '\0' && q > 0) {
      cpus = static_cast<int>(std::min<long long>(cpus, (q + period - 1) / period));
    }
  }
  return std::max(1, cpus);
}

Result<std::string> CanonicalLanguages(std::string_view list) {
  const char* prefix = std::getenv("TESSDATA_PREFIX");
  const std::string dir = prefix && *prefix ? prefix : "/usr/share/tesseract-ocr/5/tessdata";
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t end = std::min(list.find('+', start), list.size());
    const std::string name(list.substr(start, end - start));
    start = end + 1;
    const bool well_formed = !name.empty() && name.size() <= 32 &&
                             std::all_of(name.begin(), name.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                             });
    if (!well_formed) {
      return Error::BadRequest("lang must be Tesseract language names joined by '+', e.g. deu+eng");
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    if (!std::filesystem::exists(dir + "/" + name + ".traineddata")) {
      return Error::BadRequest("OCR language '" + name + "' is not installed (looked in " + dir + ")");
    }
    names.push_back(name);
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : "+") + n;
  return out;
}

std::chrono::milliseconds PagesDeadline(std::chrono::milliseconds deadline) {
  using std::chrono::milliseconds;
  const milliseconds reserve = std::min(std::max(milliseconds(2000), deadline / 10), deadline / 2);
  return deadline - reserve;
}

bool ParseOcrMode(std::string_view s, OcrMode* out) {
  if (s == "auto") *out = OcrMode::kAuto;
  else if (s == "always") *out = OcrMode::kAlways;
  else if (s == "never") *out = OcrMode::kNever;
  else return false;
  return true;
}

}  // namespace pactum::extract
