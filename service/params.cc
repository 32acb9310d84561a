#include "params.h"

#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace pactum::service {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// kBadRequest naming the first parameter whose name or value is not UTF-8.
std::optional<Error> RejectMalformedText(const QueryParams& query) {
  for (const auto& [name, value] : query) {
    if (!IsValidUtf8(name)) {
      return Error::BadRequest("a query parameter's name is not UTF-8 ('" + Printable(name) +
                               "'); percent-encode the UTF-8 bytes of the text");
    }
    if (!IsValidUtf8(value)) {
      return Error::BadRequest("query parameter '" + Printable(name) + "' is not UTF-8 ('" + Printable(value) +
                               "'); percent-encode the UTF-8 bytes of the text");
    }
  }
  return std::nullopt;
}

// The largest coordinate of a visible signature: the largest page edge a
// PDF viewer accepts (200 inch, extract::Limits::max_page_edge_pt).
constexpr double kMaxRectCoordinate = 14400.0;

}  // namespace

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // bounds of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;  // overlong
      if (c == 0xed) hi = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;  // overlong
      if (c == 0xf4) hi = 0x8f;  // beyond U+10FFFF
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < 0x80 || b > 0xbf) return false;
    }
    i += len;
  }
  return true;
}

Result<std::string> CleanFileName(std::string_view name) {
  if (!IsValidUtf8(name)) return Error::BadRequest("the file name is not UTF-8 ('" + Printable(name) + "')");
  const auto cut = name.find_last_of("/\\");
  if (cut != std::string_view::npos) name.remove_prefix(cut + 1);
  if (name.empty()) return Error::BadRequest("the file name is empty");
  if (name.size() > kMaxFileNameLength) {
    return Error::BadRequest("the file name is longer than " + std::to_string(kMaxFileNameLength) + " bytes");
  }
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return Error::BadRequest("the file name contains control characters");
  }
  return std::string(name);
}

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
  if (auto err = RejectMalformedText(query)) return *err;
  ExtractParams out;
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (name != "ocr" && name != "lang" && name != "store" && name != "filename" && name != "text") {
      return Error::BadRequest("unknown query parameter '" + Printable(name) +
                               "'; POST /v1/extract takes ocr, lang, store, filename and text");
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
    } else if (name == "filename") {
      Result<std::string> file_name = CleanFileName(value);
      if (!file_name.ok()) return Error::BadRequest("filename: " + file_name.error().message);
      out.file_name = std::move(file_name).value();
    } else {  // store, text
      if (value != "false" && value != "true") {
        return Error::BadRequest(name + " must be true or false, not '" + Printable(value) + "'");
      }
      (name == "store" ? out.store : out.text) = value == "true";
    }
  }
  return out;
}

Result<SignParams> ParseSignParams(const QueryParams& query) {
  if (auto err = RejectMalformedText(query)) return *err;
  SignParams out;
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (!seen.insert(name).second) {
      return Error::BadRequest("query parameter '" + Printable(name) + "' is given more than once; give it once");
    }
    std::string* text = name == "reason"     ? &out.reason
                        : name == "location" ? &out.location
                        : name == "contact"  ? &out.contact
                        : name == "field"    ? &out.field
                                             : nullptr;
    if (text) {
      if (value.size() > 256) return Error::BadRequest(name + " is longer than 256 bytes");
      for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) return Error::BadRequest(name + " contains control characters");
      }
      if (name == "field" && value.find('.') != std::string::npos) {
        return Error::BadRequest("field must not contain '.' (it names one field, not a path)");
      }
      *text = value;
    } else if (name == "page") {
      int page = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), page);
      if (ec != std::errc() || end != value.data() + value.size() || page < 1) {
        return Error::BadRequest("page must be a page number (1, 2, ...), not '" + Printable(value) + "'");
      }
      out.page = page;
    } else if (name == "certify") {
      if (value != "1" && value != "2" && value != "3") {
        return Error::BadRequest("certify must be 1 (no changes), 2 (form filling and signing) or 3 (also "
                                 "annotations), not '" + Printable(value) + "'");
      }
      out.certify = value[0] - '0';
    } else if (name == "rect") {
      std::array<double, 4> r{};
      std::istringstream in(value);
      std::string part;
      int n = 0;
      while (std::getline(in, part, ',')) {
        char* end = nullptr;
        if (n >= 4 || part.empty()) { n = 5; break; }
        r[static_cast<size_t>(n++)] = std::strtod(part.c_str(), &end);
        if (*end != '\0' || !std::isfinite(r[static_cast<size_t>(n - 1)])) { n = 5; break; }
      }
      if (n != 4 || !(r[0] >= 0 && r[1] >= 0 && r[2] > r[0] && r[3] > r[1]) || r[2] > kMaxRectCoordinate ||
          r[3] > kMaxRectCoordinate) {
        return Error::BadRequest("rect must be x0,y0,x1,y1 in PDF points from the page's top-left corner, "
                                 "with x0 < x1 and y0 < y1, each at most 14400 (200 inch), e.g. "
                                 "rect=72,700,272,760; got '" + Printable(value) + "'");
      }
      out.rect = r;
    } else if (name == "level") {
      out.level = signing::ParsePadesLevel(value);
      if (!out.level) {
        return Error::BadRequest("level must be b-b, b-t (with a time-stamp authority), b-lt or b-lta, not '" +
                                 Printable(value) + "'");
      }
    } else if (name == "extend") {
      if (value != "true" && value != "false") {
        return Error::BadRequest("extend must be true or false, not '" + Printable(value) + "'");
      }
      out.extend = value == "true";
    } else {
      return Error::BadRequest("unknown query parameter '" + Printable(name) +
                               "'; POST /v1/sign takes reason, location, contact, field, page, rect, certify, "
                               "level and extend");
    }
  }
  if (out.extend) {
    if (out.level == signing::PadesLevel::kBB || out.level == signing::PadesLevel::kBT) {
      return Error::BadRequest("extend adds validation data (level b-lt) and a document timestamp (b-lta) to the "
                               "signatures there; level " + std::string(signing::PadesLevelName(*out.level)) +
                               " adds nothing to extend with");
    }
    for (const auto& [name, value] : query) {
      if (name != "level" && name != "extend") {
        return Error::BadRequest("extend adds no signature, so " + name +
                                 " (an entry of a new signature) cannot go with it");
      }
    }
  }
  if (out.page && !out.rect) return Error::BadRequest("page needs rect (the signature's place on that page)");
  if (out.rect && !out.page) out.page = 1;
  return out;
}

Result<ExtractParams> ParseStoreParams(const QueryParams& query) {
  if (auto err = RejectMalformedText(query)) return *err;
  for (const auto& [name, value] : query) {
    if (name != "ocr" && name != "lang" && name != "filename" && name != "text") {
      return Error::BadRequest("unknown query parameter '" + Printable(name) +
                               "'; POST /v1/documents takes ocr, lang, filename and text (it always stores)");
    }
  }
  Result<ExtractParams> out = ParseExtractParams(query);
  if (out.ok()) out->store = true;
  return out;
}

Result<store::Query> ParseFindParams(const QueryParams& query) {
  if (auto err = RejectMalformedText(query)) return *err;
  store::Query out;
  std::set<std::string> seen;
  // A whole number in [lo, hi] from all of `value`.
  auto number = [](const std::string& value, std::int64_t lo, std::int64_t hi) -> std::optional<std::int64_t> {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < lo || n > hi) return std::nullopt;
    return n;
  };
  for (const auto& [name, value] : query) {
    if (!seen.insert(name).second) {
      return Error::BadRequest("query parameter '" + Printable(name) + "' is given more than once; give it once");
    }
    if (name == "q" || name == "party") {
      if (value.size() > kMaxSearchLength) {
        return Error::BadRequest(name + " is longer than " + std::to_string(kMaxSearchLength) + " bytes");
      }
      (name == "q" ? out.text : out.party) = value;
    } else if (name == "year") {
      auto year = number(value, 1, 9999);
      if (!year) return Error::BadRequest("year must be a year such as 2025, not '" + Printable(value) + "'");
      out.year = static_cast<int>(*year);
    } else if (name == "limit") {
      auto limit = number(value, 1, store::Query::kMaxLimit);
      if (!limit) {
        return Error::BadRequest("limit must be a number from 1 to " + std::to_string(store::Query::kMaxLimit) +
                                 ", not '" + Printable(value) + "'");
      }
      out.limit = static_cast<int>(*limit);
    } else if (name == "cursor") {
      if (!store::ParseCursor(value, &out)) {
        return Error::BadRequest("cursor '" + Printable(value) +
                                 "' was not given by this service; pass the next_cursor of the previous page");
      }
    } else {
      return Error::BadRequest("unknown query parameter '" + Printable(name) +
                               "'; GET /v1/documents takes q, party, year, limit and cursor");
    }
  }
  if (!out.text.empty() && store::SearchTerms(out.text).empty()) {
    return Error::BadRequest("q has no word to search for (letters or digits)");
  }
  // A ranked page's cursor carries the rank of its last hit, a plain one
  // does not: each continues only its own kind of listing.
  if (out.after && out.after_rank.has_value() != !out.text.empty()) {
    return Error::BadRequest("cursor was given for a listing with" + std::string(out.text.empty() ? "" : "out") +
                             " q; pass the next_cursor of the previous page of the same query");
  }
  return out;
}

Result<RecordParams> ParseRecordParams(const QueryParams& query) {
  if (auto err = RejectMalformedText(query)) return *err;
  RecordParams out;
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (!seen.insert(name).second) {
      return Error::BadRequest("query parameter '" + Printable(name) + "' is given more than once; give it once");
    }
    if (name == "text") {
      if (value != "false" && value != "true") {
        return Error::BadRequest("text must be true or false, not '" + Printable(value) + "'");
      }
      out.text = value == "true";
    } else if (name == "version") {
      int n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1) {
        return Error::BadRequest("version must be a version number (1 or more, see GET /v1/documents/{id}/versions), "
                                 "not '" + Printable(value) + "'");
      }
      out.version = n;
    } else {
      return Error::BadRequest("unknown query parameter '" + Printable(name) +
                               "'; GET /v1/documents/{id} takes text and version");
    }
  }
  return out;
}

Result<RenderParams> ParseRenderParams(const QueryParams& query, std::string_view page) {
  if (auto err = RejectMalformedText(query)) return *err;
  RenderParams out;
  const auto [page_end, page_ec] = std::from_chars(page.data(), page.data() + page.size(), out.page);
  if (page_ec != std::errc() || page_end != page.data() + page.size() || out.page < 1) {
    return Error{ErrorCode::kNotFound, "no page " + Printable(page) + "; pages are numbered from 1"};
  }
  bool seen = false;
  for (const auto& [name, value] : query) {
    if (name != "dpi") {
      return Error::BadRequest("unknown query parameter '" + Printable(name) +
                               "' of GET /v1/documents/{id}/pages/{n}.png; use dpi");
    }
    if (seen) return Error::BadRequest("query parameter 'dpi' is given more than once; give it once");
    seen = true;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out.dpi);
    if (ec != std::errc() || end != value.data() + value.size() || out.dpi < kMinPageDpi || out.dpi > kMaxPageDpi) {
      return Error::BadRequest("dpi=" + Printable(value) + " is not a resolution from " + std::to_string(kMinPageDpi) +
                               " to " + std::to_string(kMaxPageDpi));
    }
  }
  return out;
}

Result<ReportFormat> ParseVerifyParams(const QueryParams& query) {
  if (auto err = RejectMalformedText(query)) return *err;
  ReportFormat out = ReportFormat::kJson;
  bool seen = false;
  for (const auto& [name, value] : query) {
    if (name != "format") {
      return Error::BadRequest("unknown query parameter '" + Printable(name) + "' of POST /v1/verify; use format");
    }
    if (seen) return Error::BadRequest("query parameter 'format' is given more than once; give it once");
    seen = true;
    if (value == "json") {
      out = ReportFormat::kJson;
    } else if (value == "text") {
      out = ReportFormat::kText;
    } else {
      return Error::BadRequest("format=" + Printable(value) + " is not a report format; use json or text");
    }
  }
  return out;
}

std::optional<Error> RejectAnyParams(const QueryParams& query, std::string_view endpoint) {
  if (query.empty()) return std::nullopt;
  if (auto err = RejectMalformedText(query)) return err;
  return Error::BadRequest("unknown query parameter '" + Printable(query.front().first) + "'; " +
                           std::string(endpoint) + " takes no query parameters");
}

}  // namespace pactum::service
