#include "params.h"

#include <set>

namespace pactum::service {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

bool IsValidLanguageList(std::string_view lang) {
  if (lang.empty() || lang.size() > kMaxLangLength) return false;
  bool name_started = false;  // inside a name (not right after '+' or at the start)
  for (char c : lang) {
    if (c == '+') {
      if (!name_started) return false;  // leading '+' or "++"
      name_started = false;
    } else if (IsNameChar(c)) {
      name_started = true;
    } else {
      return false;
    }
  }
  return name_started;  // no trailing '+'
}

std::string Printable(std::string_view s, std::size_t max_len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : s) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<ExtractParams> ParseExtractParams(const QueryParams& query) {
  ExtractParams out;
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (name != "ocr" && name != "lang" && name != "store") {
      return Error::BadRequest("unknown query parameter '" + Printable(name) +
                               "'; POST /v1/extract takes ocr, lang and store");
    }
    if (!seen.insert(name).second) {
      return Error::BadRequest("query parameter '" + name + "' is given more than once; give it once");
    }
    if (name == "ocr") {
      if (!extract::ParseOcrMode(value, &out.ocr)) {
        return Error::BadRequest("ocr must be auto, always or never, not '" + Printable(value) + "'");
      }
    } else if (name == "lang") {
      // A literal '+' in a query string decodes to a space (form encoding),
      // so "lang=deu+eng" arrives as "deu eng": both spellings mean deu+eng.
      std::string lang = value;
      for (char& c : lang) {
        if (c == ' ') c = '+';
      }
      if (!IsValidLanguageList(lang)) {
        return Error::BadRequest("lang must be Tesseract language names (letters, digits, '_') joined by '+', at most " +
                                 std::to_string(kMaxLangLength) + " characters, e.g. deu+eng; got '" +
                                 Printable(value) + "'");
      }
      out.lang = std::move(lang);
    } else {  // store
      if (value == "false") {
        out.store = false;
      } else if (value == "true") {
        return Error::BadRequest(
            "store=true is not available in this build (there is no document archive yet); "
            "omit store or pass store=false");
      } else {
        return Error::BadRequest("store must be true or false, not '" + Printable(value) + "'");
      }
    }
  }
  return out;
}

std::optional<Error> RejectAnyParams(const QueryParams& query, std::string_view endpoint) {
  if (query.empty()) return std::nullopt;
  return Error::BadRequest("unknown query parameter '" + Printable(query.front().first) + "'; " +
                           std::string(endpoint) + " takes no query parameters");
}

}  // namespace pactum::service
