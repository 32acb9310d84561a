// What both back ends derive from a record before keeping it: the key, the
// columns queries filter on, the folded text they search, and what they
// serve back (the record with its version, snippets of hits, cursors).
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
  // Folded text for full-text search, by weight: the type, title and
  // parties (names, short names); the subject, signatories and projects.
  std::string head;
  std::string fields;
};

// Checks `entry` (a JSON object whose "id" is the SHA-256 of the original)
// and derives its columns. Errors: kBadRequest saying what is wrong.
Result<IndexedEntry> IndexEntry(const Entry& entry);

// Derives the columns of a record JSON without checking its id against any
// bytes (corrections; records of older archives). Errors: kBadRequest when
// it is not a JSON object.
Result<IndexedEntry> IndexRecord(std::string_view record_json);

// The record as served: `record_json` (a JSON object) with a last member
// "version" describing `v`.
std::string ServedRecord(std::string_view record_json, const VersionInfo& v);

// The snippet of a hit: where in the record's fields (type, title, parties,
// subject, signatories, projects) or, failing that, in its full text a word
// begins with one of `terms` (or is the beginning of one, for word forms),
// about 24 words around the first such word, whitespace collapsed, "…"
// where cut; and the same HTML-escaped with matched words in <mark>. Empty
// when no word matches.
void MakeSnippet(std::string_view record_json, std::string_view full_text, const std::vector<std::string>& terms,
                 Hit* hit);

// kNotFound: there is no document `id`.
Error NoSuchDocument(std::string_view id);

// Whether `c` (its record derived as `index`) may become the next version
// when `latest` is the latest: an error (kBadRequest: the record's id is
// not the document's; kConflict: c.if_version is another version), or
// nullopt.
std::optional<Error> CheckCorrection(const Correction& c, const IndexedEntry& index, int latest);

// The current time as RFC 3339 UTC, e.g. "2026-12-06T17:05:00Z".
std::string NowRfc3339();

}  // namespace pactum::store
