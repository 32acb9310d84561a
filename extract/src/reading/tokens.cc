#include "reading/tokens.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "fields/common.h"

namespace pactum::extract {
namespace {

// True when the character at s[i] is a letter or digit: ASCII alphanumerics
// and non-ASCII characters except the punctuation blocks quotes and dashes
// come from (U+2000..U+206F, and U+00A0..U+00BF: « » § and the no-break space).
bool IsWordAt(const std::string& s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return std::isalnum(c) != 0;
  if (c == 0xC2 && i + 1 < s.size()) return static_cast<unsigned char>(s[i + 1]) < 0xA0;
  if (c == 0xE2 && i + 1 < s.size()) return static_cast<unsigned char>(s[i + 1]) != 0x80 && static_cast<unsigned char>(s[i + 1]) != 0x81;
  return c >= 0xC0;  // a lead byte of a letter
}

size_t CharLength(const std::string& s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
  return j - i;
}

}  // namespace

namespace {

void AppendTokens(const std::string& s, size_t line, const std::vector<std::string>& abbreviations, size_t max_tokens,
                  Tokens* out) {
  if (!out->text.empty()) out->text += ' ';
  const size_t base = out->text.size();
  out->text += s;
  bool first = true;
  size_t i = 0;
  while (i < s.size() && out->tokens.size() < max_tokens) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {  // no-break space
      i += 2;
      continue;
    }
    size_t j = i;
    if (IsWordAt(s, i)) {
      // A word with inner joiners: letters/digits, and . ' ’ - & / between them
      // ("L.L.C", "John's", "Rubio’s").
      static constexpr std::string_view kApostrophe = "\xe2\x80\x99";
      while (j < s.size()) {
        const unsigned char d = static_cast<unsigned char>(s[j]);
        if (IsWordAt(s, j)) {
          j += CharLength(s, j);
        } else if ((d == '.' || d == '\'' || d == '-' || d == '&' || d == '/') && j + 1 < s.size() && IsWordAt(s, j + 1)) {
          ++j;
        } else if (std::string_view(s).substr(j, kApostrophe.size()) == kApostrophe && j + kApostrophe.size() < s.size() &&
                   IsWordAt(s, j + kApostrophe.size())) {
          j += kApostrophe.size();
        } else {
          break;
        }
      }
      // The final period: part of an abbreviation ("Inc.", "e.V.", "Dr.").
      if (j < s.size() && s[j] == '.') {
        const std::string word = s.substr(i, j - i);
        const std::string with_dot = fields::Lower(word + ".");
        const bool dotted = word.find('.') != std::string::npos;  // "L.L.C", "U.S"
        const bool listed = std::any_of(abbreviations.begin(), abbreviations.end(),
                                        [&](const std::string& a) { return fields::Lower(a) == with_dot; });
        if (dotted || listed || word.size() == 1) ++j;
      }
    } else {
      j = i + CharLength(s, i);  // one punctuation character
    }
    out->tokens.push_back(Token{s.substr(i, j - i), line, base + i, base + j, first});
    first = false;
    i = j;
  }
}

}  // namespace

Tokens Tokenize(const Reading& reading, const std::vector<size_t>& lines, const std::vector<std::string>& abbreviations,
                size_t max_tokens) {
  Tokens out;
  for (size_t li : lines) {
    if (out.tokens.size() >= max_tokens) break;
    AppendTokens(reading.line(li).text, li, abbreviations, max_tokens, &out);
  }
  return out;
}

bool IsQuoteMark(std::string_view t) {
  return t == "\"" || t == "'" || t == "\xe2\x80\x9c" || t == "\xe2\x80\x9d" || t == "\xe2\x80\x9e" || t == "\xc2\xab" ||
         t == "\xc2\xbb" || t == "\xe2\x80\x98" || t == "\xe2\x80\x99" || t == "\xe2\x80\x9a";
}

Tokens TokenizeText(const std::string& text, const std::vector<std::string>& abbreviations) {
  Tokens out;
  AppendTokens(text, 0, abbreviations, static_cast<size_t>(-1), &out);
  return out;
}

}  // namespace pactum::extract
