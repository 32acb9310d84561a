// PDF date strings ("D:20250601100000+02'00'"), ISO 32000-1 7.9.4.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pactum::signing {

// The instant a PDF date names; nullopt when it is not one. Missing parts
// default as the standard says (month and day 1, time 0, offset UTC).
std::optional<std::chrono::sys_seconds> ParsePdfDate(std::string_view text);

// "D:YYYYMMDDHHmmSS+00'00'" for an instant, in UTC.
std::string FormatPdfDate(std::chrono::sys_seconds t);

}  // namespace pactum::signing
