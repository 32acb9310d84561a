// The embedded archive: one SQLite file, written in WAL mode with full sync
// (a stored document survives a power cut), one connection behind a mutex.
#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "backends.h"
#include "index.h"
#include "sqlite_db.h"

namespace pactum::store {
namespace {

// Schema 2. documents.record is the latest version's record (also in
// document_versions); documents_fts (rowid = documents.seq) holds the
// folded text full-text search reads, by weight: head (type, title,
// parties), fields (subject, signatories, projects), body (the full text).
// An archive of schema 1 lacks documents.version, the versions, texts and
// the index: Migrate() adds them.
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
  record TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS documents_year ON documents (year, seq);
CREATE TABLE IF NOT EXISTS originals (
  id TEXT PRIMARY KEY,
  bytes BLOB NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5 (
  head, fields, body, tokenize = 'unicode61 remove_diacritics 2');
)sql";

// bm25 weights of head, fields and body: a word in the title outweighs the
// same word in the body many times over.
constexpr const char* kBm25 = "bm25(documents_fts, 10.0, 4.0, 1.0)";

// The version columns of a query that joins document_versions as v.
constexpr const char* kVersionColumns = "v.number, v.kind, v.created_at, v.created_by";

// The FTS5 query of folded terms: every term as a prefix ("term"*).
std::string MatchExpression(const std::vector<std::string>& terms) {
  std::string out;
  for (const std::string& t : terms) {
    if (!out.empty()) out += ' ';
    out += '"';
    for (const char c : t) {
      if (c == '"') out += '"';
      out += c;
    }
    out += "\"*";
  }
  return out;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path) : conn_(db, std::move(path)), jobs_(MakeSqliteJobs(&conn_)) {}

  Result<PutResult> Put(const Entry& entry) override;
  Result<StoredRecord> Correct(const Correction& correction) override;
  Result<std::optional<StoredRecord>> Version(std::string_view id, std::optional<int> number) override;
  Result<std::optional<std::vector<VersionInfo>>> Versions(std::string_view id) override;
  Result<std::optional<std::string>> Text(std::string_view id) override;
  Result<std::optional<Original>> File(std::string_view id) override;
  Result<Page> Find(const Query& query) override;
  std::string Describe() const override { return conn_.Describe(); }
  JobStore& jobs() override { return *jobs_; }

  // Brings an archive of an older schema up to this one (in a transaction).
  Result<bool> Migrate() PACTUM_EXCLUDES(conn_.mu);

 private:
  // Put's and Correct's statements, in their transactions.
  Result<PutResult> Insert(const Entry& entry, const IndexedEntry& index) PACTUM_REQUIRES(conn_.mu);
  Result<StoredRecord> Replace(const Correction& c) PACTUM_REQUIRES(conn_.mu);
  Result<bool> MigrateRows() PACTUM_REQUIRES(conn_.mu);
  // The version row `number` of `id`.
  Result<bool> AddVersion(const std::string& id, const VersionInfo& v, const std::string& record)
      PACTUM_REQUIRES(conn_.mu);
  // Sets the index row `seq` (replacing any).
  Result<bool> SetFts(std::int64_t seq, const IndexedEntry& index, const std::string& folded_body)
      PACTUM_REQUIRES(conn_.mu);
  Error Failed(const char* what) PACTUM_REQUIRES(conn_.mu) { return conn_.Failed("the archive", what); }

  SqliteConnection conn_;
  const std::unique_ptr<JobStore> jobs_;  // uses conn_
};

// The version of columns first.. of `s` (kVersionColumns).
VersionInfo VersionAt(Statement& s, int first) {
  VersionInfo v;
  v.number = static_cast<int>(s.Int(first));
  v.kind = s.Column(first + 1);
  v.created_at = s.Column(first + 2);
  if (!s.IsNull(first + 3)) v.created_by = s.Column(first + 3);
  return v;
}

Result<PutResult> SqliteStore::Put(const Entry& entry) {
  Result<IndexedEntry> index = IndexEntry(entry);
  if (!index.ok()) return index.error();
  MutexLock lock(&conn_.mu);
  if (std::optional<Error> e = conn_.Begin("the archive", "store the document")) return *e;
  return conn_.End(Insert(entry, *index), "the archive", "store the document");
}

Result<bool> SqliteStore::AddVersion(const std::string& id, const VersionInfo& v, const std::string& record) {
  Statement s(conn_.db(),
              "INSERT INTO document_versions (id, number, kind, created_at, created_by, record) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!s.ok()) return Failed("keep a version");
  s.Bind(1, id);
  s.Bind(2, static_cast<std::int64_t>(v.number));
  s.Bind(3, v.kind);
  s.Bind(4, v.created_at);
  if (v.created_by) s.Bind(5, *v.created_by); else s.BindNull(5);
  s.Bind(6, record);
  if (sqlite3_step(s.get()) != SQLITE_DONE) return Failed("keep a version");
  return true;
}

Result<bool> SqliteStore::SetFts(std::int64_t seq, const IndexedEntry& index, const std::string& folded_body) {
  Statement del(conn_.db(), "DELETE FROM documents_fts WHERE rowid = ?1");
  Statement ins(conn_.db(), "INSERT INTO documents_fts (rowid, head, fields, body) VALUES (?1, ?2, ?3, ?4)");
  if (!del.ok() || !ins.ok()) return Failed("index the document");
  del.Bind(1, seq);
  ins.Bind(1, seq);
  ins.Bind(2, index.head);
  ins.Bind(3, index.fields);
  ins.Bind(4, folded_body);
  if (sqlite3_step(del.get()) != SQLITE_DONE || sqlite3_step(ins.get()) != SQLITE_DONE) {
    return Failed("index the document");
  }
  return true;
}

Result<PutResult> SqliteStore::Insert(const Entry& entry, const IndexedEntry& index) {
  Statement exists(conn_.db(), "SELECT seq, version FROM documents WHERE id = ?1");
  Statement doc(conn_.db(),
                "INSERT INTO documents (id, media_type, bytes, stored_at, year, search_text, parties, record, version) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO UPDATE SET "
                "media_type = excluded.media_type, stored_at = excluded.stored_at, year = excluded.year, "
                "search_text = excluded.search_text, parties = excluded.parties, record = excluded.record, "
                "version = excluded.version RETURNING seq");
  Statement text(conn_.db(),
                 "INSERT INTO document_texts (id, text) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET text = excluded.text");
  Statement original(conn_.db(), "INSERT INTO originals (id, bytes) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING");
  if (!exists.ok() || !doc.ok() || !text.ok() || !original.ok()) return Failed("store the document");
  exists.Bind(1, index.id);
  const int rc = sqlite3_step(exists.get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Failed("store the document");
  PutResult out;
  out.created = rc == SQLITE_DONE;  // no earlier record
  out.record.version.number = out.created ? 1 : static_cast<int>(exists.Int(1)) + 1;
  out.record.version.kind = "extraction";
  out.record.version.created_at = NowRfc3339();
  out.record.version.created_by = entry.created_by;
  doc.Bind(1, index.id);
  doc.Bind(2, index.media_type);
  doc.Bind(3, static_cast<std::int64_t>(entry.original.size()));
  doc.Bind(4, out.record.version.created_at);
  if (index.year) doc.Bind(5, static_cast<std::int64_t>(*index.year)); else doc.BindNull(5);
  doc.Bind(6, index.search_text);
  doc.Bind(7, index.parties);
  doc.Bind(8, entry.record_json);
  doc.Bind(9, static_cast<std::int64_t>(out.record.version.number));
  if (sqlite3_step(doc.get()) != SQLITE_ROW) return Failed("store the document");
  const std::int64_t seq = doc.Int(0);
  if (sqlite3_step(doc.get()) != SQLITE_DONE) return Failed("store the document");
  text.Bind(1, index.id);
  text.Bind(2, entry.text);
  original.Bind(1, index.id);
  original.BindBlob(2, entry.original);
  if (sqlite3_step(text.get()) != SQLITE_DONE || sqlite3_step(original.get()) != SQLITE_DONE) {
    return Failed("store the document");
  }
  if (Result<bool> v = AddVersion(index.id, out.record.version, entry.record_json); !v.ok()) return v.error();
  if (Result<bool> f = SetFts(seq, index, FoldForSearch(entry.text)); !f.ok()) return f.error();
  out.record.json = ServedRecord(entry.record_json, out.record.version);
  out.record.record = entry.record_json;
  return out;
}

Result<StoredRecord> SqliteStore::Correct(const Correction& correction) {
  MutexLock lock(&conn_.mu);
  if (std::optional<Error> e = conn_.Begin("the archive", "store the correction")) return *e;
  return conn_.End(Replace(correction), "the archive", "store the correction");
}

Result<StoredRecord> SqliteStore::Replace(const Correction& c) {
  Result<IndexedEntry> index = IndexRecord(c.record_json);
  if (!index.ok()) return index.error();
  Statement current(conn_.db(), "SELECT seq, version FROM documents WHERE id = ?1");
  Statement body(conn_.db(), "SELECT body FROM documents_fts WHERE rowid = ?1");
  Statement doc(conn_.db(),
                "UPDATE documents SET year = ?2, search_text = ?3, parties = ?4, record = ?5, version = ?6 "
                "WHERE id = ?1");
  if (!current.ok() || !body.ok() || !doc.ok()) return Failed("store the correction");
  current.Bind(1, c.id);
  const int rc = sqlite3_step(current.get());
  if (rc == SQLITE_DONE) return NoSuchDocument(c.id);
  if (rc != SQLITE_ROW) return Failed("store the correction");
  const std::int64_t seq = current.Int(0);
  const int latest = static_cast<int>(current.Int(1));
  if (std::optional<Error> e = CheckCorrection(c, *index, latest)) return *e;
  StoredRecord out;
  out.version = {latest + 1, "correction", NowRfc3339(), c.created_by};
  doc.Bind(1, c.id);
  if (index->year) doc.Bind(2, static_cast<std::int64_t>(*index->year)); else doc.BindNull(2);
  doc.Bind(3, index->search_text);
  doc.Bind(4, index->parties);
  doc.Bind(5, c.record_json);
  doc.Bind(6, static_cast<std::int64_t>(out.version.number));
  body.Bind(1, seq);
  const int body_rc = sqlite3_step(body.get());
  if (body_rc != SQLITE_ROW && body_rc != SQLITE_DONE) return Failed("store the correction");
  const std::string folded_body = body_rc == SQLITE_ROW ? body.Column(0) : std::string();
  if (sqlite3_step(doc.get()) != SQLITE_DONE) return Failed("store the correction");
  if (Result<bool> v = AddVersion(c.id, out.version, c.record_json); !v.ok()) return v.error();
  if (Result<bool> f = SetFts(seq, *index, folded_body); !f.ok()) return f.error();
  out.json = ServedRecord(c.record_json, out.version);
  out.record = c.record_json;
  return out;
}

Result<std::optional<StoredRecord>> SqliteStore::Version(std::string_view id, std::optional<int> number) {
  MutexLock lock(&conn_.mu);
  // The latest: the version documents names.
  Statement s(conn_.db(), number ? "SELECT v.record, v.number, v.kind, v.created_at, v.created_by "
                                   "FROM document_versions v WHERE v.id = ?1 AND v.number = ?2"
                                 : "SELECT v.record, v.number, v.kind, v.created_at, v.created_by "
                                   "FROM documents d JOIN document_versions v ON v.id = d.id AND v.number = d.version "
                                   "WHERE d.id = ?1");
  if (!s.ok()) return Failed("read a record");
  s.Bind(1, id);
  if (number) s.Bind(2, static_cast<std::int64_t>(*number));
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<StoredRecord>();
  if (rc != SQLITE_ROW) return Failed("read a record");
  StoredRecord out;
  out.version = VersionAt(s, 1);
  out.record = s.Column(0);
  out.json = ServedRecord(out.record, out.version);
  return std::optional<StoredRecord>(std::move(out));
}

Result<std::optional<std::vector<VersionInfo>>> SqliteStore::Versions(std::string_view id) {
  MutexLock lock(&conn_.mu);
  Statement s(conn_.db(), "SELECT v.number, v.kind, v.created_at, v.created_by FROM document_versions v "
                          "WHERE v.id = ?1 ORDER BY v.number");
  if (!s.ok()) return Failed("read the versions");
  s.Bind(1, id);
  std::vector<VersionInfo> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back(VersionAt(s, 0));
  if (rc != SQLITE_DONE) return Failed("read the versions");
  if (out.empty()) return std::optional<std::vector<VersionInfo>>();
  return std::optional<std::vector<VersionInfo>>(std::move(out));
}

Result<std::optional<std::string>> SqliteStore::Text(std::string_view id) {
  MutexLock lock(&conn_.mu);
  Statement s(conn_.db(), "SELECT coalesce(t.text, '') FROM documents d LEFT JOIN document_texts t ON t.id = d.id "
                          "WHERE d.id = ?1");
  if (!s.ok()) return Failed("read a text");
  s.Bind(1, id);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Failed("read a text");
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
  const std::vector<std::string> terms = SearchTerms(query.text);
  const std::string party = FoldForSearch(query.party);
  // ?1 cursor seq, ?2 cursor rank, ?3 year, ?4 party, ?5 match. The page's
  // rows are chosen first (seq and rank only), then joined with their
  // records and versions: the sort does not carry the records.
  std::string filters;
  if (query.year) filters += " AND d.year = ?3";
  if (!party.empty()) filters += " AND instr(d.parties, ?4) > 0";
  const std::string limit = " LIMIT " + std::to_string(query.limit + 1);
  std::string page_rows;
  if (terms.empty()) {
    page_rows = "SELECT d.seq AS seq, 0.0 AS rank FROM documents d WHERE d.seq < ?1" + filters +
                " ORDER BY d.seq DESC" + limit;
  } else {
    // Ranked: by bm25 (lower is better), then newest first; the cursor is
    // the last hit's (rank, seq).
    page_rows = std::string("SELECT d.seq AS seq, f.rank AS rank FROM (SELECT rowid, ") + kBm25 +
                " AS rank FROM documents_fts WHERE documents_fts MATCH ?5) f JOIN documents d ON d.seq = f.rowid " +
                "WHERE (?2 IS NULL OR f.rank > ?2 OR (f.rank = ?2 AND d.seq < ?1))" + filters +
                " ORDER BY f.rank, d.seq DESC" + limit;
  }
  const std::string sql = std::string("SELECT d.seq, d.record, ") + kVersionColumns + ", p.rank, d.id FROM (" +
                          page_rows + ") p JOIN documents d ON d.seq = p.seq " +
                          "JOIN document_versions v ON v.id = d.id AND v.number = d.version " +
                          (terms.empty() ? "ORDER BY d.seq DESC" : "ORDER BY p.rank, d.seq DESC");

  MutexLock lock(&conn_.mu);
  Statement s(conn_.db(), sql.c_str());
  if (!s.ok()) return Failed("search");
  s.Bind(1, query.after.value_or(INT64_MAX));
  if (query.after_rank && !terms.empty()) {
    sqlite3_bind_double(s.get(), 2, *query.after_rank);
  } else if (!terms.empty()) {
    s.BindNull(2);
  }
  if (query.year) s.Bind(3, static_cast<std::int64_t>(*query.year));
  if (!party.empty()) s.Bind(4, party);
  if (!terms.empty()) s.Bind(5, MatchExpression(terms));
  Page page;
  std::vector<std::string> ids;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    if (static_cast<int>(page.records.size()) == query.limit) break;  // more follow
    const std::int64_t seq = s.Int(0);
    const double rank = sqlite3_column_double(s.get(), 6);
    page.records.push_back(ServedRecord(s.Column(1), VersionAt(s, 2)));
    page.next_cursor = seq;
    if (!terms.empty()) {
      page.next_rank = rank;
      Hit hit;
      hit.id = s.Column(7);
      hit.rank = -rank;
      page.hits.push_back(std::move(hit));
    }
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Failed("search");
  if (rc == SQLITE_DONE) {  // no further row: the last page
    page.next_cursor.reset();
    page.next_rank.reset();
  }
  // Snippets, from the kept text of each hit.
  for (std::size_t i = 0; i < page.hits.size(); ++i) {
    Statement t(conn_.db(), "SELECT text FROM document_texts WHERE id = ?1");
    if (!t.ok()) return Failed("search");
    t.Bind(1, page.hits[i].id);
    const int trc = sqlite3_step(t.get());
    if (trc != SQLITE_ROW && trc != SQLITE_DONE) return Failed("search");
    MakeSnippet(page.records[i], trc == SQLITE_ROW ? t.Column(0) : std::string(), terms, &page.hits[i]);
  }
  return page;
}

Result<bool> SqliteStore::Migrate() {
  MutexLock lock(&conn_.mu);
  if (std::optional<Error> e = conn_.Begin("the archive", "migrate")) return *e;
  return conn_.End(MigrateRows(), "the archive", "migrate");
}

Result<bool> SqliteStore::MigrateRows() {
  // Schema 1 had no version column: every record was its first extraction.
  if (!Statement(conn_.db(), "SELECT version FROM documents LIMIT 0").ok() &&
      !conn_.Exec("ALTER TABLE documents ADD COLUMN version INTEGER NOT NULL DEFAULT 1")) {
    return Failed("add the version column");
  }
  if (!conn_.Exec("INSERT INTO document_versions (id, number, kind, created_at, created_by, record) "
                  "SELECT d.id, d.version, 'extraction', d.stored_at, NULL, d.record FROM documents d "
                  "WHERE NOT EXISTS (SELECT 1 FROM document_versions v WHERE v.id = d.id)")) {
    return Failed("keep the first versions");
  }
  // Records not yet in the index become searchable by their fields (their
  // full text was never kept).
  Statement rows(conn_.db(), "SELECT seq, record FROM documents WHERE seq NOT IN (SELECT rowid FROM documents_fts)");
  if (!rows.ok()) return Failed("index the stored records");
  int rc;
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
    Result<IndexedEntry> index = IndexRecord(rows.Column(1));
    if (!index.ok()) continue;  // not a JSON object: stays out of the index
    if (Result<bool> f = SetFts(rows.Int(0), *index, ""); !f.ok()) return f.error();
  }
  if (rc != SQLITE_DONE) return Failed("index the stored records");
  if (!conn_.Exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str())) {
    return Failed("mark the schema version");
  }
  return true;
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
  // Pactums may open one new archive at the same moment (a service starting
  // while a command runs): the set-up waits for the other instead of
  // failing. WAL is switched on first, tried again while another holds the
  // lock (SQLite does not wait there by itself); the tables are then made
  // in one write transaction taken up front (BEGIN IMMEDIATE waits with the
  // busy timeout, where a read turning into a write would fail at once).
  std::string why;
  auto run = [&](const char* sql, bool wait) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      const int code = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
      if (code == SQLITE_OK) return true;
      if (!wait || (code != SQLITE_BUSY && code != SQLITE_LOCKED) || std::chrono::steady_clock::now() > until) {
        why = sqlite3_errmsg(db);
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  };
  if (!run("PRAGMA journal_mode = WAL", true) || !run("PRAGMA synchronous = FULL", false) ||
      !run("BEGIN IMMEDIATE", true)) {
    return fail(why);
  }
  // The job tables are created in archives of schema 1 too (written before
  // the job queue): older pactums ignore them. Schema 2's tables are
  // created here, its columns and rows by Migrate().
  if (!run(kSchema, false) || !run(kVersionSchema, false) || !run(kSqliteJobSchema, false) ||
      !UpgradeSqliteJobs(db, &why) || !run("COMMIT", false)) {
    run("ROLLBACK", false);
    return fail(why);
  }
  auto store = std::make_unique<SqliteStore>(db, path);
  if (version < kSchemaVersion) {
    // Schema 1 (before versions and full-text search): migrated in one
    // transaction, then marked.
    Result<bool> migrated = store->Migrate();
    if (!migrated.ok()) {
      return Error::Internal("cannot migrate the archive sqlite:" + path + ": " + migrated.error().message);
    }
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace pactum::store
