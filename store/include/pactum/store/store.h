// The archive: agreement records and the original bytes they were read from,
// kept across restarts (shared/spec/API.md, /v1/documents); and, in the
// same database, the queue of asynchronous jobs (jobs.h, /v1/jobs).
//
// A Store is opened from a URI: "sqlite:PATH" (an embedded SQLite file, the
// default) or "postgresql://..." / "postgres://..." (a libpq connection
// string). Both keep the same data and answer the same queries the same way.
// A document is keyed by its id, the SHA-256 of its bytes: storing the same
// bytes again replaces the record (a later extraction may read more) and
// keeps the original.
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
};

// What GET /v1/documents asks for. Text matching ignores case and accents
// ("MUELLER" does not find "Müller", "muller" does).
struct Query {
  // Every word of `text` occurs in the record's type, title, subject,
  // parties, signatories, places or projects. Empty: no condition.
  std::string text;
  // Occurs in the name or short name of one of the parties. Empty: any.
  std::string party;
  // The agreement's year. Unset: any.
  std::optional<int> year;
  // At most this many records per page. REQUIRES: 1 <= limit <= kMaxLimit.
  int limit = 20;
  // Continue after the page that gave this cursor (Page::next_cursor).
  std::optional<std::int64_t> after;

  static constexpr int kMaxLimit = 100;
};

// One page of matching records, the most recently first stored first.
struct Page {
  std::vector<std::string> records;         // agreement records (JSON text)
  std::optional<std::int64_t> next_cursor;  // set when more may follow
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

  // Keeps `entry`. Returns true when the id was new, false when an earlier
  // record of the same bytes was replaced. Errors: kBadRequest when the
  // record is not a JSON object with a 64-hex "id" matching the bytes'
  // SHA-256; kOverloaded when the database fails (nothing is written).
  virtual Result<bool> Put(const Entry& entry) = 0;

  // The stored record of `id`, or nullopt when there is none.
  virtual Result<std::optional<std::string>> Record(std::string_view id) = 0;

  // The original bytes of `id`, or nullopt when there are none.
  virtual Result<std::optional<Original>> File(std::string_view id) = 0;

  // Records matching `query`, newest first.
  virtual Result<Page> Find(const Query& query) = 0;

  // The store's URI without any password, for logs.
  virtual std::string Describe() const = 0;

  // The job queue kept in the same database (jobs.h). It lives as long as
  // the Store.
  virtual JobStore& jobs() = 0;
};

// Case- and accent-insensitive form of `text` the queries compare
// (Unicode case folding, compatibility decomposition, marks removed).
std::string FoldForSearch(std::string_view text);

}  // namespace pactum::store
