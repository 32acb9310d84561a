// The back ends behind Store::Open.
#pragma once

#include <memory>
#include <string>

#include "pactum/store/store.h"

namespace pactum::store {

// An SQLite file at `path`, created with its tables when missing.
Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path);

// A PostgreSQL database; `conninfo` is a libpq connection URI. The tables
// are created when missing.
Result<std::unique_ptr<Store>> OpenPostgres(const std::string& conninfo);

// The schema version both back ends write; a database of a higher version
// (a newer pactum) is refused, one of a lower version is migrated on open.
// 1: documents and originals (and the job queue, which did not change it);
// 2: record versions, kept full texts, full-text search.
inline constexpr int kSchemaVersion = 2;

// The tables of schema 2 both back ends create alike: every version of
// every record (created_at RFC 3339 UTC, created_by NULL for an open
// service), and the full text of each document.
inline constexpr const char kVersionSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS document_versions (
  id TEXT NOT NULL,
  number INTEGER NOT NULL,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT,
  record TEXT NOT NULL,
  PRIMARY KEY (id, number));
CREATE TABLE IF NOT EXISTS document_texts (
  id TEXT PRIMARY KEY,
  text TEXT NOT NULL);
)sql";

}  // namespace pactum::store
