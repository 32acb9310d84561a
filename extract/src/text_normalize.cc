// Unicode clean-up of words from a text layer or OCR, with utf8proc (NFC).
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "pactum/extract/page_text.h"
#include "utf8.h"

namespace pactum::extract {

std::string NormalizeWordText(const std::string& utf8) {
  // 1. Drop soft hyphens, zero-width and control characters; expand the Latin
  //    ligatures (U+FB00..U+FB06) that PDF fonts use; no-break space -> space.
  //    Invalid UTF-8 bytes become U+FFFD (counted as garbage by the text-layer
  //    check).
  std::string mid;
  mid.reserve(utf8.size());
  utf8proc_int32_t highest = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(utf8.size());
  while (left > 0) {
    utf8proc_int32_t c = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
    if (n < 0) {  // invalid sequence: one byte, replaced
      n = 1;
      c = 0xFFFD;
    }
    p += n;
    left -= n;
    if (c == 0x00AD || c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF) continue;
    if (c < 0x20 || (c >= 0x7F && c < 0xA0)) continue;
    switch (c) {
      case 0xFB00: mid += "ff"; continue;
      case 0xFB01: mid += "fi"; continue;
      case 0xFB02: mid += "fl"; continue;
      case 0xFB03: mid += "ffi"; continue;
      case 0xFB04: mid += "ffl"; continue;
      case 0xFB05:
      case 0xFB06: mid += "st"; continue;
      case 0x00A0: mid += ' '; continue;
      default:
        highest = std::max(highest, c);
        utf8::Append(c, &mid);
    }
  }
  // 2. NFC: "u" + combining diaeresis -> "ü". Every code point below U+0300
  //    (the first combining mark) is already in NFC: skip the pass for them.
  std::string out;
  if (highest < 0x300) {
    out = std::move(mid);
  } else if (utf8proc_uint8_t* nfc = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(mid.c_str()))) {
    out.assign(reinterpret_cast<const char*>(nfc));
    std::free(nfc);
  } else {
    out = std::move(mid);
  }
  // 3. Trim the spaces a no-break space may have left at either end.
  const auto b = out.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  return out.substr(b, out.find_last_not_of(' ') - b + 1);
}

}  // namespace pactum::extract
