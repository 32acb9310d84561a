// The archive on PostgreSQL (libpq), over a small pool of connections
// (postgres_db.h).
#include <libpq-fe.h>

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>

#include "backends.h"
#include "index.h"
#include "postgres_db.h"

namespace pactum::store {
namespace {

// Schema 2. documents.record is the latest version's record (also in
// document_versions); search_vector is what full-text search reads (GIN
// index): the folded type, title and parties with weight A, the other
// fields B, the full text D (body_vector, kept apart so that a correction
// can rebuild the rest), each in the German and the English
// configuration. An archive of schema 1 gains the columns and tables here
// (ADD COLUMN IF NOT EXISTS) and its rows in Migrate().
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
ALTER TABLE documents ADD COLUMN IF NOT EXISTS version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS search_vector tsvector;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS body_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX IF NOT EXISTS documents_search ON documents USING GIN (search_vector);
)sql";

// "$n::type", the reference to parameter n.
std::string Param(int n, const char* type) {
  std::string out = "$";
  out += std::to_string(n);
  out += "::";
  out += type;
  return out;
}

// Schema 1's records become their first versions (after kVersionSchema).
constexpr const char* kFirstVersions = R"sql(
INSERT INTO document_versions (id, number, kind, created_at, created_by, record)
  SELECT d.id, d.version, 'extraction', to_char(d.stored_at::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), NULL,
         d.record FROM documents d
  WHERE NOT EXISTS (SELECT 1 FROM document_versions v WHERE v.id = d.id);
)sql";

// The weighted vector of folded text $h (A) and $f (B), both configurations.
std::string HeadVector(int h, int f) {
  const std::string hp = Param(h, "text"), fp = Param(f, "text");
  return "setweight(to_tsvector('german', " + hp + "), 'A') || setweight(to_tsvector('english', " + hp +
         "), 'A') || setweight(to_tsvector('german', " + fp + "), 'B') || setweight(to_tsvector('english', " + fp +
         "), 'B')";
}

// A tsvector holds at most 1 MB of distinct words with their positions
// (PostgreSQL refuses more, and the document could not be stored; 1 MiB of
// distinct words made 1.35 MB): the full text is indexed up to
// kMaxIndexedBodyBytes, cut at a space, about 150 pages of an agreement;
// the whole text is still kept and served, and SQLite indexes all of it.
constexpr std::size_t kMaxIndexedBodyBytes = std::size_t{512} << 10;

std::string IndexedBody(std::string folded) {
  if (folded.size() <= kMaxIndexedBodyBytes) return folded;
  std::size_t cut = kMaxIndexedBodyBytes;
  while (cut > 0 && static_cast<unsigned char>(folded[cut]) > ' ') --cut;
  folded.resize(cut);
  return folded;
}

// The full text's vector of folded text $b (D).
std::string BodyVector(int b) {
  const std::string bp = Param(b, "text");
  return "setweight(to_tsvector('german', " + bp + "), 'D') || setweight(to_tsvector('english', " + bp + "), 'D')";
}

// The tsquery of the terms in parameters $first..: each term a prefix in
// either configuration, all terms required.
std::string TsQuery(int first, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string p = Param(first + static_cast<int>(i), "text");
    if (!out.empty()) out += " && ";
    out += "(to_tsquery('german', " + p + ") || to_tsquery('english', " + p + "))";
  }
  return "(" + out + ")";
}

// The version columns of a query that joins document_versions as v.
constexpr const char* kVersionColumns = "v.number::int8, v.kind, v.created_at, v.created_by";

VersionInfo VersionAt(const ResultPtr& r, int row, int first) {
  VersionInfo v;
  v.number = static_cast<int>(Int64(r, row, first));
  v.kind = Value(r, row, first + 1);
  v.created_at = Value(r, row, first + 2);
  if (!PQgetisnull(r.get(), row, first + 3)) v.created_by = Value(r, row, first + 3);
  return v;
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, PGconn* first)
      : pool_(std::move(conninfo), first), jobs_(MakePostgresJobs(&pool_)) {}

  Result<PutResult> Put(const Entry& entry) override;
  Result<StoredRecord> Correct(const Correction& correction) override;
  Result<std::optional<StoredRecord>> Version(std::string_view id, std::optional<int> number) override;
  Result<std::optional<std::vector<VersionInfo>>> Versions(std::string_view id) override;
  Result<std::optional<std::string>> Text(std::string_view id) override;
  Result<std::optional<Original>> File(std::string_view id) override;
  Result<Page> Find(const Query& query) override;
  std::string Describe() const override { return pool_.Describe(); }
  JobStore& jobs() override { return *jobs_; }

  // Indexes the records of an older schema that have no search vector yet
  // (by their fields: their full text was never kept).
  Result<bool> Migrate();

 private:
  using Lease = ConnectionPool::Lease;
  Error Failed(const char* what, PGconn* c) const { return pool_.Failed("the archive", what, c); }

  ConnectionPool pool_;
  const std::unique_ptr<JobStore> jobs_;  // uses pool_
};

Result<PutResult> PostgresStore::Put(const Entry& entry) {
  Result<IndexedEntry> index = IndexEntry(entry);
  if (!index.ok()) return index.error();
  PutResult out;
  out.record.version.kind = "extraction";
  out.record.version.created_at = NowRfc3339();
  out.record.version.created_by = entry.created_by;
  Lease conn(&pool_);
  Params p;
  p.Text(index->id);                                    // $1
  p.Text(index->media_type);                            // $2
  p.Text(std::to_string(entry.original.size()));        // $3
  index->year ? p.Text(std::to_string(*index->year)) : p.Null();  // $4
  p.Text(index->search_text);                           // $5
  p.Text(index->parties);                               // $6
  p.Text(entry.record_json);                            // $7
  p.Binary(entry.original);                             // $8
  p.Text(entry.text);                                   // $9
  p.Text(out.record.version.created_at);                // $10
  entry.created_by ? p.Text(*entry.created_by) : p.Null();  // $11
  p.Text(index->head);                                  // $12
  p.Text(index->fields);                                // $13
  p.Text(IndexedBody(FoldForSearch(entry.text)));       // $14
  // One statement, hence one transaction: the original goes in first (kept
  // when it is there), the text is set, the record inserted or replaced as
  // the next version (the row lock of the upsert orders concurrent Puts),
  // and that version kept. xmax = 0 tells an inserted row from an updated
  // one.
  const ResultPtr r = p.Exec(conn.get(), R"sql(
WITH original AS (
  INSERT INTO originals (id, bytes) VALUES ($1, $8) ON CONFLICT (id) DO NOTHING),
text AS (
  INSERT INTO document_texts (id, text) VALUES ($1, $9) ON CONFLICT (id) DO UPDATE SET text = excluded.text),
doc AS (
  INSERT INTO documents (id, media_type, bytes, year, search_text, parties, record, version, body_vector, search_vector)
  SELECT $1, $2, $3::bigint, $4::integer, $5, $6, $7, 1, b.v, )sql" + HeadVector(12, 13) + R"sql( || b.v
  FROM (SELECT )sql" + BodyVector(14) + R"sql( AS v) b
  ON CONFLICT (id) DO UPDATE SET media_type = excluded.media_type, stored_at = now(), year = excluded.year,
    search_text = excluded.search_text, parties = excluded.parties, record = excluded.record,
    version = documents.version + 1, body_vector = excluded.body_vector, search_vector = excluded.search_vector
  RETURNING version, (xmax = 0)::integer AS created),
ver AS (
  INSERT INTO document_versions (id, number, kind, created_at, created_by, record)
  SELECT $1, doc.version, 'extraction', $10, $11, $7 FROM doc)
SELECT version::int8, created::int8 FROM doc)sql");
  if (!Succeeded(r) || PQntuples(r.get()) != 1) return Failed("store the document", conn.get());
  out.record.version.number = static_cast<int>(Int64(r, 0, 0));
  out.created = Int64(r, 0, 1) != 0;
  out.record.json = ServedRecord(entry.record_json, out.record.version);
  out.record.record = entry.record_json;
  return out;
}

Result<StoredRecord> PostgresStore::Correct(const Correction& c) {
  Result<IndexedEntry> index = IndexRecord(c.record_json);
  if (!index.ok()) return index.error();
  if (index->id != c.id) return *CheckCorrection(c, *index, 0);
  StoredRecord out;
  out.version = {0, "correction", NowRfc3339(), c.created_by};
  Lease conn(&pool_);
  Params p;
  p.Text(c.id);                                                   // $1
  c.if_version ? p.Text(std::to_string(*c.if_version)) : p.Null();  // $2
  index->year ? p.Text(std::to_string(*index->year)) : p.Null();   // $3
  p.Text(index->search_text);                                     // $4
  p.Text(index->parties);                                         // $5
  p.Text(c.record_json);                                          // $6
  p.Text(out.version.created_at);                                 // $7
  c.created_by ? p.Text(*c.created_by) : p.Null();                // $8
  p.Text(index->head);                                            // $9
  p.Text(index->fields);                                          // $10
  // The update holds the row's lock; under READ COMMITTED its condition is
  // checked again on the latest row when another correction came first.
  const ResultPtr r = p.Exec(conn.get(), R"sql(
WITH upd AS (
  UPDATE documents d SET year = $3::integer, search_text = $4, parties = $5, record = $6, version = d.version + 1,
    search_vector = )sql" + HeadVector(9, 10) + R"sql( || d.body_vector
  WHERE d.id = $1 AND ($2::integer IS NULL OR d.version = $2::integer)
  RETURNING d.version),
ver AS (
  INSERT INTO document_versions (id, number, kind, created_at, created_by, record)
  SELECT $1, upd.version, 'correction', $7, $8, $6 FROM upd)
SELECT version::int8 FROM upd)sql");
  if (!Succeeded(r)) return Failed("store the correction", conn.get());
  if (PQntuples(r.get()) == 1) {
    out.version.number = static_cast<int>(Int64(r, 0, 0));
    out.json = ServedRecord(c.record_json, out.version);
    out.record = c.record_json;
  out.record = c.record_json;
    return out;
  }
  // Nothing updated: no such document, or another version is the latest.
  Params q;
  q.Text(c.id);
  const ResultPtr cur = q.Exec(conn.get(), "SELECT version::int8 FROM documents WHERE id = $1");
  if (!Succeeded(cur)) return Failed("store the correction", conn.get());
  if (PQntuples(cur.get()) == 0) return NoSuchDocument(c.id);
  if (std::optional<Error> e = CheckCorrection(c, *index, static_cast<int>(Int64(cur, 0, 0)))) return *e;
  return Error::Overloaded("the archive changed while the correction was stored; retry");
}

Result<std::optional<StoredRecord>> PostgresStore::Version(std::string_view id, std::optional<int> number) {
  Lease conn(&pool_);
  Params p;
  p.Text(std::string(id));
  if (number) p.Text(std::to_string(*number));
  const std::string sql =
      std::string("SELECT v.record, ") + kVersionColumns +
      (number ? " FROM document_versions v WHERE v.id = $1 AND v.number = $2::integer"
              : " FROM documents d JOIN document_versions v ON v.id = d.id AND v.number = d.version WHERE d.id = $1");
  const ResultPtr r = p.Exec(conn.get(), sql);
  if (!Succeeded(r)) return Failed("read a record", conn.get());
  if (PQntuples(r.get()) == 0) return std::optional<StoredRecord>();
  StoredRecord out;
  out.version = VersionAt(r, 0, 1);
  out.record = Value(r, 0, 0);
  out.json = ServedRecord(out.record, out.version);
  return std::optional<StoredRecord>(std::move(out));
}

Result<std::optional<std::vector<VersionInfo>>> PostgresStore::Versions(std::string_view id) {
  Lease conn(&pool_);
  Params p;
  p.Text(std::string(id));
  const ResultPtr r = p.Exec(conn.get(), std::string("SELECT ") + kVersionColumns +
                                             " FROM document_versions v WHERE v.id = $1 ORDER BY v.number");
  if (!Succeeded(r)) return Failed("read the versions", conn.get());
  std::vector<VersionInfo> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(VersionAt(r, i, 0));
  if (out.empty()) return std::optional<std::vector<VersionInfo>>();
  return std::optional<std::vector<VersionInfo>>(std::move(out));
}

Result<std::optional<std::string>> PostgresStore::Text(std::string_view id) {
  Lease conn(&pool_);
  Params p;
  p.Text(std::string(id));
  const ResultPtr r = p.Exec(
      conn.get(), "SELECT coalesce(t.text, '') FROM documents d LEFT JOIN document_texts t ON t.id = d.id WHERE d.id = $1");
  if (!Succeeded(r)) return Failed("read a text", conn.get());
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
  const std::vector<std::string> terms = SearchTerms(query.text);
  Params p;
  p.Text(std::to_string(query.after.value_or(INT64_MAX)));  // $1
  // $1 bounds the sequence, except for a ranked page after the first,
  // where it only breaks ties of rank (below).
  std::string where = terms.empty() || !query.after_rank ? "d.seq < $1::bigint" : "TRUE";
  std::string rank = "0::float8";
  int next = 2;
  if (!terms.empty()) {
    // Ranked: by ts_rank (higher is better; the key is its negation, lower
    // first), then newest first; the cursor is the last hit's (key, seq).
    const std::string tsquery = TsQuery(next, terms.size());
    for (const std::string& t : terms) p.Text(t + ":*");
    next += static_cast<int>(terms.size());
    rank = "(-ts_rank(d.search_vector, " + tsquery + "))::float8";
    where += " AND d.search_vector @@ " + tsquery;
  }
  if (query.year) {
    where += " AND d.year = $" + std::to_string(next++) + "::integer";
    p.Text(std::to_string(*query.year));
  }
  if (const std::string party = FoldForSearch(query.party); !party.empty()) {
    where += " AND strpos(d.parties, $" + std::to_string(next++) + ") > 0";
    p.Text(party);
  }
  // The page's rows are chosen first (seq and key only), then joined with
  // their records and versions.
  std::string page_rows = "SELECT h.seq, h.key FROM (SELECT d.seq, " + rank + " AS key FROM documents d WHERE " +
                          where + ") h";
  if (terms.empty()) {
    page_rows += " ORDER BY h.seq DESC";
  } else {
    if (query.after_rank) {
      const std::string k = Param(next++, "float8");
      page_rows += " WHERE (h.key > " + k + " OR (h.key = " + k + " AND h.seq < $1::bigint))";
      char bits[40];
      std::snprintf(bits, sizeof bits, "%.17g", *query.after_rank);
      p.Text(bits);
    }
    page_rows += " ORDER BY h.key, h.seq DESC";
  }
  page_rows += " LIMIT " + std::to_string(query.limit + 1);
  const std::string sql = std::string("SELECT d.seq, d.record, ") + kVersionColumns + ", p.key, d.id FROM (" +
                          page_rows + ") p JOIN documents d ON d.seq = p.seq " +
                          "JOIN document_versions v ON v.id = d.id AND v.number = d.version " +
                          (terms.empty() ? "ORDER BY d.seq DESC" : "ORDER BY p.key, d.seq DESC");
  Lease conn(&pool_);
  const ResultPtr r = p.Exec(conn.get(), sql);
  if (!Succeeded(r)) return Failed("search", conn.get());
  Page page;
  const int rows = PQntuples(r.get());
  for (int i = 0; i < rows && i < query.limit; ++i) {
    page.records.push_back(ServedRecord(Value(r, i, 1), VersionAt(r, i, 2)));
    if (!terms.empty()) {
      const std::string key = Value(r, i, 6);
      std::uint64_t bits = 0;
      for (const char c : key) bits = (bits << 8) | static_cast<unsigned char>(c);
      Hit hit;
      hit.id = Value(r, i, 7);
      hit.rank = -std::bit_cast<double>(bits);
      page.hits.push_back(std::move(hit));
    }
  }
  if (rows > query.limit) {
    page.next_cursor = Int64(r, query.limit - 1, 0);
    if (!terms.empty()) page.next_rank = -page.hits.back().rank;
  }
  if (!page.hits.empty()) {
    // Snippets, from the kept text of each hit.
    std::string ids = "{";
    for (const Hit& h : page.hits) ids += (ids.size() > 1 ? "," : "") + h.id;
    ids += "}";
    Params t;
    t.Text(ids);
    const ResultPtr texts = t.Exec(conn.get(), "SELECT id, text FROM document_texts WHERE id = ANY($1::text[])");
    if (!Succeeded(texts)) return Failed("search", conn.get());
    std::map<std::string, std::string> by_id;
    for (int i = 0; i < PQntuples(texts.get()); ++i) by_id[Value(texts, i, 0)] = Value(texts, i, 1);
    for (std::size_t i = 0; i < page.hits.size(); ++i) {
      MakeSnippet(page.records[i], by_id[page.hits[i].id], terms, &page.hits[i]);
    }
  }
  return page;
}

Result<bool> PostgresStore::Migrate() {
  Lease conn(&pool_);
  const ResultPtr rows = Exec(conn.get(), "SELECT id, record FROM documents WHERE search_vector IS NULL");
  if (!Succeeded(rows)) return Failed("index the stored records", conn.get());
  for (int i = 0; i < PQntuples(rows.get()); ++i) {
    Result<IndexedEntry> index = IndexRecord(Value(rows, i, 1));
    Params p;
    p.Text(Value(rows, i, 0));
    p.Text(index.ok() ? index->head : std::string());
    p.Text(index.ok() ? index->fields : std::string());
    const ResultPtr r = p.Exec(conn.get(), "UPDATE documents SET search_vector = " + HeadVector(2, 3) +
                                               " || body_vector WHERE id = $1 AND search_vector IS NULL");
    if (!Succeeded(r)) return Failed("index the stored records", conn.get());
  }
  const ResultPtr w = Exec(conn.get(), ("INSERT INTO pactum_schema (version) VALUES (" +
                                        std::to_string(kSchemaVersion) + ")").c_str());
  if (!Succeeded(w)) return Failed("mark the schema version", conn.get());
  return true;
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
                                  kSchema + kVersionSchema + kFirstVersions + kPostgresJobSchema + "COMMIT;").c_str()),
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
  auto store = std::make_unique<PostgresStore>(conninfo, conn);  // owns conn from here
  if (version < kSchemaVersion) {
    // Schema 1 (before versions and full-text search): its columns, tables
    // and first versions were added with the schema above; its records are
    // indexed here, then the version is marked.
    Result<bool> migrated = store->Migrate();
    if (!migrated.ok()) {
      return Error::Internal("cannot migrate the archive " + WithoutPassword(conninfo) + ": " + migrated.error().message);
    }
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace pactum::store
