// Internals of the amount parser (amounts.cc), exposed for tests and fuzzing.
#pragma once

#include <optional>
#include <string>

namespace pactum::extract::fields {

// The value of the number of an amount ("1.234.567,89", "250,000.00",
// "1 234", "1,5") times `multiplier` ("Mio." is 1000000), in cents. The
// decimal mark is resolved from the number itself (see amounts.cc). nullopt
// when the digit groups are inconsistent, a character is neither a digit nor
// a separator, there are more than two decimals without a multiplier, or the
// value does not fit in a long long.
// REQUIRES: multiplier >= 1.
std::optional<long long> ParseNumberCents(const std::string& num, long long multiplier);

}  // namespace pactum::extract::fields
