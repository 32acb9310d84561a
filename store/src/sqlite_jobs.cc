// The job queue in the archive's SQLite file, on the archive's connection.
// Every change runs in a BEGIN IMMEDIATE transaction, which also orders it
// against another process writing the same file (up to the busy timeout).
// Times are milliseconds of the system clock. WaitForWork() waits on a
// condition variable that this process's Submit(), Cancel() and re-queues
// signal; a job queued by another process is found at the latest when the
// wait times out.
#include <chrono>
#include <cstdint>

#include "jobs_internal.h"
#include "pactum/models/digest.h"
#include "sqlite_db.h"

namespace pactum::store {

const char kSqliteJobSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS uploads (
  id TEXT PRIMARY KEY,
  bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  op TEXT NOT NULL,
  params_json TEXT NOT NULL,
  owner TEXT NOT NULL,
  callback_url TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  media_type TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  lease_token TEXT,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  pages_total INTEGER NOT NULL DEFAULT 0,
  pages_done INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  error_json TEXT,
  result_status INTEGER,
  result_content_type TEXT,
  result_headers_json TEXT,
  result_body BLOB);
CREATE INDEX IF NOT EXISTS jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, seq);
CREATE INDEX IF NOT EXISTS jobs_upload ON jobs (upload_id);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
)sql";

namespace {

constexpr std::string_view kSubject = "the job queue";

// The columns a job queue of an earlier pactum lacks (split jobs), as
// "name type" for ALTER TABLE jobs ADD COLUMN, and the indexes over them.
constexpr const char* kJobPartColumns[] = {
    "parent_id TEXT", "first_page INTEGER NOT NULL DEFAULT 0", "last_page INTEGER NOT NULL DEFAULT 0",
    "parts INTEGER NOT NULL DEFAULT 0", "parts_left INTEGER NOT NULL DEFAULT 0"};
constexpr const char* kJobPartIndexes =
    "CREATE INDEX IF NOT EXISTS jobs_claim ON jobs ((parent_id IS NULL), seq) WHERE state = 'queued';\n"
    "CREATE INDEX IF NOT EXISTS jobs_parts ON jobs (parent_id, first_page) WHERE parent_id IS NOT NULL;\n"
    "DROP INDEX IF EXISTS jobs_queued;\n";

// JobColumn order; the result body comes last in the table so that rows
// are read without it.
#define PACTUM_JOB_COLUMNS                                                                                    \
  "id, op, params_json, owner, callback_url, upload_id, media_type, state, attempts, max_attempts, "          \
  "pages_total, pages_done, cancel_requested, created_at, started_at, finished_at, error_json, "              \
  "result_status IS NOT NULL, COALESCE(parent_id, ''), first_page, last_page, parts"

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SqliteJobs final : public JobStore {
 public:
  explicit SqliteJobs(SqliteConnection* conn) : conn_(conn) {}

  Result<Job> Submit(const NewJob& job) override;
  Result<std::optional<Job>> Get(std::string_view id) override;
  Result<std::vector<Job>> List(std::string_view owner, std::optional<JobState> state, int limit,
                                std::optional<std::string> after) override;
  Result<std::optional<Job>> Cancel(std::string_view id) override;
  Result<std::optional<Claim>> ClaimNext(std::string_view replica, std::chrono::milliseconds lease) override;
  Result<bool> Split(const Claim& claim, const std::vector<PageRange>& ranges) override;
  Result<std::vector<Job>> Parts(std::string_view id) override;
  Result<std::optional<std::string>> Upload(std::string_view upload_id) override;
  Result<Heartbeat> Beat(const Claim& claim, std::chrono::milliseconds lease, int pages_done,
                         int pages_total) override;
  Result<bool> Finish(const Claim& claim, JobState state, const std::optional<JobResult>& result,
                      const std::optional<std::string>& error_json) override;
  Result<bool> Release(const Claim& claim) override;
  Result<std::optional<JobResult>> Answer(std::string_view id) override;
  Result<int> Expire(std::chrono::milliseconds retention) override;
  void WaitForWork(std::chrono::milliseconds timeout) override PACTUM_EXCLUDES(wait_mu_);
  void Interrupt() override PACTUM_EXCLUDES(wait_mu_);

 private:
  Error Failed(std::string_view what) PACTUM_REQUIRES(conn_->mu) { return conn_->Failed(kSubject, what); }
  // Steps `s` to its end; the jobs of its rows, or nullopt when it failed.
  static std::optional<std::vector<Job>> Jobs(Statement& s);
  // The first job `s` gives, if any.
  Result<std::optional<Job>> OneJob(Statement& s, std::string_view what) PACTUM_REQUIRES(conn_->mu);

  // The transactions' statements.
  Result<Job> Insert(const NewJob& job, const std::string& id) PACTUM_REQUIRES(conn_->mu);
  Result<std::optional<Job>> MarkCancelled(std::string_view id) PACTUM_REQUIRES(conn_->mu);
  Result<std::optional<Claim>> Take(std::string_view replica, std::chrono::milliseconds lease, std::string token,
                                    bool* requeued) PACTUM_REQUIRES(conn_->mu);
  Result<int> Delete(std::chrono::milliseconds retention) PACTUM_REQUIRES(conn_->mu);
  Result<bool> AddParts(const Claim& claim, const std::vector<PageRange>& ranges) PACTUM_REQUIRES(conn_->mu);
  Result<Heartbeat> Renew(const Claim& claim, std::chrono::milliseconds lease, int pages_done, int pages_total)
      PACTUM_REQUIRES(conn_->mu);
  Result<bool> End(const Claim& claim, JobState state, const std::optional<JobResult>& result,
                   const std::optional<std::string>& error_json, bool* woke) PACTUM_REQUIRES(conn_->mu);
  // A part of `parent` became final: one part fewer to wait for; the last
  // queues the parent again (*woke).
  std::optional<Error> PartFinal(const std::string& parent, bool* woke) PACTUM_REQUIRES(conn_->mu);

  // Whether a job is queued or a lease has expired (false when the
  // database cannot tell).
  bool WorkWaiting() PACTUM_EXCLUDES(conn_->mu);
  // Wakes this process's WaitForWork()s: a job may be queued.
  void Announce() PACTUM_EXCLUDES(wait_mu_);

  SqliteConnection* const conn_;
  Mutex wait_mu_;
  CondVar wait_cv_;
  std::uint64_t announced_ PACTUM_GUARDED_BY(wait_mu_) = 0;
  bool interrupted_ PACTUM_GUARDED_BY(wait_mu_) = false;
};

std::optional<std::vector<Job>> SqliteJobs::Jobs(Statement& s) {
  std::vector<Job> jobs;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) jobs.push_back(ReadJob(s));
  if (rc != SQLITE_DONE) return std::nullopt;
  return jobs;
}

Result<std::optional<Job>> SqliteJobs::OneJob(Statement& s, std::string_view what) {
  std::optional<std::vector<Job>> jobs = Jobs(s);
  if (!jobs) return Failed(what);
  if (jobs->empty()) return std::optional<Job>();
  return std::optional<Job>(std::move(jobs->front()));
}

Result<Job> SqliteJobs::Submit(const NewJob& job) {
  if (std::optional<Error> e = CheckNewJob(job)) return *e;
  Result<std::string> id = RandomHex128();
  if (!id.ok()) return id.error();
  Result<Job> queued = Error::Internal("");
  {
    MutexLock lock(&conn_->mu);
    if (std::optional<Error> e = conn_->Begin(kSubject, "queue the job")) return *e;
    queued = conn_->End(Insert(job, *id), kSubject, "queue the job");
  }
  if (queued.ok()) Announce();
  return queued;
}

Result<Job> SqliteJobs::Insert(const NewJob& job, const std::string& id) {
  const std::string upload_id = Sha256Hex(job.upload);
  Statement upload(conn_->db(), "INSERT INTO uploads (id, bytes) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING");
  Statement insert(conn_->db(),
                   "INSERT INTO jobs (id, op, params_json, owner, callback_url, upload_id, media_type, state, "
                   "max_attempts, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?9) "
                   "RETURNING " PACTUM_JOB_COLUMNS);
  if (!upload.ok() || !insert.ok()) return Failed("queue the job");
  upload.Bind(1, upload_id);
  upload.BindBlob(2, job.upload);
  if (sqlite3_step(upload.get()) != SQLITE_DONE) return Failed("keep the upload");
  insert.Bind(1, id);
  insert.Bind(2, job.op);
  insert.Bind(3, job.params_json);
  insert.Bind(4, job.owner);
  insert.Bind(5, job.callback_url);
  insert.Bind(6, upload_id);
  insert.Bind(7, job.media_type);
  insert.Bind(8, static_cast<std::int64_t>(job.max_attempts));
  insert.Bind(9, NowMs());
  Result<std::optional<Job>> inserted = OneJob(insert, "queue the job");
  if (!inserted.ok()) return inserted.error();
  if (!inserted->has_value()) return Failed("queue the job");
  return std::move(**inserted);
}

Result<std::optional<Job>> SqliteJobs::Get(std::string_view id) {
  MutexLock lock(&conn_->mu);
  Statement s(conn_->db(), "SELECT " PACTUM_JOB_COLUMNS " FROM jobs WHERE id = ?1");
  if (!s.ok()) return Failed("read a job");
  s.Bind(1, id);
  return OneJob(s, "read a job");
}

Result<std::vector<Job>> SqliteJobs::List(std::string_view owner, std::optional<JobState> state, int limit,
                                          std::optional<std::string> after) {
  if (std::optional<Error> e = CheckListLimit(limit)) return *e;
  MutexLock lock(&conn_->mu);
  std::int64_t before = INT64_MAX;
  if (after) {
    Statement cursor(conn_->db(), "SELECT seq FROM jobs WHERE id = ?1 AND owner = ?2");
    if (!cursor.ok()) return Failed("list jobs");
    cursor.Bind(1, *after);
    cursor.Bind(2, owner);
    const int rc = sqlite3_step(cursor.get());
    if (rc == SQLITE_DONE) return UnknownCursor(*after);
    if (rc != SQLITE_ROW) return Failed("list jobs");
    before = cursor.Int(0);
  }
  Statement s(conn_->db(), state ? "SELECT " PACTUM_JOB_COLUMNS " FROM jobs WHERE owner = ?1 AND seq < ?2 "
                                   "AND parent_id IS NULL AND state = ?4 ORDER BY seq DESC LIMIT ?3"
                                 : "SELECT " PACTUM_JOB_COLUMNS " FROM jobs WHERE owner = ?1 AND seq < ?2 "
                                   "AND parent_id IS NULL ORDER BY seq DESC LIMIT ?3");
  if (!s.ok()) return Failed("list jobs");
  s.Bind(1, owner);
  s.Bind(2, before);
  s.Bind(3, static_cast<std::int64_t>(limit));
  if (state) s.Bind(4, JobStateName(*state));
  std::optional<std::vector<Job>> jobs = Jobs(s);
  if (!jobs) return Failed("list jobs");
  return std::move(*jobs);
}

Result<std::optional<Job>> SqliteJobs::Cancel(std::string_view id) {
  Result<std::optional<Job>> job = Error::Internal("");
  {
    MutexLock lock(&conn_->mu);
    if (std::optional<Error> e = conn_->Begin(kSubject, "cancel the job")) return *e;
    job = conn_->End(MarkCancelled(id), kSubject, "cancel the job");
  }
  if (job.ok()) Announce();
  return job;
}

Result<std::optional<Job>> SqliteJobs::MarkCancelled(std::string_view id) {
  // The job and, when it is split, its parts; a part cancelled while it
  // was queued is final at once.
  Statement mark(conn_->db(),
                 "UPDATE jobs SET cancel_requested = 1, "
                 "state = CASE state WHEN 'queued' THEN 'cancelled' ELSE state END, "
                 "finished_at = CASE state WHEN 'queued' THEN ?2 ELSE finished_at END "
                 "WHERE (id = ?1 OR parent_id = ?1) AND state IN ('queued', 'running') "
                 "RETURNING parent_id IS NOT NULL AND state = 'cancelled'");
  Statement read(conn_->db(), "SELECT " PACTUM_JOB_COLUMNS " FROM jobs WHERE id = ?1");
  if (!mark.ok() || !read.ok()) return Failed("cancel the job");
  mark.Bind(1, id);
  mark.Bind(2, NowMs());
  int rc, parts_cancelled = 0;
  while ((rc = sqlite3_step(mark.get())) == SQLITE_ROW) parts_cancelled += static_cast<int>(mark.Int(0));
  if (rc != SQLITE_DONE) return Failed("cancel the job");
  bool woke = false;
  for (int i = 0; i < parts_cancelled; ++i) {
    if (std::optional<Error> e = PartFinal(std::string(id), &woke)) return *e;
  }
  read.Bind(1, id);
  return OneJob(read, "cancel the job");
}

std::optional<Error> SqliteJobs::PartFinal(const std::string& parent, bool* woke) {
  Statement s(conn_->db(),
              "UPDATE jobs SET parts_left = parts_left - 1, "
              "state = CASE WHEN parts_left = 1 THEN 'queued' ELSE state END, "
              "attempts = CASE WHEN parts_left = 1 THEN MAX(attempts - 1, 0) ELSE attempts END "
              "WHERE id = ?1 AND state = 'running' AND lease_token IS NULL AND parts_left > 0 "
              "RETURNING state = 'queued'");
  if (!s.ok()) return Failed("count the parts of a job");
  s.Bind(1, parent);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) {
    *woke = *woke || s.Int(0) != 0;
    if (sqlite3_step(s.get()) == SQLITE_DONE) return std::nullopt;
  } else if (rc == SQLITE_DONE) {
    return std::nullopt;
  }
  return Failed("count the parts of a job");
}

Result<std::optional<Claim>> SqliteJobs::ClaimNext(std::string_view replica, std::chrono::milliseconds lease) {
  // Read first (WAL: readers do not wait for a writer): an idle replica
  // never takes the write lock, and one that waits for a writer holding the
  // file does not hold the connection from the archive's requests.
  if (!WorkWaiting()) return std::optional<Claim>();
  Result<std::string> token = RandomHex128();
  if (!token.ok()) return token.error();
  bool requeued = false;
  Result<std::optional<Claim>> claim = Error::Internal("");
  {
    MutexLock lock(&conn_->mu);
    if (std::optional<Error> e = conn_->Begin(kSubject, "claim a job")) return *e;
    claim = conn_->End(Take(replica, lease, std::move(*token), &requeued), kSubject, "claim a job");
  }
  if (claim.ok() && requeued) Announce();
  return claim;
}

Result<std::optional<Claim>> SqliteJobs::Take(std::string_view replica, std::chrono::milliseconds lease,
                                              std::string token, bool* requeued) {
  const std::int64_t now = NowMs();
  static const std::string kRequeue =
      "UPDATE jobs SET "
      "state = CASE WHEN cancel_requested THEN 'cancelled' WHEN attempts >= max_attempts THEN 'failed' "
      "ELSE 'queued' END, "
      "finished_at = CASE WHEN cancel_requested OR attempts >= max_attempts THEN ?1 END, "
      "error_json = CASE WHEN cancel_requested THEN NULL WHEN attempts >= max_attempts THEN " +
      std::string(kInterruptedErrorSql) +
      " END, lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL "
      "WHERE state = 'running' AND lease_expires_at < ?1 RETURNING state = 'queued', "
      "CASE WHEN state <> 'queued' THEN parent_id END";
  Statement expired(conn_->db(), kRequeue.c_str());
  Statement take(conn_->db(),
                 "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_token = ?1, lease_owner = ?2, "
                 "lease_expires_at = ?3, started_at = COALESCE(started_at, ?4) "
                 "WHERE seq = (SELECT seq FROM jobs WHERE state = 'queued' ORDER BY (parent_id IS NULL), seq LIMIT 1) "
                 "RETURNING " PACTUM_JOB_COLUMNS);
  if (!expired.ok() || !take.ok()) return Failed("claim a job");
  expired.Bind(1, now);
  int rc;
  std::vector<std::string> parents;  // of parts that ended
  while ((rc = sqlite3_step(expired.get())) == SQLITE_ROW) {
    *requeued = *requeued || expired.Int(0) != 0;
    if (!expired.IsNull(1)) parents.push_back(expired.Column(1));
  }
  if (rc != SQLITE_DONE) return Failed("queue expired jobs again");
  for (const std::string& parent : parents) {
    if (std::optional<Error> e = PartFinal(parent, requeued)) return *e;
  }
  take.Bind(1, token);
  take.Bind(2, replica);
  take.Bind(3, now + lease.count());
  take.Bind(4, now);
  Result<std::optional<Job>> job = OneJob(take, "claim a job");
  if (!job.ok()) return job.error();
  if (!job->has_value()) return std::optional<Claim>();
  return std::optional<Claim>(Claim{std::move(**job), std::move(token)});
}

Result<std::optional<std::string>> SqliteJobs::Upload(std::string_view upload_id) {
  MutexLock lock(&conn_->mu);
  Statement s(conn_->db(), "SELECT bytes FROM uploads WHERE id = ?1");
  if (!s.ok()) return Failed("read an upload");
  s.Bind(1, upload_id);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Failed("read an upload");
  return std::optional<std::string>(s.Column(0));
}

Result<Heartbeat> SqliteJobs::Beat(const Claim& claim, std::chrono::milliseconds lease, int pages_done,
                                   int pages_total) {
  MutexLock lock(&conn_->mu);
  if (std::optional<Error> e = conn_->Begin(kSubject, "renew a lease")) return *e;
  return conn_->End(Renew(claim, lease, pages_done, pages_total), kSubject, "renew a lease");
}

Result<Heartbeat> SqliteJobs::Renew(const Claim& claim, std::chrono::milliseconds lease, int pages_done,
                                       int pages_total) {
  // A part's pages are its parent's too.
  Statement s(conn_->db(),
              "UPDATE jobs SET lease_expires_at = ?3, pages_done = ?4, pages_total = ?5 "
              "WHERE id = ?1 AND lease_token = ?2 AND state = 'running' RETURNING cancel_requested");
  Statement parent(conn_->db(),
                   "UPDATE jobs SET pages_done = (SELECT COALESCE(SUM(c.pages_done), 0) FROM jobs c "
                   "WHERE c.parent_id = ?1) WHERE id = ?1");
  if (!s.ok() || !parent.ok()) return Failed("renew a lease");
  s.Bind(1, claim.job.id);
  s.Bind(2, claim.token);
  s.Bind(3, NowMs() + lease.count());
  s.Bind(4, static_cast<std::int64_t>(pages_done));
  s.Bind(5, static_cast<std::int64_t>(pages_total));
  Heartbeat beat;
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) {
    beat.owned = false;
    return beat;
  }
  if (rc != SQLITE_ROW) return Failed("renew a lease");
  beat.cancel_requested = s.Int(0) != 0;
  if (sqlite3_step(s.get()) != SQLITE_DONE) return Failed("renew a lease");
  if (!claim.job.parent_id.empty()) {
    parent.Bind(1, claim.job.parent_id);
    if (sqlite3_step(parent.get()) != SQLITE_DONE) return Failed("renew a lease");
  }
  return beat;
}

Result<bool> SqliteJobs::Finish(const Claim& claim, JobState state, const std::optional<JobResult>& result,
                                const std::optional<std::string>& error_json) {
  if (std::optional<Error> e = CheckFinish(state, result)) return *e;
  bool woke = false;
  Result<bool> finished = false;
  {
    MutexLock lock(&conn_->mu);
    if (std::optional<Error> e = conn_->Begin(kSubject, "finish a job")) return *e;
    finished = conn_->End(End(claim, state, result, error_json, &woke), kSubject, "finish a job");
  }
  if (finished.ok() && woke) Announce();
  return finished;
}

Result<bool> SqliteJobs::End(const Claim& claim, JobState state, const std::optional<JobResult>& result,
                             const std::optional<std::string>& error_json, bool* woke) {
  Statement s(conn_->db(),
              "UPDATE jobs SET state = ?3, finished_at = ?4, lease_token = NULL, lease_owner = NULL, "
              "lease_expires_at = NULL, error_json = ?5, result_status = ?6, result_content_type = ?7, "
              "result_headers_json = ?8, result_body = ?9 "
              "WHERE id = ?1 AND lease_token = ?2 AND state = 'running'");
  // A split job's parts are read by now: they go with its answer.
  Statement parts(conn_->db(), "DELETE FROM jobs WHERE parent_id = ?1");
  if (!s.ok() || !parts.ok()) return Failed("finish a job");
  s.Bind(1, claim.job.id);
  s.Bind(2, claim.token);
  s.Bind(3, JobStateName(state));
  s.Bind(4, NowMs());
  if (error_json) s.Bind(5, *error_json); else s.BindNull(5);
  if (result) {
    s.Bind(6, static_cast<std::int64_t>(result->status));
    s.Bind(7, result->content_type);
    s.Bind(8, result->headers_json);
    s.BindBlob(9, result->body);
  }  // unbound parameters are NULL
  if (sqlite3_step(s.get()) != SQLITE_DONE) return Failed("finish a job");
  if (sqlite3_changes(conn_->db()) != 1) return false;
  if (!claim.job.parent_id.empty()) {
    if (std::optional<Error> e = PartFinal(claim.job.parent_id, woke)) return *e;
  }
  if (claim.job.parts > 0) {
    parts.Bind(1, claim.job.id);
    if (sqlite3_step(parts.get()) != SQLITE_DONE) return Failed("finish a job");
  }
  return true;
}

Result<bool> SqliteJobs::Split(const Claim& claim, const std::vector<PageRange>& ranges) {
  if (std::optional<Error> e = CheckSplit(claim.job, ranges)) return *e;
  Result<bool> split = false;
  {
    MutexLock lock(&conn_->mu);
    if (std::optional<Error> e = conn_->Begin(kSubject, "split a job")) return *e;
    split = conn_->End(AddParts(claim, ranges), kSubject, "split a job");
  }
  if (split.ok() && *split) Announce();
  return split;
}

Result<bool> SqliteJobs::AddParts(const Claim& claim, const std::vector<PageRange>& ranges) {
  Statement wait(conn_->db(),
                 "UPDATE jobs SET lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, parts = ?3, "
                 "parts_left = ?3, pages_total = ?4, pages_done = 0 "
                 "WHERE id = ?1 AND lease_token = ?2 AND state = 'running' AND parent_id IS NULL");
  Statement part(conn_->db(),
                 "INSERT INTO jobs (id, op, params_json, owner, callback_url, upload_id, media_type, state, "
                 "max_attempts, created_at, parent_id, first_page, last_page, pages_total) "
                 "SELECT ?2, op, params_json, owner, '', upload_id, media_type, 'queued', max_attempts, ?3, id, ?4, "
                 "?5, ?5 - ?4 + 1 FROM jobs WHERE id = ?1");
  if (!wait.ok() || !part.ok()) return Failed("split a job");
  wait.Bind(1, claim.job.id);
  wait.Bind(2, claim.token);
  wait.Bind(3, static_cast<std::int64_t>(ranges.size()));
  wait.Bind(4, static_cast<std::int64_t>(ranges.back().last_page));
  if (sqlite3_step(wait.get()) != SQLITE_DONE) return Failed("split a job");
  if (sqlite3_changes(conn_->db()) != 1) return false;
  const std::int64_t now = NowMs();
  for (const PageRange& r : ranges) {
    Result<std::string> id = RandomHex128();
    if (!id.ok()) return id.error();
    sqlite3_reset(part.get());
    part.Bind(1, claim.job.id);
    part.Bind(2, *id);
    part.Bind(3, now);
    part.Bind(4, static_cast<std::int64_t>(r.first_page));
    part.Bind(5, static_cast<std::int64_t>(r.last_page));
    if (sqlite3_step(part.get()) != SQLITE_DONE) return Failed("split a job");
  }
  return true;
}

Result<std::vector<Job>> SqliteJobs::Parts(std::string_view id) {
  MutexLock lock(&conn_->mu);
  Statement s(conn_->db(), "SELECT " PACTUM_JOB_COLUMNS " FROM jobs WHERE parent_id = ?1 ORDER BY first_page");
  if (!s.ok()) return Failed("read the parts of a job");
  s.Bind(1, id);
  std::optional<std::vector<Job>> jobs = Jobs(s);
  if (!jobs) return Failed("read the parts of a job");
  return std::move(*jobs);
}

Result<bool> SqliteJobs::Release(const Claim& claim) {
  bool released = false;
  {
    MutexLock lock(&conn_->mu);
    Statement s(conn_->db(),
                "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), lease_token = NULL, "
                "lease_owner = NULL, lease_expires_at = NULL WHERE id = ?1 AND lease_token = ?2 AND state = 'running'");
    if (!s.ok()) return Failed("give a job back");
    s.Bind(1, claim.job.id);
    s.Bind(2, claim.token);
    if (sqlite3_step(s.get()) != SQLITE_DONE) return Failed("give a job back");
    released = sqlite3_changes(conn_->db()) == 1;
  }
  if (released) Announce();
  return released;
}

Result<std::optional<JobResult>> SqliteJobs::Answer(std::string_view id) {
  MutexLock lock(&conn_->mu);
  Statement s(conn_->db(),
              "SELECT result_status, result_content_type, result_headers_json, result_body FROM jobs "
              "WHERE id = ?1 AND result_status IS NOT NULL AND state IN ('succeeded', 'failed')");
  if (!s.ok()) return Failed("read a job's result");
  s.Bind(1, id);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<JobResult>();
  if (rc != SQLITE_ROW) return Failed("read a job's result");
  return std::optional<JobResult>(JobResult{static_cast<int>(s.Int(0)), s.Column(1), s.Column(3), s.Column(2)});
}

Result<int> SqliteJobs::Expire(std::chrono::milliseconds retention) {
  MutexLock lock(&conn_->mu);
  if (std::optional<Error> e = conn_->Begin(kSubject, "expire jobs")) return *e;
  return conn_->End(Delete(retention), kSubject, "expire jobs");
}

Result<int> SqliteJobs::Delete(std::chrono::milliseconds retention) {
  Statement jobs(conn_->db(),
                 "DELETE FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at <= ?1");
  Statement uploads(conn_->db(),
                    "DELETE FROM uploads WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.upload_id = uploads.id)");
  if (!jobs.ok() || !uploads.ok()) return Failed("expire jobs");
  jobs.Bind(1, NowMs() - retention.count());
  if (sqlite3_step(jobs.get()) != SQLITE_DONE) return Failed("expire jobs");
  const int deleted = sqlite3_changes(conn_->db());
  if (sqlite3_step(uploads.get()) != SQLITE_DONE) return Failed("delete unused uploads");
  return deleted;
}

bool SqliteJobs::WorkWaiting() {
  MutexLock lock(&conn_->mu);
  Statement s(conn_->db(),
              "SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'queued') OR "
              "EXISTS (SELECT 1 FROM jobs WHERE state = 'running' AND lease_expires_at < ?1)");
  if (!s.ok()) return false;
  s.Bind(1, NowMs());
  return sqlite3_step(s.get()) == SQLITE_ROW && s.Int(0) != 0;
}

void SqliteJobs::WaitForWork(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::uint64_t seen;
  {
    MutexLock lock(&wait_mu_);
    if (interrupted_) return;
    seen = announced_;
  }
  // A job queued before `seen` was read is found here; one queued after
  // changes announced_.
  if (WorkWaiting()) return;
  MutexLock lock(&wait_mu_);
  while (!interrupted_ && announced_ == seen) {
    if (!wait_cv_.WaitUntil(&wait_mu_, deadline)) break;
  }
}

void SqliteJobs::Announce() {
  {
    MutexLock lock(&wait_mu_);
    ++announced_;
  }
  wait_cv_.SignalAll();
}

void SqliteJobs::Interrupt() {
  {
    MutexLock lock(&wait_mu_);
    interrupted_ = true;
  }
  wait_cv_.SignalAll();
}

}  // namespace

bool UpgradeSqliteJobs(sqlite3* db, std::string* why) {
  // The message is taken before a statement is finalized, which clears it.
  auto failed = [&] {
    *why = sqlite3_errmsg(db);
    return false;
  };
  for (const char* column : kJobPartColumns) {
    const std::string_view def(column);
    const std::string name(def.substr(0, def.find(' ')));
    Statement has(db, "SELECT 1 FROM pragma_table_info('jobs') WHERE name = ?1");
    if (!has.ok()) return failed();
    has.Bind(1, name);
    const int rc = sqlite3_step(has.get());
    if (rc == SQLITE_ROW) continue;
    if (rc != SQLITE_DONE) return failed();
    const std::string sql = "ALTER TABLE jobs ADD COLUMN " + std::string(def);
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return failed();
  }
  return sqlite3_exec(db, kJobPartIndexes, nullptr, nullptr, nullptr) == SQLITE_OK || failed();
}

std::unique_ptr<JobStore> MakeSqliteJobs(SqliteConnection* conn) { return std::make_unique<SqliteJobs>(conn); }

}  // namespace pactum::store
