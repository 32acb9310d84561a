// Unicode clean-up of words from a text layer or OCR.
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "pactum/extract/page_text.h"

namespace pactum::extract {

std::string NormalizeWordText(const std::string& utf8) {
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(utf8);
  icu::UnicodeString mid;
  for (int32_t i = 0; i < in.length();) {
    const UChar32 c = in.char32At(i);
    i += U16_LENGTH(c);
    if (c == 0x00AD || c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF) continue;  // soft hyphen, zero-width
    if (c < 0x20 || (c >= 0x7F && c < 0xA0)) continue;                                        // control characters
    switch (c) {  // Latin ligatures (U+FB00..U+FB06)
      case 0xFB00: mid.append(u"ff"); continue;
      case 0xFB01: mid.append(u"fi"); continue;
      case 0xFB02: mid.append(u"fl"); continue;
      case 0xFB03: mid.append(u"ffi"); continue;
      case 0xFB04: mid.append(u"ffl"); continue;
      case 0xFB05:
      case 0xFB06: mid.append(u"st"); continue;
      case 0x00A0: mid.append(u' '); continue;
      default: mid.append(c);
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  std::string out;
  if (U_FAILURE(status)) {
    mid.toUTF8String(out);
    return out;
  }
  icu::UnicodeString norm = nfc->normalize(mid, status);
  (U_FAILURE(status) ? mid : norm).toUTF8String(out);
  // Trim the spaces a no-break space may have left at either end.
  const auto b = out.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  return out.substr(b, out.find_last_not_of(' ') - b + 1);
}

}  // namespace pactum::extract
