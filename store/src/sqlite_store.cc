// The embedded archive: one SQLite file, written in WAL mode with full sync
// (a stored document survives a power cut), one connection behind a mutex.
#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

#include <cstdint>

#include "backends.h"
#include "index.h"
#include "sqlite_db.h"

namespace pactum::store {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS documents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  media_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  stored_at TEXT NOT NULL,
  year INTEGER,
  search_text TEXT NOT NULL,
  parties TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS documents_year ON documents (year, seq);
CREATE TABLE IF NOT EXISTS originals (
  id TEXT PRIMARY KEY,
  bytes BLOB NOT NULL);
)sql";

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path) : conn_(db, std::move(path)), jobs_(MakeSqliteJobs(&conn_)) {}

  Result<bool> Put(const Entry& entry) override;
  Result<std::optional<std::string>> Record(std::string_view id) override;
  Result<std::optional<Original>> File(std::string_view id) override;
  Result<Page> Find(const Query& query) override;
  std::string Describe() const override { return conn_.Describe(); }
  JobStore& jobs() override { return *jobs_; }

 private:
  // Put's statements, in its transaction.
  Result<bool> Insert(const Entry& entry, const IndexedEntry& index) PACTUM_REQUIRES(conn_.mu);
  Error Failed(const char* what) PACTUM_REQUIRES(conn_.mu) { return conn_.Failed("the archive", what); }

  SqliteConnection conn_;
  const std::unique_ptr<JobStore> jobs_;  // uses conn_
};

Result<bool> SqliteStore::Put(const Entry& entry) {
  Result<IndexedEntry> index = IndexEntry(entry);
  if (!index.ok()) return index.error();
  MutexLock lock(&conn_.mu);
  if (std::optional<Error> e = conn_.Begin("the archive", "store the document")) return *e;
  return conn_.End(Insert(entry, *index), "the archive", "store the document");
}

Result<bool> SqliteStore::Insert(const Entry& entry, const IndexedEntry& index) {
  Statement exists(conn_.db(), "SELECT 1 FROM documents WHERE id = ?1");
  Statement doc(conn_.db(),
                "INSERT INTO documents (id, media_type, bytes, stored_at, year, search_text, parties, record) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET "
                "media_type = excluded.media_type, stored_at = excluded.stored_at, year = excluded.year, "
                "search_text = excluded.search_text, parties = excluded.parties, record = excluded.record");
  Statement original(conn_.db(), "INSERT INTO originals (id, bytes) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING");
  if (!exists.ok() || !doc.ok() || !original.ok()) return Failed("store the document");
  exists.Bind(1, index.id);
  const int rc = sqlite3_step(exists.get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Failed("store the document");
  doc.Bind(1, index.id);
  doc.Bind(2, index.media_type);
  doc.Bind(3, static_cast<std::int64_t>(entry.original.size()));
  doc.Bind(4, NowRfc3339());
  if (index.year) doc.Bind(5, static_cast<std::int64_t>(*index.year)); else doc.BindNull(5);
  doc.Bind(6, index.search_text);
  doc.Bind(7, index.parties);
  doc.Bind(8, entry.record_json);
  original.Bind(1, index.id);
  original.BindBlob(2, entry.original);
  if (sqlite3_step(doc.get()) != SQLITE_DONE || sqlite3_step(original.get()) != SQLITE_DONE) {
    return Failed("store the document");
  }
  return rc == SQLITE_DONE;  // no earlier record
}

Result<std::optional<std::string>> SqliteStore::Record(std::string_view id) {
  MutexLock lock(&conn_.mu);
  Statement s(conn_.db(), "SELECT record FROM documents WHERE id = ?1");
  if (!s.ok()) return Failed("read a record");
  s.Bind(1, id);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Failed("read a record");
  return std::optional<std::string>(s.Column(0));
}

Result<std::optional<Original>> SqliteStore::File(std::string_view id) {
  MutexLock lock(&conn_.mu);
  Statement s(conn_.db(), "SELECT d.media_type, o.bytes FROM documents d JOIN originals o ON o.id = d.id WHERE d.id = ?1");
  if (!s.ok()) return Failed("read an original");
  s.Bind(1, id);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<Original>();
  if (rc != SQLITE_ROW) return Failed("read an original");
  return std::optional<Original>(Original{s.Column(0), s.Column(1)});
}

Result<Page> SqliteStore::Find(const Query& query) {
  std::string sql = "SELECT seq, record FROM documents WHERE seq < ?1";
  if (query.year) sql += " AND year = ?2";
  const std::vector<std::string> words = QueryWords(query.text);
  const std::string party = FoldForSearch(query.party);
  int next = 3;
  if (!party.empty()) sql += " AND instr(parties, ?" + std::to_string(next++) + ") > 0";
  for (std::size_t i = 0; i < words.size(); ++i) sql += " AND instr(search_text, ?" + std::to_string(next++) + ") > 0";
  sql += " ORDER BY seq DESC LIMIT " + std::to_string(query.limit + 1);

  MutexLock lock(&conn_.mu);
  Statement s(conn_.db(), sql.c_str());
  if (!s.ok()) return Failed("search");
  s.Bind(1, query.after.value_or(INT64_MAX));
  if (query.year) s.Bind(2, static_cast<std::int64_t>(*query.year));
  next = 3;
  if (!party.empty()) s.Bind(next++, party);
  for (const std::string& w : words) s.Bind(next++, w);
  Page page;
  std::int64_t last = 0;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    if (static_cast<int>(page.records.size()) == query.limit) {
      page.next_cursor = last;
      break;
    }
    last = sqlite3_column_int64(s.get(), 0);
    page.records.push_back(s.Column(1));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Failed("search");
  return page;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path) {
  if (path.empty()) return Error::BadRequest("the store URI sqlite: needs a file path, e.g. sqlite:pactum.db");
  // The archive holds agreements: a new file is readable by its owner only
  // (SQLite gives its -wal and -shm files the same mode). An existing
  // file keeps the mode its operator gave it.
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                                 nullptr);
  auto fail = [&](const std::string& what) -> Error {
    Error e = Error::Internal("cannot open the archive sqlite:" + path + ": " + what);
    sqlite3_close_v2(db);
    return e;
  };
  if (rc != SQLITE_OK) return fail(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  sqlite3_busy_timeout(db, 5000);  // another process (a backup, a second pactum) may hold the lock
  auto exec = [db](const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; };
  int version = 0;
  {
    Statement s(db, "PRAGMA user_version");
    if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) return fail(sqlite3_errmsg(db));
    version = sqlite3_column_int(s.get(), 0);
  }
  if (version > kSchemaVersion) {
    return fail("it was written by a newer pactum (schema " + std::to_string(version) + ", this one knows " +
                std::to_string(kSchemaVersion) + ")");
  }
  // The job tables are created in archives of schema 1 too (written before
  // the job queue): older pactums ignore them, so the version stays.
  if (!exec("PRAGMA journal_mode = WAL") || !exec("PRAGMA synchronous = FULL") || !exec(kSchema) ||
      !exec(kSqliteJobSchema) || !UpgradeSqliteJobs(db) || !exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str())) {
    return fail(sqlite3_errmsg(db));
  }
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(db, path));
}

}  // namespace pactum::store
