#include "index.h"

#include <utf8proc.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <ctime>
#include <nlohmann/json.hpp>

#include "pactum/models/digest.h"

namespace pactum::store {
namespace {

// The string at `key` of `object`, or "" when it is missing or not a string.
std::string StringAt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void AddLine(std::string* out, const std::string& text) {
  if (text.empty()) return;
  if (!out->empty()) *out += '\n';
  *out += FoldForSearch(text);
}

enum class FieldWeight { kHead, kFields };

// Calls add(weight, list, text) for every text of the agreement's parties
// (names and short names: kHead), signatories and projects (kFields).
template <typename Add>
void ForEachField(const nlohmann::json& agreement, Add add) {
  static const std::string kParties = "parties", kSignatories = "signatories", kProjects = "projects";
  auto each = [&](const std::string& list, FieldWeight weight, std::initializer_list<const char*> keys) {
    auto it = agreement.find(list);
    if (it == agreement.end() || !it->is_array()) return;
    for (const nlohmann::json& item : *it) {
      for (const char* key : keys) {
        const std::string text = StringAt(item, key);
        if (!text.empty()) add(weight, list, text);
      }
    }
  };
  each(kParties, FieldWeight::kHead, {"name", "short_name"});
  each(kSignatories, FieldWeight::kFields, {"name", "title", "organization", "place"});
  each(kProjects, FieldWeight::kFields, {"category", "name"});
}

// A word of a text: bytes [begin, end).
struct WordSpan {
  std::size_t begin = 0, end = 0;
};

bool IsWordChar(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// The next word of `text` at or after *at (runs of letters, digits and
// marks: Unicode categories L*, N*, M*; bytes that are not UTF-8 separate
// words), *at moved past it; nullopt when there is none.
std::optional<WordSpan> NextWord(std::string_view text, std::size_t* at) {
  std::size_t start = std::string_view::npos;
  while (*at < text.size()) {
    const auto c = static_cast<unsigned char>(text[*at]);
    bool word_char;
    std::size_t len = 1;
    if (c < 0x80) {
      word_char = std::isalnum(c) != 0;
    } else {
      utf8proc_int32_t cp = -1;
      const utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + *at),
                                                  static_cast<utf8proc_ssize_t>(text.size() - *at), &cp);
      if (n > 0) len = static_cast<std::size_t>(n);
      word_char = n > 0 && cp >= 0 && IsWordChar(cp);
    }
    if (word_char && start == std::string_view::npos) start = *at;
    if (!word_char && start != std::string_view::npos) return WordSpan{start, *at};
    *at += len;
  }
  if (start != std::string_view::npos) return WordSpan{start, text.size()};
  return std::nullopt;
}

// The folded form of one word (ASCII ones without utf8proc: the same).
std::string FoldWord(std::string_view word) {
  if (std::all_of(word.begin(), word.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::string out(word);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  return FoldForSearch(word);
}

// A folded word matches a term when it begins with it, or (a word form the
// search stems alike, such as "vereinbarung" for "vereinbarungen") when the
// term begins with a word of at least four letters.
bool Matches(const std::string& word, const std::vector<std::string>& terms) {
  for (const std::string& t : terms) {
    if (word.starts_with(t)) return true;
    if (word.size() >= 4 && t.starts_with(word)) return true;
  }
  return false;
}

void AppendEscaped(std::string* out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': *out += "&amp;"; break;
      case '<': *out += "&lt;"; break;
      case '>': *out += "&gt;"; break;
      case '"': *out += "&quot;"; break;
      case '\'': *out += "&#39;"; break;
      default: *out += c;
    }
  }
}

// Text between words: whitespace and control characters collapse to one
// space; other characters (punctuation) are kept.
std::string Between(std::string_view gap) {
  std::string out;
  bool space = false;
  for (const char c : gap) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (space) out += ' ';
  return out;
}

// The snippet of `text` around its first word matching `terms`; false when
// none matches.
bool SnippetOf(std::string_view text, const std::vector<std::string>& terms, Hit* hit) {
  constexpr std::size_t kBefore = 8, kWords = 24;
  auto matches = [&](const WordSpan& w) { return Matches(FoldWord(text.substr(w.begin, w.end - w.begin)), terms); };
  // Up to the first match, keeping the words before it; then the rest of
  // the window and whether a word follows it. Words after are not read.
  std::deque<WordSpan> window;
  std::size_t at = 0, seen = 0;
  bool found = false;
  for (std::optional<WordSpan> w; !found && (w = NextWord(text, &at));) {
    window.push_back(*w);
    ++seen;
    if (window.size() > kBefore + 1) window.pop_front();
    found = matches(*w);
  }
  if (!found) return false;
  const bool cut_before = seen > window.size();
  for (std::optional<WordSpan> w; window.size() < kWords && (w = NextWord(text, &at));) window.push_back(*w);
  std::size_t probe = at;
  const bool cut_after = NextWord(text, &probe).has_value();
  std::string plain, html;
  if (cut_before) {
    plain += "\xE2\x80\xA6";  // …
    html += "\xE2\x80\xA6";
  } else {  // what stands before the first word (an opening bracket)
    std::string head = Between(text.substr(0, window.front().begin));
    if (!head.empty() && head.front() == ' ') head.erase(0, 1);
    plain += head;
    AppendEscaped(&html, head);
  }
  for (std::size_t i = 0; i < window.size(); ++i) {
    if (i > 0) {
      const std::string gap = Between(text.substr(window[i - 1].end, window[i].begin - window[i - 1].end));
      plain += gap;
      AppendEscaped(&html, gap);
    }
    const std::string_view word = text.substr(window[i].begin, window[i].end - window[i].begin);
    plain += word;
    const bool mark = matches(window[i]);
    if (mark) html += "<mark>";
    AppendEscaped(&html, word);
    if (mark) html += "</mark>";
  }
  if (cut_after) {
    plain += "\xE2\x80\xA6";
    html += "\xE2\x80\xA6";
  } else {  // what stands after the last word (a full stop)
    std::string tail = Between(text.substr(window.back().end));
    if (!tail.empty() && tail.back() == ' ') tail.pop_back();
    plain += tail;
    AppendEscaped(&html, tail);
  }
  hit->snippet = std::move(plain);
  hit->snippet_html = std::move(html);
  return true;
}

}  // namespace

std::string FoldForSearch(std::string_view text) {
  utf8proc_uint8_t* folded = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                      UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
  const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                          static_cast<utf8proc_ssize_t>(text.size()), &folded, options);
  if (n < 0) {  // not UTF-8: ASCII letters folded, the rest kept
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(c); });
    return out;
  }
  std::string out(reinterpret_cast<const char*>(folded), static_cast<std::size_t>(n));
  std::free(folded);
  return out;
}

Result<IndexedEntry> IndexRecord(std::string_view record_json) {
  const nlohmann::json record = nlohmann::json::parse(record_json, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object()) return Error::BadRequest("the record to store is not a JSON object");
  IndexedEntry out;
  out.id = StringAt(record, "id");
  const nlohmann::json empty = nlohmann::json::object();
  const auto document = record.find("document");
  out.media_type = StringAt(document != record.end() ? *document : empty, "media_type");
  if (out.media_type.empty()) out.media_type = "application/octet-stream";
  const auto found = record.find("agreement");
  const nlohmann::json& agreement = found != record.end() && found->is_object() ? *found : empty;
  if (auto year = agreement.find("year"); year != agreement.end() && year->is_number_integer()) {
    out.year = year->get<int>();
  }
  for (const char* key : {"type", "title"}) AddLine(&out.head, StringAt(agreement, key));
  AddLine(&out.fields, StringAt(agreement, "subject"));
  ForEachField(agreement, [&](FieldWeight weight, const std::string& key, const std::string& text) {
    AddLine(weight == FieldWeight::kHead ? &out.head : &out.fields, text);
    if (key == "parties") AddLine(&out.parties, text);
  });
  for (const char* key : {"type", "title", "subject"}) AddLine(&out.search_text, StringAt(agreement, key));
  ForEachField(agreement, [&](FieldWeight, const std::string&, const std::string& text) {
    AddLine(&out.search_text, text);
  });
  return out;
}

Result<IndexedEntry> IndexEntry(const Entry& entry) {
  Result<IndexedEntry> out = IndexRecord(entry.record_json);
  if (out.ok() && out->id != Sha256Hex(entry.original)) {
    return Error::BadRequest("the record's id is not the SHA-256 of the original bytes");
  }
  return out;
}

std::vector<std::string> SearchTerms(std::string_view text) {
  std::vector<std::string> terms;
  const std::string folded = FoldForSearch(text);
  std::size_t at = 0;
  for (std::optional<WordSpan> w; (w = NextWord(folded, &at));) {
    std::string term = folded.substr(w->begin, w->end - w->begin);
    if (std::find(terms.begin(), terms.end(), term) == terms.end()) terms.push_back(std::move(term));
  }
  return terms;
}

std::string ServedRecord(std::string_view record_json, const VersionInfo& v) {
  nlohmann::ordered_json version = {{"number", v.number},
                                    {"kind", v.kind},
                                    {"created_at", v.created_at},
                                    {"created_by", v.created_by ? nlohmann::ordered_json(*v.created_by) : nullptr}};
  std::string out(record_json);
  while (!out.empty() && out.back() != '}') out.pop_back();
  if (out.empty()) return std::string(record_json);
  out.pop_back();
  std::size_t last = out.size();
  while (last > 0 && std::isspace(static_cast<unsigned char>(out[last - 1]))) --last;
  const bool empty_object = last > 0 && out[last - 1] == '{';
  out += empty_object ? "\"version\":" : ",\"version\":";
  out += version.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  out += '}';
  return out;
}

void MakeSnippet(std::string_view record_json, std::string_view full_text, const std::vector<std::string>& terms,
                 Hit* hit) {
  // The fields as plain text, in the order of their weight.
  std::string fields;
  const nlohmann::json record = nlohmann::json::parse(record_json, nullptr, /*allow_exceptions=*/false);
  const auto found = record.is_object() ? record.find("agreement") : record.end();
  if (record.is_object() && found != record.end() && found->is_object()) {
    auto add = [&](const std::string& text) {
      if (text.empty()) return;
      if (!fields.empty()) fields += " \xC2\xB7 ";  // a middle dot between fields
      fields += text;
    };
    for (const char* key : {"type", "title"}) add(StringAt(*found, key));
    ForEachField(*found, [&](FieldWeight w, const std::string&, const std::string& t) {
      if (w == FieldWeight::kHead) add(t);
    });
    add(StringAt(*found, "subject"));
    ForEachField(*found, [&](FieldWeight w, const std::string&, const std::string& t) {
      if (w != FieldWeight::kHead) add(t);
    });
  }
  if (SnippetOf(fields, terms, hit)) return;
  SnippetOf(full_text, terms, hit);
}

Error NoSuchDocument(std::string_view id) {
  return {ErrorCode::kNotFound, "no document " + std::string(id.substr(0, 64)) + " in the archive"};
}

std::optional<Error> CheckCorrection(const Correction& c, const IndexedEntry& index, int latest) {
  if (index.id != c.id) {
    return Error::BadRequest("id: the corrected record's id must be the document's, " + c.id);
  }
  if (c.if_version && *c.if_version != latest) {
    return Error{ErrorCode::kConflict, "version " + std::to_string(*c.if_version) +
                                           " is not the latest version of document " + c.id + " (" +
                                           std::to_string(latest) +
                                           " is); read the latest, correct it and send If-Match: \"" +
                                           std::to_string(latest) + "\""};
  }
  return std::nullopt;
}

std::string FormatCursor(std::int64_t seq, std::optional<double> rank) {
  std::string out = std::to_string(seq);
  if (rank) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(*rank)));
    out += '.';
    out += hex;
  }
  return out;
}

bool ParseCursor(std::string_view text, Query* query) {
  const std::size_t dot = text.find('.');
  const std::string_view seq_text = text.substr(0, dot);
  std::int64_t seq = 0;
  auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
  if (ec != std::errc() || end != seq_text.data() + seq_text.size() || seq < 1) return false;
  std::optional<double> rank;
  if (dot != std::string_view::npos) {
    const std::string_view hex = text.substr(dot + 1);
    std::uint64_t bits = 0;
    auto [hex_end, hex_ec] = std::from_chars(hex.data(), hex.data() + hex.size(), bits, 16);
    if (hex.size() != 16 || hex_ec != std::errc() || hex_end != hex.data() + hex.size()) return false;
    rank = std::bit_cast<double>(bits);
    if (!std::isfinite(*rank)) return false;
  }
  query->after = seq;
  query->after_rank = rank;
  return true;
}

std::string NowRfc3339() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

}  // namespace pactum::store
