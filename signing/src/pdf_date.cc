#include "pdf_date.h"

#include <cctype>
#include <cstdio>

namespace pactum::signing {
namespace {

// Reads `n` digits at `pos`; false when they are not there.
bool Digits(std::string_view s, size_t& pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  *out = v;
  return true;
}

}  // namespace

std::optional<std::chrono::sys_seconds> ParsePdfDate(std::string_view s) {
  using namespace std::chrono;
  if (s.substr(0, 2) == "D:") s.remove_prefix(2);
  size_t pos = 0;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  if (!Digits(s, pos, 4, &year)) return std::nullopt;
  if (Digits(s, pos, 2, &month) && Digits(s, pos, 2, &day) && Digits(s, pos, 2, &hour) &&
      Digits(s, pos, 2, &minute)) {
    Digits(s, pos, 2, &second);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                     std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  sys_seconds t = sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second);
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '+' ? 1 : -1;
    ++pos;
    int oh = 0, om = 0;
    if (Digits(s, pos, 2, &oh)) {
      if (pos < s.size() && s[pos] == '\'') ++pos;
      Digits(s, pos, 2, &om);
      t -= sign * (hours(oh) + minutes(om));
    }
  }
  return t;
}

std::string FormatPdfDate(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> time{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "D:%04d%02u%02u%02d%02d%02d+00'00'", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

}  // namespace pactum::signing
