// Monetary amounts in German and English notation, with every currency,
// scale and number word from the language data (data/<lang>/amounts.json).
//
//   965.950 Euro   1.234.567,89 EUR   1,5 Mio. €   EUR 250,000.00   €1.2 million
//   16 Mio. DM   200 000 Deutsche Mark   250 TEUR
//   one million dollars   two hundred thousand Dollars ($200,000) (once)
//
// The number's separators are resolved from the number itself: with both "."
// and "," the later one is the decimal mark; a single kind of separator
// followed by exactly three digits groups thousands, otherwise it is the
// decimal mark. All groups of a number use the same separator, so two
// numbers side by side ("300,000 600,000", the cells of a table row) stay
// two numbers. Values are exact (integer cents), never floating point.
//
// A written amount is a run of number words ("two hundred thousand",
// "zweihunderttausend": compounds are split into the data's words) of a
// hundred or more, followed by a currency word; beside its figure it counts
// once.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <memory>
#include <optional>

#include "fields/amounts.h"
#include "fields/common.h"
#include "fields/extractors.h"
#include "fields/regex.h"

namespace pactum::extract {
namespace fields {

std::optional<long long> ParseNumberCents(const std::string& num, long long multiplier,
                                         std::optional<char> decimal_mark) {
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
    if (count == 1 && (tail != 3 || decimal_mark == sep)) decimal = sep;
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

namespace {

bool IsLetterByte(char c) { return std::isalpha(static_cast<unsigned char>(c)) || (c & 0x80); }

long long ToLong(std::string_view s) {
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && ptr == s.data() + s.size() ? v : 0;
}

}  // namespace

NumberWords::NumberWords(const LanguageData& data) {
  for (const auto& [word, value] : data.TableOf("", "amounts.number_words")) words_.emplace_back(Lower(word), ToLong(value));
  std::sort(words_.begin(), words_.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (size_t k = 0; k < words_.size(); ++k) {
    if (!words_[k].first.empty()) words_by_first_[static_cast<unsigned char>(words_[k].first[0])].push_back(k);
  }
  for (const auto& w : data.List("", "amounts.number_connectors")) {
    if (!w.empty() && IsLetterByte(w[0])) connectors_.push_back(Lower(w));
  }
}

// The number words a word is made of ("zweihunderttausend" -> 2, 100, 1000;
// connectors inside it are skipped); nullopt if it is not made of them.
std::optional<std::vector<long long>> NumberWords::Split(std::string_view word) const {
  std::vector<long long> parts;
  size_t i = 0;
  while (i < word.size()) {
    bool found = false;
    for (const auto& c : connectors_) {
      if (i > 0 && word.substr(i, c.size()) == c && i + c.size() < word.size()) {
        i += c.size();
        found = true;
        break;
      }
    }
    if (found) continue;
    for (size_t k : words_by_first_[static_cast<unsigned char>(word[i])]) {
      const auto& [w, v] = words_[k];
      if (word.substr(i, w.size()) == w) {
        parts.push_back(v);
        i += w.size();
        found = true;
        break;
      }
    }
    if (!found) return std::nullopt;
  }
  if (parts.empty()) return std::nullopt;
  return parts;
}

std::optional<NumberWords::Value> NumberWords::Read(std::string_view lower, size_t pos) const {
  if (words_.empty()) return std::nullopt;
  // The run: number words joined by spaces, hyphens and connectors.
  std::vector<long long> values;
  size_t end = pos;
  while (pos < lower.size()) {
    size_t w = pos;
    while (w < lower.size() && IsLetterByte(lower[w])) ++w;
    if (w == pos) break;
    const std::string_view word = lower.substr(pos, w - pos);
    const bool connector = !values.empty() && std::find(connectors_.begin(), connectors_.end(), word) != connectors_.end();
    auto parts = connector ? std::nullopt : Split(word);
    if (!connector && !parts) break;
    if (parts) {
      values.insert(values.end(), parts->begin(), parts->end());
      end = w;
    }
    pos = w;
    while (pos < lower.size() && (lower[pos] == ' ' || lower[pos] == '-')) ++pos;
  }
  if (values.empty()) return std::nullopt;
  // "two hundred thousand" = (2 * 100) * 1000; "nineteen hundred ninety" = 19 * 100 + 90.
  long long total = 0, current = 0;
  bool overflow = false;
  for (long long v : values) {
    if (v == 100) {
      overflow |= __builtin_mul_overflow(current == 0 ? 1 : current, 100LL, &current);
    } else if (v >= 1000) {
      overflow |= __builtin_mul_overflow(current == 0 ? 1 : current, v, &current);
      overflow |= __builtin_add_overflow(total, current, &total);
      current = 0;
    } else {
      overflow |= __builtin_add_overflow(current, v, &current);
    }
    if (overflow) return std::nullopt;
  }
  if (__builtin_add_overflow(total, current, &total) || total > 100000000000000LL) return std::nullopt;
  return Value{total, end, *std::max_element(values.begin(), values.end()), values.front()};
}

}  // namespace fields

namespace {

using fields::Lower;

std::string FormatCents(long long cents) {
  std::string s = std::to_string(cents / 100);
  const long long c = cents % 100;
  s += '.';
  s += static_cast<char>('0' + c / 10);
  s += static_cast<char>('0' + c % 10);
  return s;
}

using fields::IsLetterByte;
using fields::ToLong;

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); }

// The alternation of `words`; a pattern that never matches when there are none.
std::string Alternation(std::vector<std::string> words) {
  std::string alternation = fields::RegexAlternation(std::move(words));
  return alternation.empty() ? "(?!)" : alternation;
}

// Currency tokens of up to three bytes ("EUR", "DM", "$", "€") count only as
// written; longer ones ("Euro", "Deutsche Mark") in any case.
bool ExactToken(std::string_view token) { return token.size() <= 3; }

class AmountGrammar {
 public:
  // The grammar of the built-in data, made once.
  static const AmountGrammar& Builtin() {
    static const AmountGrammar grammar(LanguageData::Get());
    return grammar;
  }
  // That of `data`: the built-in one, or one made for other data.
  static std::shared_ptr<const AmountGrammar> For(const LanguageData& data) {
    if (&data == &LanguageData::Get()) {
      return std::shared_ptr<const AmountGrammar>(&Builtin(), [](const AmountGrammar*) {});
    }
    return std::shared_ptr<const AmountGrammar>(new AmountGrammar(data));
  }

  // `lang`: the document's language, or "" when unknown.
  std::vector<ParsedAmount> Find(const std::string& text, std::string_view lang = "") const;

 private:
  explicit AmountGrammar(const LanguageData& data) : numbers_(data) {
    std::vector<std::string> exact, any_case, thousands, scales, short_scales;
    for (const auto& [token, iso] : data.TableOf("", "amounts.currencies")) {
      if (ExactToken(token)) {
        exact_[token] = iso;
        exact.push_back(token);
      } else {
        any_case_[Key(token)] = iso;
        any_case.push_back(token);
      }
    }
    for (const auto& [token, iso] : data.TableOf("", "amounts.currencies_thousands")) {
      thousands_[token] = iso;
      thousands.push_back(token);
    }
    for (const auto& [word, value] : data.TableOf("", "amounts.scales")) {
      scales_[ScaleKey(word)] = ToLong(value);
      (ScaleKey(word).size() <= 1 ? short_scales : scales).push_back(word);
    }
    // The decimal mark before each scale word: that of the languages that
    // have the word, where they agree ("million" is English and German).
    for (const auto& lang : data.languages()) {
      const auto& mark = data.List(lang, "amounts.decimal_mark");
      if (mark.size() != 1 || mark[0].size() != 1) continue;
      decimal_marks_[lang] = mark[0][0];
      for (const auto& [word, value] : data.TableOf(lang, "amounts.scales")) scale_languages_[ScaleKey(word)].push_back(lang);
    }
    // Ordinary currencies, then units of thousands ("TEUR"): exact case only.
    const std::string currency = "(?:(?i:" + Alternation(any_case) + ")|" + Alternation(exact) + ")";
    const std::string currency_after =
        "(?:" + Alternation(thousands) + "|(?i:" + Alternation(any_case) + ")|" + Alternation(exact) + ")";
    const std::string scale = "(?i:" + Alternation(scales) + ")(?![\\p{L}])";
    std::vector<std::string> all_scales = scales;
    all_scales.insert(all_scales.end(), short_scales.begin(), short_scales.end());
    const std::string any_scale = "(?i:" + Alternation(all_scales) + ")(?![\\p{L}])";
    // number: 1.234.567,89 | 250,000.00 | 1 234 567,89 | 1250000 | 1,5; the
    // groups of one number share their separator (\N).
    auto number = [](int sep_group) {
      return "((?:[0-9]{1,3}([.,' ])[0-9]{3}(?:\\" + std::to_string(sep_group) +
             "[0-9]{3}){0,4}|[0-9]{1,15})(?:[.,][0-9]{1,2})?)";
    };
    // 1 currency  2 number  3 separator  4 scale
    before_ = std::make_unique<fields::Regex>("(" + currency + ")\\s?" + number(3) + "(?:\\s?(" + any_scale + "))?");
    // 1 number  2 separator  3 scale  4 currency
    after_ = std::make_unique<fields::Regex>(number(2) + "(?:,-|,--|,\xe2\x80\x93)?\\s?(?:(" + scale + ")\\s?)?(" +
                                             currency_after + ")");
    for (const auto& [token, iso] : exact_) exact_tokens_.push_back(token);
    for (const auto& [token, iso] : thousands_) exact_tokens_.push_back(token);
    for (const auto& [key, iso] : any_case_) any_case_tokens_.push_back(key);
    std::vector<std::string> firsts = exact_tokens_;
    for (const auto& t : any_case_tokens_) firsts.push_back(t.substr(0, t.find(' ')));
    any_token_always_ = std::any_of(firsts.begin(), firsts.end(), [](const std::string& t) { return t.empty(); });
    any_token_ = PhraseSet(std::move(firsts));
  }

  static std::string Key(std::string_view token) { return Lower(fields::CollapseSpaces(token)); }

  std::optional<std::string> CurrencyIso(const std::string& token) const {
    if (auto it = exact_.find(token); it != exact_.end()) return it->second;
    if (auto it = thousands_.find(token); it != thousands_.end()) return it->second;
    if (auto it = any_case_.find(Key(token)); it != any_case_.end()) return it->second;
    return std::nullopt;
  }

  static std::string ScaleKey(std::string_view word) {
    std::string key = Lower(word);
    if (!key.empty() && key.back() == '.') key.pop_back();
    return key;
  }

  long long Scale(const std::string& word) const {
    auto it = scales_.find(ScaleKey(word));
    return it == scales_.end() ? 1 : it->second;
  }

  // The decimal mark before a scale word ("$14.575 million", "1,250 Mio."):
  // that of the word's language, or of `lang` where several have the word.
  std::optional<char> DecimalMarkBefore(const std::string& scale, std::string_view lang) const {
    auto it = scale_languages_.find(ScaleKey(scale));
    if (it == scale_languages_.end()) return std::nullopt;
    std::optional<char> mark;
    for (const auto& l : it->second) {
      const char m = decimal_marks_.at(l);
      if (l == lang) return m;
      if (mark && *mark != m) mark = '\0';
      if (!mark) mark = m;
    }
    if (mark == '\0') return std::nullopt;
    return mark;
  }

  // Cheap test before the patterns: a currency token somewhere.
  bool MayHoldAmount(const std::string& text, const std::string& lower) const {
    // One pass for all tokens, case-insensitively: lines with none of them
    // (most) are done; the others are checked exactly below.
    if (!any_token_always_ && !ContainsPhrase(text, any_token_)) return false;
    for (const auto& t : exact_tokens_) {
      if (text.find(t) != std::string::npos) return true;
    }
    for (const auto& t : any_case_tokens_) {
      if (lower.find(t.substr(0, t.find(' '))) != std::string::npos) return true;
    }
    return false;
  }

  std::vector<ParsedAmount> Figures(const std::string& text, std::string_view lang) const;
  std::vector<ParsedAmount> Written(const std::string& text, const std::string& lower) const;
  // A currency token starting at `pos`: its end and ISO code.
  std::optional<std::pair<size_t, std::string>> CurrencyAt(const std::string& text, const std::string& lower,
                                                           size_t pos) const;

  std::map<std::string, std::string> exact_, any_case_, thousands_;
  std::map<std::string, long long> scales_;
  std::map<std::string, std::vector<std::string>> scale_languages_;
  std::map<std::string, char> decimal_marks_;
  fields::NumberWords numbers_;
  std::vector<std::string> exact_tokens_, any_case_tokens_;
  PhraseSet any_token_{{}};  // exact_tokens_ and the first words of any_case_tokens_
  bool any_token_always_ = false;  // one of them is empty: found in any text
  std::unique_ptr<fields::Regex> before_, after_;
};

std::vector<ParsedAmount> AmountGrammar::Figures(const std::string& text, std::string_view lang) const {
  std::vector<ParsedAmount> out;
  struct Candidate {
    size_t begin, end;
    std::string number, scale, currency;
    bool before;
    size_t number_begin, currency_end;
  };
  std::vector<Candidate> candidates;
  // A rejected candidate must not hide an amount inside it ("Haushaltsjahr
  // 2024 103.000 Euro" first matches "024 103.000 Euro"): each pattern goes
  // on from the next character, not from the candidate's end.
  for (const bool before : {true, false}) {
    const fields::Regex& re = before ? *before_ : *after_;
    fields::Match m;
    for (size_t start = 0; start < text.size() && re.Search(text, &m, start);) {
      start = m.position(0) + 1;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
      Candidate c{m.position(0), m.end(0), before ? m.str(2) : m.str(1), before ? m.str(4) : m.str(3),
                  before ? m.str(1) : m.str(4), before, before ? m.position(2) : m.position(1),
                  before ? m.end(1) : m.end(4)};
      candidates.push_back(std::move(c));
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.begin != b.begin ? a.begin < b.begin : a.end > b.end; });
  size_t taken_end = 0;
  for (const Candidate& c : candidates) {
    if (c.begin < taken_end) continue;
    const size_t begin = c.begin, end = c.end;
    // Whole tokens only: not "ABC123 Euro" or "EUR 5x".
    if (begin > 0 && IsWordChar(text[begin - 1]) && !(c.before && (text[begin] & 0x80))) continue;
    // Nor the tail of a longer number that is no amount itself (more digit
    // groups than an amount has, "1.234.567.890.123.456 EUR", or too large,
    // "92.233.720,99 Mrd. EUR"): a number right after a digit and a
    // separator starts inside another one.
    if (!c.before && begin > 1 && (text[begin - 1] == '.' || text[begin - 1] == ',' || text[begin - 1] == '\'') &&
        std::isdigit(static_cast<unsigned char>(text[begin - 2]))) {
      continue;
    }
    if (end < text.size() && IsWordChar(text[end]) && !(text[end - 1] & 0x80)) continue;
    auto iso = CurrencyIso(c.currency);
    if (!iso) continue;
    // "$ 4" is an OCR'd "§ 4", not four dollars: a sign followed by a space
    // and a small whole number is no amount.
    if (c.before && !std::isalpha(static_cast<unsigned char>(c.currency[0])) && c.number_begin > c.currency_end &&
        c.number.size() <= 2 && c.scale.empty()) {
      continue;
    }
    // "250 TEUR" / "250 T€": thousands, as German budgets write them.
    const long long thousands = thousands_.count(c.currency) ? 1000 : 1;
    const long long multiplier = (c.scale.empty() ? 1 : Scale(c.scale)) * thousands;
    if (multiplier > 1000000000) continue;  // "Mrd. TEUR": no agreement states such sums
    auto cents = fields::ParseNumberCents(fields::Trim(c.number), multiplier,
                                          c.scale.empty() ? std::nullopt : DecimalMarkBefore(c.scale, lang));
    if (!cents) continue;
    out.push_back({FormatCents(*cents), *iso, begin, end});
    taken_end = end;
  }
  return out;
}

std::optional<std::pair<size_t, std::string>> AmountGrammar::CurrencyAt(const std::string& text,
                                                                        const std::string& lower, size_t pos) const {
  std::optional<std::pair<size_t, std::string>> best;
  auto consider = [&](size_t end, const std::string& iso) {
    if (end < text.size() && IsWordChar(text[end]) && IsWordChar(text[end - 1])) return;
    if (!best || end > best->first) best = std::pair{end, iso};
  };
  for (const auto& [token, iso] : exact_) {
    if (text.compare(pos, token.size(), token) == 0) consider(pos + token.size(), iso);
  }
  for (const auto& [key, iso] : any_case_) {
    // Spaces in the key match runs of spaces in the text.
    size_t t = pos, k = 0;
    while (k < key.size() && t < lower.size()) {
      if (key[k] == ' ') {
        if (lower[t] != ' ') break;
        while (t < lower.size() && lower[t] == ' ') ++t;
        ++k;
      } else if (lower[t] == key[k]) {
        ++t, ++k;
      } else {
        break;
      }
    }
    if (k == key.size()) consider(t, iso);
  }
  return best;
}

std::vector<ParsedAmount> AmountGrammar::Written(const std::string& text, const std::string& lower) const {
  std::vector<ParsedAmount> out;
  for (size_t i = 0; i < lower.size();) {
    if (!IsLetterByte(lower[i]) || (i > 0 && IsWordChar(lower[i - 1]))) {
      ++i;
      continue;
    }
    const size_t begin = i;
    const auto number = numbers_.Read(lower, begin);
    i = number ? number->end : begin + 1;
    while (i < lower.size() && IsLetterByte(lower[i])) ++i;
    // A hundred or more ("one dollar" is rather a unit price), with its count
    // ("one million", not "per million dollars" or the end of "four and
    // one-half million dollars").
    if (!number || number->largest < 100 || number->first >= 100 || number->value <= 0) continue;
    // Not the scale of a figure ("2,75 Millionen Euro").
    size_t p = begin;
    while (p > 0 && lower[p - 1] == ' ') --p;
    if (p > 0 && (std::isdigit(static_cast<unsigned char>(lower[p - 1])) || lower[p - 1] == ',' || lower[p - 1] == '.')) {
      continue;
    }
    // Then the currency, perhaps after the figure in parentheses:
    // "two hundred thousand ($200,000) dollars".
    size_t c = number->end;
    while (c < lower.size() && lower[c] == ' ') ++c;
    if (c < lower.size() && lower[c] == '(') {
      const size_t close = lower.find(')', c);
      if (close != std::string::npos && close - c <= 40) {
        c = close + 1;
        while (c < lower.size() && lower[c] == ' ') ++c;
      }
    }
    auto currency = CurrencyAt(text, lower, c);
    if (!currency) continue;
    out.push_back({FormatCents(number->value * 100), currency->second, begin, currency->first});
    i = currency->first;
  }
  return out;
}

std::vector<ParsedAmount> AmountGrammar::Find(const std::string& text, std::string_view lang) const {
  const std::string lower = Lower(text);
  if (!MayHoldAmount(text, lower)) return {};
  std::vector<ParsedAmount> out;
  if (text.find_first_of("0123456789") != std::string::npos) out = Figures(text, lang);
  // A written amount beside (or around) its figure counts once.
  for (ParsedAmount& w : Written(text, lower)) {
    const bool twin = std::any_of(out.begin(), out.end(), [&](const ParsedAmount& f) {
      if (f.value != w.value || f.currency != w.currency) return false;
      const bool overlaps = f.begin < w.end && w.begin < f.end;
      const bool beside = (f.begin >= w.end && f.begin - w.end <= 3) || (w.begin >= f.end && w.begin - f.end <= 3);
      return overlaps || beside;
    });
    if (!twin) out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(), [](const ParsedAmount& a, const ParsedAmount& b) { return a.begin < b.begin; });
  return out;
}

}  // namespace

std::vector<ParsedAmount> FindAmounts(const std::string& text) {
  return AmountGrammar::Builtin().Find(text);
}

void ExtractAmounts(const Reading& reading, Agreement* out) {
  const std::shared_ptr<const AmountGrammar> grammar_ptr = AmountGrammar::For(reading.data());
  const AmountGrammar& grammar = *grammar_ptr;
  const DocumentText& doc = reading.text();
  for (size_t i = 0; i < doc.lines.size(); ++i) {
    if (reading.zone(i) == Zone::kFurniture) continue;
    const TextLine& line = doc.lines[i];
    // The line with its neighbours in the block: an amount broken across a
    // line break ("269.000" / "Euro", "three million" / "and fifty thousand
    // dollars") is read whole, by the line it starts on. Lines of other
    // blocks (the next cell of a table row, the other column) are never
    // joined on.
    const bool prev_in_block = i > 0 && doc.lines[i - 1].page == line.page && doc.lines[i - 1].block == line.block &&
                               reading.zone(i - 1) != Zone::kFurniture;
    const std::string prefix = prev_in_block ? doc.lines[i - 1].text + " " : "";
    std::string text = prefix + line.text;
    const size_t own_begin = prefix.size(), own_end = text.size();
    if (i + 1 < doc.lines.size() && doc.lines[i + 1].page == line.page && doc.lines[i + 1].block == line.block) {
      text += " " + doc.lines[i + 1].text;
    }
    for (const ParsedAmount& a : grammar.Find(text, reading.language())) {
      if (a.begin < own_begin || a.begin >= own_end) continue;
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
      if (!prev_in_block && std::count(before.begin(), before.end(), ' ') < 2 && i > 0 &&
          doc.lines[i - 1].page == line.page) {
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
