// The PostgreSQL connections behind the archive and the job queue of one
// database: a few connections kept open and lent to one call at a time (a
// connection that broke is reset on its next use), and statements with
// parameters whose results come back in binary form.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/models/mutex.h"
#include "pactum/models/status.h"
#include "pactum/store/jobs.h"

namespace pactum::store {

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

  // Runs `sql`; its results are in binary form (integers big-endian: select
  // them as int8 and read them with Int64).
  ResultPtr Exec(PGconn* conn, const std::string& sql) const;

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
PGconn* Connect(const std::string& conninfo);

// The result of a command or a query that succeeded.
bool Succeeded(const ResultPtr& r);
// PQexec of `sql`, which takes no parameters.
ResultPtr Exec(PGconn* conn, const char* sql);

std::string Value(const ResultPtr& r, int row, int col);
// A big-endian 8-byte integer of a binary result.
std::int64_t Int64(const ResultPtr& r, int row, int col);

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db".
std::string WithoutPassword(std::string uri);

// Up to kConnections connections to one database, each lent to one caller
// at a time.
class ConnectionPool {
 public:
  static constexpr int kConnections = 4;

  // `first` is an open connection to `conninfo`; the pool owns it.
  ConnectionPool(std::string conninfo, PGconn* first) : conninfo_(std::move(conninfo)), idle_{first}, open_(1) {}
  ~ConnectionPool() {
    for (PGconn* c : idle_) PQfinish(c);
  }
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection lent to one call; returned to the pool on destruction.
  class Lease {
   public:
    explicit Lease(ConnectionPool* pool) : pool_(pool), conn_(pool->Take()) {}
    ~Lease() { pool_->Give(conn_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PGconn* get() const { return conn_; }

   private:
    ConnectionPool* pool_;
    PGconn* conn_;
  };

  const std::string& conninfo() const { return conninfo_; }
  std::string Describe() const { return WithoutPassword(conninfo_); }
  // kOverloaded: `subject` (e.g. "the archive") failed to `what`, with
  // libpq's message of `c`.
  Error Failed(std::string_view subject, std::string_view what, PGconn* c) const;

 private:
  PGconn* Take() PACTUM_EXCLUDES(mu_);
  void Give(PGconn* c) PACTUM_EXCLUDES(mu_);

  const std::string conninfo_;
  Mutex mu_;
  CondVar cv_;
  std::vector<PGconn*> idle_ PACTUM_GUARDED_BY(mu_);
  int open_ PACTUM_GUARDED_BY(mu_);
};

// The job queue's tables and indexes (postgres_jobs.cc), created on open.
extern const char kPostgresJobSchema[];

// The job queue kept in `pool`'s database; `pool` outlives it.
std::unique_ptr<JobStore> MakePostgresJobs(ConnectionPool* pool);

}  // namespace pactum::store
