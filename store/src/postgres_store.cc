// The archive on PostgreSQL (libpq): a few connections kept open and lent to
// one call at a time; a connection that broke is reset on its next use.
#include <libpq-fe.h>

#include <charconv>
#include <climits>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <mutex>
#include <vector>

#include "backends.h"
#include "index.h"

namespace pactum::store {
namespace {

constexpr int kConnections = 4;

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

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Parameters of one statement: text values, NULL, or binary bytes that are
// only referenced (the caller keeps them alive until Exec returns).
class Params {
 public:
  void Text(std::string v) {
    owned_.push_back(std::move(v));
    Add(owned_.back(), 0, false);
  }
  void Binary(std::string_view v) { Add(v, 1, false); }
  void Null() { Add({}, 0, true); }

  ResultPtr Exec(PGconn* conn, const std::string& sql) const {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (std::size_t i = 0; i < values_.size(); ++i) {
      // libpq takes lengths as int: a larger value cannot be sent (the
      // caller sees a failed statement).
      if (values_[i].size() > static_cast<std::size_t>(INT_MAX)) return ResultPtr(nullptr, &PQclear);
      values.push_back(null_[i] ? nullptr : values_[i].data());
      lengths.push_back(static_cast<int>(values_[i].size()));
    }
    return ResultPtr(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                  lengths.data(), formats_.data(), /*resultFormat=*/1),
                     &PQclear);
  }

 private:
  void Add(std::string_view v, int format, bool null) {
    values_.push_back(v);
    formats_.push_back(format);
    null_.push_back(null);
  }
  std::deque<std::string> owned_;  // stable addresses
  std::vector<std::string_view> values_;
  std::vector<int> formats_;
  std::vector<bool> null_;
};

// A connection to `conninfo` (a libpq URI or key=value string) that gives up
// connecting after 10 s unless the URI sets its own connect_timeout.
PGconn* Connect(const std::string& conninfo) {
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", conninfo.c_str(), nullptr};
  return PQconnectdbParams(keys, values, /*expand_dbname=*/1);
}

bool Succeeded(const ResultPtr& r) {
  const ExecStatusType s = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

std::string Value(const ResultPtr& r, int row, int col) {
  return std::string(PQgetvalue(r.get(), row, col), static_cast<std::size_t>(PQgetlength(r.get(), row, col)));
}

// A big-endian 8-byte integer of a binary result.
std::int64_t Int64(const ResultPtr& r, int row, int col) {
  const std::string v = Value(r, row, col);
  std::uint64_t x = 0;
  for (const char c : v) x = (x << 8) | static_cast<unsigned char>(c);
  return static_cast<std::int64_t>(x);
}

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db".
std::string WithoutPassword(std::string uri) {
  // user:password@ in the authority.
  const auto scheme = uri.find("://");
  const auto at = uri.find('@');
  if (scheme != std::string::npos && at != std::string::npos) {
    const auto colon = uri.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) uri = uri.substr(0, colon + 1) + "***" + uri.substr(at);
  }
  // password=... as a URI parameter (?password=, &password=) or a
  // key=value connection string (password=... or password = '...').
  for (std::size_t from = 0;;) {
    const auto key = uri.find("password", from);
    if (key == std::string::npos) break;
    from = key + 8;
    const bool starts_key = key == 0 || uri[key - 1] == '?' || uri[key - 1] == '&' || uri[key - 1] == ' ';
    std::size_t eq = key + 8;
    while (eq < uri.size() && uri[eq] == ' ') ++eq;
    if (!starts_key || eq >= uri.size() || uri[eq] != '=') continue;
    std::size_t value = eq + 1;
    while (value < uri.size() && uri[value] == ' ') ++value;
    std::size_t end = value;
    if (end < uri.size() && uri[end] == '\'') {
      end = uri.find('\'', end + 1);
      end = end == std::string::npos ? uri.size() : end + 1;
    } else {
      while (end < uri.size() && uri[end] != '&' && uri[end] != ' ') ++end;
    }
    uri.replace(value, end - value, "***");
    from = value + 3;
  }
  return uri;
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, std::vector<PGconn*> idle)
      : conninfo_(std::move(conninfo)), idle_(std::move(idle)), open_(static_cast<int>(idle_.size())) {}
  ~PostgresStore() override {
    for (PGconn* c : idle_) PQfinish(c);
  }

  Result<bool> Put(const Entry& entry) override;
  Result<std::optional<std::string>> Record(std::string_view id) override;
  Result<std::optional<Original>> File(std::string_view id) override;
  Result<Page> Find(const Query& query) override;
  std::string Describe() const override { return WithoutPassword(conninfo_); }

 private:
  // A connection lent to one call; returned to the pool on destruction.
  class Lease {
   public:
    explicit Lease(PostgresStore* store) : store_(store), conn_(store->Take()) {}
    ~Lease() { store_->Give(conn_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PGconn* get() const { return conn_; }

   private:
    PostgresStore* store_;
    PGconn* conn_;
  };

  PGconn* Take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || open_ < kConnections; });
    if (idle_.empty()) {
      ++open_;
      lock.unlock();
      return Connect(conninfo_);
    }
    PGconn* c = idle_.back();
    idle_.pop_back();
    lock.unlock();
    if (PQstatus(c) != CONNECTION_OK) PQreset(c);
    return c;
  }
  void Give(PGconn* c) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(c);
    }
    cv_.notify_one();
  }
  Error Failed(const char* what, PGconn* c) const {
    std::string why = c ? PQerrorMessage(c) : "no connection";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Error::Overloaded("the archive (" + Describe() + ") failed to " + what + ": " + why + "; retry later");
  }

  const std::string conninfo_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;
  int open_;
};

Result<bool> PostgresStore::Put(const Entry& entry) {
  Result<IndexedEntry> index = IndexEntry(entry);
  if (!index.ok()) return index.error();
  Lease conn(this);
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
  Lease conn(this);
  Params p;
  p.Text(std::string(id));
  const ResultPtr r = p.Exec(conn.get(), "SELECT record FROM documents WHERE id = $1");
  if (!Succeeded(r)) return Failed("read a record", conn.get());
  if (PQntuples(r.get()) == 0) return std::optional<std::string>();
  return std::optional<std::string>(Value(r, 0, 0));
}

Result<std::optional<Original>> PostgresStore::File(std::string_view id) {
  Lease conn(this);
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
  Lease conn(this);
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
  // a transaction-scoped advisory lock.
  const ResultPtr r(PQexec(conn, (std::string("BEGIN; SELECT pg_advisory_xact_lock(7239017); SET LOCAL client_min_messages = warning;") +
                                  kSchema + "COMMIT;").c_str()),
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
  return std::unique_ptr<Store>(std::make_unique<PostgresStore>(conninfo, std::vector<PGconn*>{conn}));
}

}  // namespace pactum::store
