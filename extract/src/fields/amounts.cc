// Monetary amounts in German and English notation.
//
//   965.950 Euro   1.234.567,89 EUR   1,5 Mio. €   EUR 250,000.00   €1.2 million
//
// The number's separators are resolved from the number itself: with both "."
// and "," the later one is the decimal mark; a single kind of separator
// followed by exactly three digits groups thousands, otherwise it is the
// decimal mark. Values are exact (integer cents), never floating point.
#include <algorithm>
#include <cctype>
#include <optional>

#include "fields/amounts.h"
#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/regex.h"

namespace pactum::extract {
namespace {

using fields::Lower;

struct Currency {
  const char* token;
  const char* iso;
};
// Longest tokens first where one is a prefix of another.
constexpr Currency kCurrencies[] = {
    {"euro", "EUR"}, {"eur", "EUR"}, {"teur", "EUR"}, {"t\xe2\x82\xac", "EUR"}, {"\xe2\x82\xac", "EUR"}, {"us-dollar", "USD"}, {"usd", "USD"},
    {"us$", "USD"},  {"$", "USD"},   {"chf", "CHF"},          {"gbp", "GBP"},       {"\xc2\xa3", "GBP"},
};

std::optional<std::string> CurrencyIso(const std::string& token) {
  const std::string t = Lower(token);
  for (const auto& c : kCurrencies) {
    if (t == c.token) return std::string(c.iso);
  }
  return std::nullopt;
}

// Multiplier words after a number: "Mio.", "million", "Mrd.", "bn", "Tsd.".
long long Multiplier(const std::string& word) {
  std::string w = Lower(word);
  if (!w.empty() && w.back() == '.') w.pop_back();
  if (w == "mio" || w == "million" || w == "millionen" || w == "mn" || w == "m") return 1000000;
  if (w == "mrd" || w == "milliarde" || w == "milliarden" || w == "billion" || w == "bn") return 1000000000;
  if (w == "tsd" || w == "tausend" || w == "thousand" || w == "k") return 1000;
  return 1;
}

}  // namespace

namespace fields {

std::optional<long long> ParseNumberCents(const std::string& num, long long multiplier) {
  long long cents = 0;
  const auto last_dot = num.rfind('.'), last_comma = num.rfind(',');
  char decimal = 0;
  if (last_dot != std::string::npos && last_comma != std::string::npos) {
    decimal = last_dot > last_comma ? '.' : ',';
  } else if (last_dot != std::string::npos || last_comma != std::string::npos) {
    const char sep = last_dot != std::string::npos ? '.' : ',';
    const size_t pos = num.rfind(sep);
    const size_t count = static_cast<size_t>(std::count(num.begin(), num.end(), sep));
    const size_t tail = num.size() - pos - 1;
    if (count == 1 && tail != 3) decimal = sep;
  }
  long long units = 0;
  bool in_fraction = false;
  int fraction_digits = 0;
  std::string fraction;
  for (char c : num) {
    if (decimal != 0 && c == decimal) {
      in_fraction = true;
      continue;
    }
    if (c == '.' || c == ',' || c == ' ' || c == '\'') continue;
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    if (in_fraction) {
      fraction += c;
      ++fraction_digits;
    } else {
      if (units > 100000000000000LL) return std::nullopt;  // beyond any agreement
      units = units * 10 + (c - '0');
    }
  }
  if (fraction_digits > 2 && multiplier == 1) return std::nullopt;
  // value = (units + fraction) * multiplier, in cents. Every step is checked:
  // the whole part alone may fit while the fraction tips the sum over
  // ("92.233.720,99 Mrd. EUR").
  if (fraction.size() > 6) return std::nullopt;
  if (__builtin_mul_overflow(units, multiplier, &cents) || __builtin_mul_overflow(cents, 100LL, &cents)) {
    return std::nullopt;
  }
  if (!fraction.empty()) {
    long long f = 0, scale = 1;
    for (char c : fraction) {
      f = f * 10 + (c - '0');
      scale *= 10;
    }
    long long part = 0;
    if (__builtin_mul_overflow(f, multiplier, &part) || __builtin_mul_overflow(part, 100LL, &part) ||
        __builtin_add_overflow(cents, part / scale, &cents)) {
      return std::nullopt;
    }
  }
  return cents;
}

}  // namespace fields

namespace {

std::string FormatCents(long long cents) {
  std::string s = std::to_string(cents / 100);
  const long long c = cents % 100;
  s += '.';
  s += static_cast<char>('0' + c / 10);
  s += static_cast<char>('0' + c % 10);
  return s;
}

// Repetitions are bounded (at most five digit groups, fifteen digits): no
// agreement states larger sums, and unbounded groups made matching quadratic
// on long runs of numbers.
const fields::Regex& AmountRegex() {
  // number: 1.234.567,89 | 250,000.00 | 1 234 567,89 | 1250000 | 1,5
  // A currency either precedes (EUR 1.000 / €1.2 million) or follows
  // (1.000 Euro / 1,5 Mio. €). Group layout:
  //   1 currency before, 2 number, 3 multiplier
  //   4 number, 5 multiplier, 6 currency after
  static const fields::Regex re(
      R"((EUR|Euro|USD|US\$|CHF|GBP|€|\$|£)\s?((?:[0-9]{1,3}(?:[.,' ][0-9]{3}){1,5}|[0-9]{1,15})(?:[.,][0-9]{1,2})?)(?:\s?(Mio\.|Mio|Millionen|Million|million|Mrd\.|Mrd|Milliarden|billion|bn|m)\b)?)"
      R"(|((?:[0-9]{1,3}(?:[.,' ][0-9]{3}){1,5}|[0-9]{1,15})(?:[.,][0-9]{1,2})?)(?:,-|,--|,–)?\s?(?:(Mio\.|Mio|Millionen|Million|million|Mrd\.|Mrd|Milliarden|billion|bn|Tsd\.)\s?)?(TEUR|T€|EUR|Euro|USD|US-Dollar|CHF|GBP|€|\$|£))");
  return re;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); }

}  // namespace

// Cheap test before the regex: a digit and a currency sign or word.
bool MayHoldAmount(const std::string& text) {
  if (text.find_first_of("0123456789") == std::string::npos) return false;
  const std::string lower = Lower(text);
  for (const char* token : {"eur", "\xe2\x82\xac", "usd", "$", "chf", "gbp", "\xc2\xa3"}) {
    if (lower.find(token) != std::string::npos) return true;
  }
  return false;
}

std::vector<ParsedAmount> FindAmounts(const std::string& text) {
  std::vector<ParsedAmount> out;
  if (!MayHoldAmount(text)) return out;
  fields::Match m;
  for (size_t start = 0; start < text.size() && AmountRegex().Search(text, &m, start);) {
    const size_t begin = m.position(0), end = m.end(0);
    // A rejected candidate must not hide an amount inside it ("Haushaltsjahr
    // 2024 103.000 Euro" first matches "024 103.000 Euro"): go on from the
    // next character, not from the candidate's end.
    start = begin + 1;
    while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
    // Whole tokens only: not "ABC123 Euro" or "EUR 5x".
    if (begin > 0 && IsWordChar(text[begin - 1]) && !(m.matched(1) && (text[begin] & 0x80))) continue;
    const bool before = m.matched(1);
    // Nor the tail of a longer number that is no amount itself (more digit
    // groups than an amount has, "1.234.567.890.123.456 EUR", or too large,
    // "92.233.720,99 Mrd. EUR"): a number right after a digit and a
    // separator starts inside another one.
    if (!before && begin > 1 && (text[begin - 1] == '.' || text[begin - 1] == ',' || text[begin - 1] == '\'') &&
        std::isdigit(static_cast<unsigned char>(text[begin - 2]))) {
      continue;
    }
    const std::string number = before ? m.str(2) : m.str(4);
    const std::string mult = before ? m.str(3) : m.str(5);
    const std::string cur = before ? m.str(1) : m.str(6);
    if (end < text.size() && IsWordChar(text[end]) && !(text[end - 1] & 0x80)) continue;
    auto iso = CurrencyIso(cur);
    if (!iso) continue;
    // "$ 4" is an OCR'd "§ 4", not four dollars: a sign followed by a space
    // and a small whole number is no amount.
    if (before && !std::isalpha(static_cast<unsigned char>(cur[0])) && m.position(2) > m.end(1) &&
        number.size() <= 2 && mult.empty()) {
      continue;
    }
    // "250 TEUR" / "250 T€": thousands of euros, as German budgets write them.
    const long long thousands = (cur == "TEUR" || cur == "T\xe2\x82\xac") ? 1000 : 1;
    const long long multiplier = (mult.empty() ? 1 : Multiplier(mult)) * thousands;
    if (multiplier > 1000000000) continue;  // "Mrd. TEUR": no agreement states such sums
    auto cents = fields::ParseNumberCents(fields::Trim(number), multiplier);
    if (!cents) continue;
    out.push_back({FormatCents(*cents), *iso, begin, end});
    start = end;
  }
  return out;
}

void ExtractAmounts(const Reading& reading, Agreement* out) {
  const DocumentText& doc = reading.text();
  for (size_t i = 0; i < doc.lines.size(); ++i) {
    const TextLine& line = doc.lines[i];
    // Join with the next line so that an amount broken across a line break
    // ("269.000" / "Euro") is found; matches starting in the next line are
    // left to that line.
    std::string text = line.text;
    const size_t own = text.size();
    if (i + 1 < doc.lines.size() && doc.lines[i + 1].page == line.page) text += " " + doc.lines[i + 1].text;
    for (const ParsedAmount& a : FindAmounts(text)) {
      if (a.begin >= own) continue;
      bool seen = false;
      for (const Amount& have : out->amounts) seen |= have.value == a.value && have.currency == a.currency;
      if (seen) continue;
      Amount amount;
      amount.value = a.value;
      amount.currency = a.currency;
      amount.text = fields::Trim(text.substr(a.begin, a.end - a.begin));
      // Context: the words before the amount in its sentence, or the end of
      // the previous line when the amount opens its line.
      std::string before = fields::Trim(text.substr(0, a.begin));
      // A short lead-in ("insgesamt", "zu") continues the previous line.
      if (std::count(before.begin(), before.end(), ' ') < 2 && i > 0 && doc.lines[i - 1].page == line.page) {
        before = fields::JoinLines(doc.lines[i - 1].text, before);
      }
      const auto stop = before.find_last_of(".:;!?");
      if (stop != std::string::npos && stop + 1 < before.size() &&
          !std::isdigit(static_cast<unsigned char>(before[stop + 1]))) {
        before = before.substr(stop + 1);
      }
      amount.context = fields::Trim(before);
      amount.evidence = fields::EvidenceOf(line);
      out->amounts.push_back(std::move(amount));
    }
  }
}

}  // namespace pactum::extract
