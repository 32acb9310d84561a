// Fuzzes the amount parser: FindAmounts on the whole input, ParseNumberCents
// on each line with every multiplier FindAmounts can pass, and the amount
// extractor on the input read as a document (text_input.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "fields/amounts.h"
#include "fields/extractors.h"
#include "pactum/extract/fields.h"
#include "text_input.h"

namespace {

using pactum::extract::ParsedAmount;

// "123.45": digits, a point, two digits.
bool IsTwoDecimalValue(const std::string& v) {
  if (v.size() < 4 || v[v.size() - 3] != '.') return false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i != v.size() - 3 && (v[i] < '0' || v[i] > '9')) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  for (const ParsedAmount& a : pactum::extract::FindAmounts(text)) {
    PACTUM_FUZZ_CHECK(a.begin < a.end && a.end <= text.size());
    PACTUM_FUZZ_CHECK(IsTwoDecimalValue(a.value));
    PACTUM_FUZZ_CHECK(a.currency.size() == 3);
  }

  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string line(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    for (long long multiplier : {1LL, 1000LL, 1000000LL, 1000000000LL}) {
      if (auto cents = pactum::extract::fields::ParseNumberCents(line, multiplier)) PACTUM_FUZZ_CHECK(*cents >= 0);
    }
  }

  const pactum::extract::DocumentText doc = pactum::fuzz::DocumentFromText(text);
  pactum::Agreement agreement;
  pactum::extract::ExtractAmounts(pactum::extract::Reading::Of(doc), &agreement);
  for (const pactum::Amount& a : agreement.amounts) PACTUM_FUZZ_CHECK(IsTwoDecimalValue(a.value));
  return 0;
}
