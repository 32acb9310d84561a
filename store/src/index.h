// What both back ends derive from a record before keeping it: the key, the
// columns queries filter on, and the folded text they search.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/store/store.h"

namespace pactum::store {

struct IndexedEntry {
  std::string id;          // 64 lowercase hex digits
  std::string media_type;  // document.media_type, or application/octet-stream
  std::optional<int> year;
  std::string search_text;  // folded; fields separated by newlines
  std::string parties;      // folded names and short names, one per line
};

// Checks `entry` (a JSON object whose "id" is the SHA-256 of the original)
// and derives its columns. Errors: kBadRequest saying what is wrong.
Result<IndexedEntry> IndexEntry(const Entry& entry);

// The folded words of a free-text query, in order, without repeats.
std::vector<std::string> QueryWords(std::string_view text);

// The current time as RFC 3339 UTC, e.g. "2026-12-06T17:05:00Z".
std::string NowRfc3339();

}  // namespace pactum::store
