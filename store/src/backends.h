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
// (a newer pactum) is refused.
inline constexpr int kSchemaVersion = 1;

}  // namespace pactum::store
