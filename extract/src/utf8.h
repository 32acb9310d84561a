// UTF-8 steps over utf8proc, shared by the text clean-up and the extractors.
#pragma once

#include <utf8proc.h>

#include <string>
#include <string_view>

namespace pactum::extract::utf8 {

// The code point at byte `*i` of `s`, advancing `*i` past it; an invalid
// byte yields U+FFFD and advances by one. REQUIRES: *i < s.size().
inline utf8proc_int32_t Next(std::string_view s, size_t* i) {
  utf8proc_int32_t c = 0;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + *i),
                                        static_cast<utf8proc_ssize_t>(s.size() - *i), &c);
  if (n <= 0) n = 1, c = 0xFFFD;
  *i += static_cast<size_t>(n);
  return c;
}

// A letter, digit or combining mark (any script) is part of a word; spaces,
// punctuation, quotes (also “ ” ‘ ’ „ « »), dashes and symbols are not.
inline bool IsWordCodePoint(utf8proc_int32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

inline void Append(utf8proc_int32_t c, std::string* out) {
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(c, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

}  // namespace pactum::extract::utf8
