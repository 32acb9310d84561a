// The archive: agreement records and the original bytes they were read from,
// kept across restarts (shared/spec/API.md, /v1/documents); and, in the
// same database, the queue of asynchronous jobs (jobs.h, /v1/jobs).
//
// A Store is opened from a URI: "sqlite:PATH" (an embedded SQLite file, the
// default) or "postgresql://..." / "postgres://..." (a libpq connection
// string). Both keep the same data and answer the same queries the same way.
// A document is keyed by its id, the SHA-256 of its bytes. Its record has
// versions 1, 2, ...: version 1 is the first extraction; a clerk's
// correction (Correct) and storing the same bytes again (a later extraction
// may read more) each add the next version, so no reading or correction is
// ever lost. The latest version is the one served and searched. The
// original and the document's full text are kept once per id (the text of
// the latest extraction).
//
// Served records carry a top-level "version" member:
// {"number": N, "kind": "extraction"|"correction", "created_at": RFC 3339
// UTC, "created_by": API key label or null}.
//
// Every method may be called from many threads at once. Failures of the
// database (unreachable, disk full, locked too long) are Errors with code
// kOverloaded: the request may be retried; nothing was half written.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/models/status.h"
#include "pactum/store/jobs.h"

namespace pactum::store {

// One document to keep.
struct Entry {
  std::string record_json;  // the agreement record, as served; its "id" is the key
  std::string original;     // the uploaded bytes; their SHA-256 must be the id
  // The document's full text (pages separated by "\f"), kept for
  // Text() and searched; empty when there is none.
  std::string text;
  // Who stored it: the API key label; nullopt when the service is open.
  std::optional<std::string> created_by;
};

// One version of a document's record.
struct VersionInfo {
  int number = 0;                         // 1, 2, ...
  std::string kind;                       // "extraction" or "correction"
  std::string created_at;                 // RFC 3339 UTC, e.g. "2026-12-07T15:00:00Z"
  std::optional<std::string> created_by;  // API key label; nullopt: open service
};

// A version of a record.
struct StoredRecord {
  std::string json;    // as served: the record with its "version" member
  std::string record;  // as given to Put or Correct
  VersionInfo version;
};

// What Put did.
struct PutResult {
  bool created = false;  // the id was new
  StoredRecord record;   // the version it added
};

// A clerk's corrected record of a stored document.
struct Correction {
  std::string id;           // the document
  std::string record_json;  // the whole corrected record; its "id" must be `id`
  std::optional<std::string> created_by;
  // Only when the latest version is this one (If-Match); unset: any.
  std::optional<int> if_version;
};

// Why a document matched a text query (Query::text), for GET /v1/documents.
struct Hit {
  std::string id;
  double rank = 0;           // higher ranks first; comparable within one answer
  std::string snippet;       // plain text around the first matched word(s), "…" where cut
  std::string snippet_html;  // the same HTML-escaped, matched words in <mark>...</mark>
};

// What GET /v1/documents asks for. Text matching ignores case and accents
// ("MUELLER" does not find "Müller", "muller" does).
struct Query {
  // Every word of `text` (letters and digits; anything else separates
  // words) begins a word of the record's type, title, subject, parties,
  // signatories, places, projects or full text (PostgreSQL also matches
  // German and English word forms: "vereinbarungen" finds "Vereinbarung").
  // Results are then ranked: a word in the type, title or parties weighs
  // more than one in the other fields, and those more than one in the full
  // text only. Empty: no condition, newest first.
  std::string text;
  // Occurs in the name or short name of one of the parties. Empty: any.
  std::string party;
  // The agreement's year. Unset: any.
  std::optional<int> year;
  // At most this many records per page. REQUIRES: 1 <= limit <= kMaxLimit.
  int limit = 20;
  // Continue after the page that gave this cursor (Page::next_cursor).
  std::optional<std::int64_t> after;
  // With `text`: the rank of the last hit of that page (Page::next_rank).
  std::optional<double> after_rank;

  static constexpr int kMaxLimit = 100;
};

// One page of matching records: without a text query the most recently
// first stored first; with one, best ranked first (ties: newest first).
struct Page {
  std::vector<std::string> records;         // agreement records (JSON text, with "version")
  std::optional<std::int64_t> next_cursor;  // set when more may follow
  // With a text query: the last hit's rank, which goes with next_cursor
  // (Query::after_rank); and why each record matched, in records' order.
  std::optional<double> next_rank;
  std::vector<Hit> hits;
};

struct Original {
  std::string media_type;  // e.g. "application/pdf"
  std::string bytes;
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens (and on first use creates) the store that `uri` names. Errors:
  // kBadRequest for a URI of another scheme, kInternal when the database
  // cannot be opened or was made by a newer pactum; the message says which
  // and why.
  static Result<std::unique_ptr<Store>> Open(std::string_view uri);

  // Keeps `entry` as a new version of kind "extraction" (version 1 when the
  // id is new) and its text as the document's text. Errors: kBadRequest
  // when the record is not a JSON object with a 64-hex "id" matching the
  // bytes' SHA-256; kOverloaded when the database fails (nothing is
  // written).
  virtual Result<PutResult> Put(const Entry& entry) = 0;

  // Keeps a corrected record as the next version, of kind "correction".
  // Errors: kNotFound when there is no such document; kConflict when
  // if_version is set and the latest version is another; kBadRequest when
  // the record is not a JSON object whose "id" is the document's;
  // kOverloaded when the database fails.
  virtual Result<StoredRecord> Correct(const Correction& correction) = 0;

  // Version `number` of the record of `id` (unset: the latest), or nullopt
  // when there is no such document or version.
  virtual Result<std::optional<StoredRecord>> Version(std::string_view id, std::optional<int> number) = 0;

  // The versions of `id`, oldest first; nullopt when there is no such
  // document.
  virtual Result<std::optional<std::vector<VersionInfo>>> Versions(std::string_view id) = 0;

  // The full text of `id` ("" when none was kept, e.g. a document stored by
  // an older pactum), or nullopt when there is no such document.
  virtual Result<std::optional<std::string>> Text(std::string_view id) = 0;

  // The latest record of `id` as given to Put or Correct (without its
  // "version"), or nullopt when there is none.
  Result<std::optional<std::string>> Record(std::string_view id);

  // The original bytes of `id`, or nullopt when there are none.
  virtual Result<std::optional<Original>> File(std::string_view id) = 0;

  // The latest versions of the records matching `query`: newest first, or
  // with a text query ranked best first (ties newest first) with a Hit for
  // each. Errors: kOverloaded when the database fails.
  virtual Result<Page> Find(const Query& query) = 0;

  // The store's URI without any password, for logs.
  virtual std::string Describe() const = 0;

  // The job queue kept in the same database (jobs.h). It lives as long as
  // the Store.
  virtual JobStore& jobs() = 0;
};

// The text of a page's cursor (GET /v1/documents next_cursor): the last
// record's sequence number in decimal, and with a text query "." and the
// 16 hex digits of the IEEE 754 bits of its rank (Page::next_rank), so that
// the next page starts exactly after it in the ranked order.
std::string FormatCursor(std::int64_t seq, std::optional<double> rank);
// The inverse into query->after and ->after_rank; false when `text` is not
// such a cursor.
bool ParseCursor(std::string_view text, Query* query);

// The folded search terms of a free-text query (Query::text): runs of
// letters, digits and marks (anything else separates them), in order,
// without repeats.
std::vector<std::string> SearchTerms(std::string_view text);

// Case- and accent-insensitive form of `text` the queries compare
// (Unicode case folding, compatibility decomposition, marks removed).
std::string FoldForSearch(std::string_view text);

}  // namespace pactum::store
