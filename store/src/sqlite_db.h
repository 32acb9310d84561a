// The SQLite connection behind the archive and the job queue of one file:
// one connection, used under one mutex, and its prepared statements.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pactum/models/mutex.h"
#include "pactum/models/status.h"
#include "pactum/store/jobs.h"

namespace pactum::store {

// A prepared statement, finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int i, std::string_view text) {
    sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  // `bytes` must stay alive until the statement has run (no copy is made:
  // originals are up to the upload limit).
  void BindBlob(int i, std::string_view bytes) {
    sqlite3_bind_blob64(stmt_, i, bytes.data(), bytes.size(), SQLITE_STATIC);
  }
  void Bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  std::string Column(int i) {
    const void* data = sqlite3_column_blob(stmt_, i);
    const int size = sqlite3_column_bytes(stmt_, i);
    return data ? std::string(static_cast<const char*>(data), static_cast<std::size_t>(size)) : std::string();
  }
  std::int64_t Int(int i) { return sqlite3_column_int64(stmt_, i); }
  bool IsNull(int i) { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

// The open file. Every use of db() holds mu.
class SqliteConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() { sqlite3_close_v2(db_); }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sqlite3* db() PACTUM_REQUIRES(mu) { return db_; }
  std::string Describe() const { return "sqlite:" + path_; }
  bool Exec(const char* sql) PACTUM_REQUIRES(mu) {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  // kOverloaded: `subject` (e.g. "the archive") failed to `what`, with
  // SQLite's message of the last failure.
  Error Failed(std::string_view subject, std::string_view what) PACTUM_REQUIRES(mu) {
    return Error::Overloaded(std::string(subject) + " (" + Describe() + ") failed to " + std::string(what) + ": " +
                             sqlite3_errmsg(db_) + "; retry later");
  }
  // A write transaction: Begin() starts it (BEGIN IMMEDIATE, waiting for
  // another process's writer up to the busy timeout), End() commits it when
  // `result` is a success and rolls it back otherwise (or when the commit
  // fails).
  std::optional<Error> Begin(std::string_view subject, std::string_view what) PACTUM_REQUIRES(mu) {
    if (Exec("BEGIN IMMEDIATE")) return std::nullopt;
    return Failed(subject, "start a transaction to " + std::string(what));
  }
  template <typename T>
  Result<T> End(Result<T> result, std::string_view subject, std::string_view what) PACTUM_REQUIRES(mu) {
    if (!result.ok()) {
      Exec("ROLLBACK");
      return result;
    }
    if (!Exec("COMMIT")) {
      Error e = Failed(subject, "commit (" + std::string(what) + ")");
      Exec("ROLLBACK");
      return e;
    }
    return result;
  }

  Mutex mu;

 private:
  sqlite3* const db_;
  const std::string path_;
};

// The job queue's tables and indexes (sqlite_jobs.cc), created on open.
extern const char kSqliteJobSchema[];

// The job queue kept in `conn`'s file; `conn` outlives it.
std::unique_ptr<JobStore> MakeSqliteJobs(SqliteConnection* conn);
// Adds what a job queue made by an earlier pactum lacks (after
// kSqliteJobSchema); false when the database fails, with its message in `why`.
bool UpgradeSqliteJobs(sqlite3* db, std::string* why);

}  // namespace pactum::store
