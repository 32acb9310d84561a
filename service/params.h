// Request parameters of the service and the CLI, validated in one place.
// Plain values, no HTTP types: the routes pass the query string's pairs in.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pactum/extract/options.h"
#include "pactum/models/status.h"

namespace pactum::service {

// Query parameters as (name, value) pairs, in any order.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Longest accepted `lang` value.
inline constexpr std::size_t kMaxLangLength = 64;

// True for a Tesseract language list such as "deu", "deu+eng" or "chi_sim":
// one or more names made of ASCII letters, digits and '_', joined by '+',
// at most kMaxLangLength characters in all.
bool IsValidLanguageList(std::string_view lang);

// The query of POST /v1/extract.
struct ExtractParams {
  extract::OcrMode ocr = extract::OcrMode::kAuto;  // ocr=auto|always|never
  std::string lang = "deu+eng";                    // lang=
  bool store = false;                              // store=false (true: not in this build)
};

// Validates the query of POST /v1/extract. In `lang`, spaces count as '+'
// (a literal '+' in a query string decodes to a space). Errors (kBadRequest): a name other
// than ocr, lang, store; a name given twice; a bad value; store=true, which
// needs the archive that this build does not have.
Result<ExtractParams> ParseExtractParams(const QueryParams& query);

// For endpoints without parameters: a kBadRequest naming the first
// parameter, or nullopt when `query` is empty.
std::optional<Error> RejectAnyParams(const QueryParams& query, std::string_view endpoint);

// `s` made safe for a message or a log line: control characters and bytes
// outside printable ASCII become \xNN, and the result is cut at `max_len`
// characters (with "..." appended).
std::string Printable(std::string_view s, std::size_t max_len = 64);

}  // namespace pactum::service
