#include "ocr/numeric_repair.h"

#include <cctype>
#include <string_view>

namespace pactum::extract::ocr {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSeparator(char c) { return c == '.' || c == ',' || c == '/' || c == '-' || c == ':' || c == '\''; }
bool IsConfusable(char c) { return c == 'O' || c == 'o' || c == 'l' || c == 'I' || c == '|' || c == 'S'; }

char DigitFor(char c) {
  switch (c) {
    case 'O':
    case 'o': return '0';
    case 'l':
    case 'I':
    case '|': return '1';
    case 'S': return '5';
    default: return c;
  }
}

// Length in bytes of a leading / trailing run of wrapping characters
// (brackets, quotes, currency and percent signs, sentence punctuation).
size_t WrapPrefix(std::string_view s) {
  static constexpr std::string_view kAscii = "([\"'$%";
  static constexpr std::string_view kMulti[] = {"\xE2\x82\xAC" /* € */, "\xE2\x80\x9E" /* „ */,
                                                "\xE2\x80\x9C" /* “ */, "\xC2\xA7" /* § */};
  size_t i = 0;
  for (bool more = true; more && i < s.size();) {
    more = false;
    if (kAscii.find(s[i]) != std::string_view::npos) {
      ++i;
      more = true;
      continue;
    }
    for (std::string_view m : kMulti) {
      if (s.substr(i).starts_with(m)) {
        i += m.size();
        more = true;
        break;
      }
    }
  }
  return i;
}

size_t WrapSuffix(std::string_view s) {
  static constexpr std::string_view kAscii = ")]\"'%;:!?.,";
  static constexpr std::string_view kMulti[] = {"\xE2\x82\xAC" /* € */, "\xE2\x80\x9C" /* “ */,
                                                "\xE2\x80\x9D" /* ” */};
  size_t n = 0;
  for (bool more = true; more && n < s.size();) {
    more = false;
    const std::string_view rest = s.substr(0, s.size() - n);
    if (kAscii.find(rest.back()) != std::string_view::npos) {
      ++n;
      more = true;
      continue;
    }
    for (std::string_view m : kMulti) {
      if (rest.ends_with(m)) {
        n += m.size();
        more = true;
        break;
      }
    }
  }
  return n;
}

}  // namespace

bool RepairNumericWord(std::string* word) {
  std::string_view s(*word);
  const size_t pre = WrapPrefix(s);
  if (pre >= s.size()) return false;
  const size_t suf = WrapSuffix(s.substr(pre));
  const std::string_view core = s.substr(pre, s.size() - pre - suf);
  if (core.empty()) return false;
  int digits = 0, letters = 0, separators = 0;
  for (char c : core) {
    if (IsDigit(c)) ++digits;
    else if (IsConfusable(c)) ++letters;
    else if (IsSeparator(c)) ++separators;
    else return false;
  }
  if (letters == 0 || digits == 0) return false;
  if (digits < letters && separators == 0) return false;
  std::string fixed(core);
  bool changed = false;
  for (size_t i = 0; i < fixed.size(); ++i) {
    const char c = fixed[i];
    if (!IsConfusable(c)) continue;
    if (c == 'S' && (i == 0 || !IsDigit(fixed[i - 1]))) continue;
    fixed[i] = DigitFor(c);
    changed = true;
  }
  if (!changed) return false;
  *word = std::string(s.substr(0, pre)) + fixed + std::string(s.substr(s.size() - suf));
  return true;
}

bool RepairUmlautWord(std::string* word) {
  bool changed = false;
  for (size_t p = word->find("iir"); p != std::string::npos; p = word->find("iir", p + 1)) {
    const bool letter_before = p > 0 && std::isalpha(static_cast<unsigned char>((*word)[p - 1]));
    if (!letter_before) continue;
    word->replace(p, 2, "\xc3\xbc");  // ü
    changed = true;
  }
  return changed;
}

}  // namespace pactum::extract::ocr
