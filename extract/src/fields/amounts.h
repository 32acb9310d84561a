// Internals of the amount parser (amounts.cc), exposed for tests, fuzzing
// and the date parser (years in words).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reading/language_data.h"

namespace pactum::extract::fields {

// The value of the number of an amount ("1.234.567,89", "250,000.00",
// "1 234", "1,5") times `multiplier` ("Mio." is 1000000), in cents. The
// decimal mark is resolved from the number itself (see amounts.cc). nullopt
// when the digit groups are inconsistent, a character is neither a digit nor
// a separator, there are more than two decimals without a multiplier, or the
// value does not fit in a long long. A single `decimal_mark` is the decimal
// mark even before three digits ("14.575" million).
// REQUIRES: multiplier >= 1.
std::optional<long long> ParseNumberCents(const std::string& num, long long multiplier,
                                         std::optional<char> decimal_mark = std::nullopt);

// Numbers in words, from the language data (amounts.number_words and
// amounts.number_connectors of every language): "two hundred thousand",
// "one hundred and twenty-five", "zweihunderttausend",
// "neunzehnhundertneunzig" (compounds are split into the data's words).
class NumberWords {
 public:
  explicit NumberWords(const LanguageData& data);

  struct Value {
    long long value = 0;
    size_t end = 0;         // byte after the last number word
    long long largest = 0;  // the largest word's value ("hundred": 100)
    long long first = 0;    // the first word's value
  };
  // The run of number words that starts at byte `pos` of `lower` (lowercase
  // text; words joined by spaces, hyphens and connectors); nullopt if no
  // number word starts there or the value exceeds 10^14.
  std::optional<Value> Read(std::string_view lower, size_t pos) const;

 private:
  std::optional<std::vector<long long>> Split(std::string_view word) const;

  std::vector<std::pair<std::string, long long>> words_;  // longest first
  std::vector<std::string> connectors_;
  // Indices into words_ by their first byte, in words_'s order: Split tries
  // only the words that can start where it is.
  std::array<std::vector<size_t>, 256> words_by_first_;
};

}  // namespace pactum::extract::fields
