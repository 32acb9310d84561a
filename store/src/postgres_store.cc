// The archive on PostgreSQL (libpq), over a small pool of connections
// (postgres_db.h).
#include <libpq-fe.h>

#include <charconv>
#include <cstdint>

#include "backends.h"
#include "index.h"
#include "postgres_db.h"

namespace pactum::store {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS pactum_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  media_type TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  stored_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  year INTEGER,
  search_text TEXT NOT NULL,
  parties TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS documents_year ON documents (year, seq);
CREATE TABLE IF NOT EXISTS originals (
  id TEXT PRIMARY KEY,
  bytes BYTEA NOT NULL);
)sql";

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, PGconn* first)
      : pool_(std::move(conninfo), first), jobs_(MakePostgresJobs(&pool_)) {}

  Result<bool> Put(const Entry& entry) override;
  Result<std::optional<std::string>> Record(std::string_view id) override;
  Result<std::optional<Original>> File(std::string_view id) override;
  Result<Page> Find(const Query& query) override;
  std::string Describe() const override { return pool_.Describe(); }
  JobStore& jobs() override { return *jobs_; }

 private:
  using Lease = ConnectionPool::Lease;
  Error Failed(const char* what, PGconn* c) const { return pool_.Failed("the archive", what, c); }

  ConnectionPool pool_;
  const std::unique_ptr<JobStore> jobs_;  // uses pool_
};

Result<bool> PostgresStore::Put(const Entry& entry) {
  Result<IndexedEntry> index = IndexEntry(entry);
  if (!index.ok()) return index.error();
  Lease conn(&pool_);
  Params p;
  p.Text(index->id);
  p.Text(index->media_type);
  p.Text(std::to_string(entry.original.size()));
  index->year ? p.Text(std::to_string(*index->year)) : p.Null();
  p.Text(index->search_text);
  p.Text(index->parties);
  p.Text(entry.record_json);
  p.Binary(entry.original);
  // One statement, hence one transaction: the original goes in first (kept
  // when it is there), then the record is inserted or replaced. xmax = 0
  // tells an inserted row from an updated one.
  const ResultPtr r = p.Exec(conn.get(), R"sql(
WITH original AS (
  INSERT INTO originals (id, bytes) VALUES ($1, $8) ON CONFLICT (id) DO NOTHING)
INSERT INTO documents (id, media_type, bytes, year, search_text, parties, record)
VALUES ($1, $2, $3::bigint, $4::integer, $5, $6, $7)
ON CONFLICT (id) DO UPDATE SET media_type = excluded.media_type, stored_at = now(), year = excluded.year,
  search_text = excluded.search_text, parties = excluded.parties, record = excluded.record
RETURNING (xmax = 0)::integer)sql");
  if (!Succeeded(r) || PQntuples(r.get()) != 1) return Failed("store the document", conn.get());
  return Value(r, 0, 0) == std::string("\0\0\0\1", 4);
}

Result<std::optional<std::string>> PostgresStore::Record(std::string_view id) {
  Lease conn(&pool_);
  Params p;
  p.Text(std::string(id));
  const ResultPtr r = p.Exec(conn.get(), "SELECT record FROM documents WHERE id = $1");
  if (!Succeeded(r)) return Failed("read a record", conn.get());
  if (PQntuples(r.get()) == 0) return std::optional<std::string>();
  return std::optional<std::string>(Value(r, 0, 0));
}

Result<std::optional<Original>> PostgresStore::File(std::string_view id) {
  Lease conn(&pool_);
  Params p;
  p.Text(std::string(id));
  const ResultPtr r = p.Exec(
      conn.get(), "SELECT d.media_type, o.bytes FROM documents d JOIN originals o ON o.id = d.id WHERE d.id = $1");
  if (!Succeeded(r)) return Failed("read an original", conn.get());
  if (PQntuples(r.get()) == 0) return std::optional<Original>();
  return std::optional<Original>(Original{Value(r, 0, 0), Value(r, 0, 1)});
}

Result<Page> PostgresStore::Find(const Query& query) {
  Params p;
  p.Text(std::to_string(query.after.value_or(INT64_MAX)));
  std::string sql = "SELECT seq, record FROM documents WHERE seq < $1::bigint";
  int next = 2;
  if (query.year) {
    sql += " AND year = $" + std::to_string(next++) + "::integer";
    p.Text(std::to_string(*query.year));
  }
  if (const std::string party = FoldForSearch(query.party); !party.empty()) {
    sql += " AND strpos(parties, $" + std::to_string(next++) + ") > 0";
    p.Text(party);
  }
  for (const std::string& w : QueryWords(query.text)) {
    sql += " AND strpos(search_text, $" + std::to_string(next++) + ") > 0";
    p.Text(w);
  }
  sql += " ORDER BY seq DESC LIMIT " + std::to_string(query.limit + 1);
  Lease conn(&pool_);
  const ResultPtr r = p.Exec(conn.get(), sql);
  if (!Succeeded(r)) return Failed("search", conn.get());
  Page page;
  const int rows = PQntuples(r.get());
  for (int i = 0; i < rows && i < query.limit; ++i) page.records.push_back(Value(r, i, 1));
  if (rows > query.limit) page.next_cursor = Int64(r, query.limit - 1, 0);
  return page;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgres(const std::string& conninfo) {
  PGconn* conn = Connect(conninfo);
  auto fail = [&](const std::string& what) -> Error {
    std::string why = what.empty() ? PQerrorMessage(conn) : what;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    PQfinish(conn);
    return Error::Internal("cannot open the archive " + WithoutPassword(conninfo) + ": " + why);
  };
  if (PQstatus(conn) != CONNECTION_OK) return fail("");
  // Several pactum processes may start at once: the schema is created under
  // a transaction-scoped advisory lock. The job tables are created in
  // archives of schema 1 too (written before the job queue): older pactums
  // ignore them, so the version stays.
  const ResultPtr r(PQexec(conn, (std::string("BEGIN; SELECT pg_advisory_xact_lock(7239017); SET LOCAL client_min_messages = warning;") +
                                  kSchema + kPostgresJobSchema + "COMMIT;").c_str()),
                    &PQclear);
  if (!Succeeded(r)) return fail("");
  const ResultPtr v(PQexec(conn, "SELECT coalesce(max(version), 0) FROM pactum_schema"), &PQclear);
  if (!Succeeded(v) || PQntuples(v.get()) != 1) return fail("");
  const std::string text = PQgetvalue(v.get(), 0, 0);
  int version = 0;
  std::from_chars(text.data(), text.data() + text.size(), version);
  if (version > kSchemaVersion) {
    return fail("it was written by a newer pactum (schema " + std::to_string(version) + ", this one knows " +
                std::to_string(kSchemaVersion) + ")");
  }
  if (version < kSchemaVersion) {
    const ResultPtr w(PQexec(conn, ("INSERT INTO pactum_schema (version) VALUES (" + std::to_string(kSchemaVersion) +
                                    ")").c_str()),
                      &PQclear);
    if (!Succeeded(w)) return fail("");
  }
  return std::unique_ptr<Store>(std::make_unique<PostgresStore>(conninfo, conn));
}

}  // namespace pactum::store
