// Fuzzes the date parser: FindDates on the whole input, the place-and-date
// line parser on each line, and the date extractor (kinds, ranges, signature
// dates) on the input read as a document (text_input.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "fields/common.h"
#include "fields/extractors.h"
#include "pactum/extract/fields.h"
#include "text_input.h"

namespace {

// "YYYY-MM-DD" with a month 01..12 and a day 01..31.
bool IsIsoDate(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  const int month = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  for (const pactum::extract::ParsedDate& d : pactum::extract::FindDates(text)) {
    PACTUM_FUZZ_CHECK(d.begin < d.end && d.end <= text.size());
    PACTUM_FUZZ_CHECK(IsIsoDate(d.iso));
  }

  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string line(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (auto p = pactum::extract::fields::ParsePlaceDateLine(line)) PACTUM_FUZZ_CHECK(IsIsoDate(p->date.iso));
  }

  const pactum::extract::DocumentText doc = pactum::fuzz::DocumentFromText(text);
  pactum::Agreement agreement;
  pactum::extract::ExtractDates(pactum::extract::Reading::Of(doc), &agreement);
  for (const pactum::DateItem& d : agreement.dates) {
    PACTUM_FUZZ_CHECK(IsIsoDate(d.date));
    PACTUM_FUZZ_CHECK(!pactum::Name(d.kind).empty());  // one of DateKind's values
  }
  return 0;
}
