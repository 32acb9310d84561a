#include "index.h"

#include <utf8proc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
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

Result<IndexedEntry> IndexEntry(const Entry& entry) {
  const nlohmann::json record = nlohmann::json::parse(entry.record_json, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object()) return Error::BadRequest("the record to store is not a JSON object");
  IndexedEntry out;
  out.id = StringAt(record, "id");
  if (out.id != Sha256Hex(entry.original)) {
    return Error::BadRequest("the record's id is not the SHA-256 of the original bytes");
  }
  const nlohmann::json empty = nlohmann::json::object();
  const auto document = record.find("document");
  out.media_type = StringAt(document != record.end() ? *document : empty, "media_type");
  if (out.media_type.empty()) out.media_type = "application/octet-stream";
  const auto found = record.find("agreement");
  const nlohmann::json& agreement = found != record.end() && found->is_object() ? *found : empty;
  if (auto year = agreement.find("year"); year != agreement.end() && year->is_number_integer()) {
    out.year = year->get<int>();
  }
  for (const char* key : {"type", "title", "subject"}) AddLine(&out.search_text, StringAt(agreement, key));
  auto each = [&](const char* list, auto&& add) {
    auto it = agreement.find(list);
    if (it == agreement.end() || !it->is_array()) return;
    for (const nlohmann::json& item : *it) add(item);
  };
  each("parties", [&](const nlohmann::json& p) {
    for (const char* key : {"name", "short_name"}) {
      AddLine(&out.search_text, StringAt(p, key));
      AddLine(&out.parties, StringAt(p, key));
    }
  });
  each("signatories", [&](const nlohmann::json& s) {
    for (const char* key : {"name", "title", "organization", "place"}) AddLine(&out.search_text, StringAt(s, key));
  });
  each("projects", [&](const nlohmann::json& p) {
    for (const char* key : {"category", "name"}) AddLine(&out.search_text, StringAt(p, key));
  });
  return out;
}

std::vector<std::string> QueryWords(std::string_view text) {
  std::vector<std::string> words;
  const std::string folded = FoldForSearch(text);
  std::size_t at = 0;
  while (at < folded.size()) {
    const std::size_t end = std::min(folded.find_first_of(" \t\r\n", at), folded.size());
    if (end > at) {
      std::string word = folded.substr(at, end - at);
      if (std::find(words.begin(), words.end(), word) == words.end()) words.push_back(std::move(word));
    }
    at = end + 1;
  }
  return words;
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
