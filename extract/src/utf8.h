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

inline void Append(utf8proc_int32_t c, std::string* out) {
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(c, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

}  // namespace pactum::extract::utf8
