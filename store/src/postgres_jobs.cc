// The job queue in the archive's PostgreSQL database, shared by every
// replica that opens it. Each call is one statement (one transaction) on a
// connection of the archive's pool, except Expire(). Claims lock the oldest
// queued row with FOR UPDATE SKIP LOCKED; times are the database's now().
// Submit() and a re-queue announce work with NOTIFY pactum_jobs, which
// WaitForWork() hears on a connection of its own that LISTENs.
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>

#include "jobs_internal.h"
#include "pactum/models/digest.h"
#include "postgres_db.h"

namespace pactum::store {

const char kPostgresJobSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS uploads (
  id TEXT PRIMARY KEY,
  bytes BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  seq BIGSERIAL PRIMARY KEY,
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
  lease_expires_at TIMESTAMPTZ,
  pages_total INTEGER NOT NULL DEFAULT 0,
  pages_done INTEGER NOT NULL DEFAULT 0,
  cancel_requested BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  started_at TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  error_json TEXT,
  result_status INTEGER,
  result_content_type TEXT,
  result_headers_json TEXT,
  result_body BYTEA);
CREATE INDEX IF NOT EXISTS jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, seq);
CREATE INDEX IF NOT EXISTS jobs_upload ON jobs (upload_id);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS parent_id TEXT;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS first_page INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS last_page INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS parts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS parts_left INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS jobs_claim ON jobs ((parent_id IS NULL), seq) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS jobs_parts ON jobs (parent_id, first_page) WHERE parent_id IS NOT NULL;
DROP INDEX IF EXISTS jobs_queued;
)sql";

namespace {

constexpr std::string_view kSubject = "the job queue";

// The transaction-scoped advisory lock that Submit() holds shared and
// Expire() exclusively while it deletes unused uploads (the schema's lock
// is 7239017).
constexpr const char* kUploadsLock = "7239018";

// JobColumn order; integers and flags as int8 (binary results), times as
// milliseconds since the epoch.
#define PACTUM_MS(column) "floor(extract(epoch FROM " column ") * 1000)::int8"
#define PACTUM_JOB_COLUMNS                                                                                     \
  "id, op, params_json, owner, callback_url, upload_id, media_type, state, attempts::int8, max_attempts::int8, " \
  "pages_total::int8, pages_done::int8, cancel_requested::int::int8, " PACTUM_MS("created_at") ", "             \
  PACTUM_MS("started_at") ", " PACTUM_MS("finished_at") ", error_json, (result_status IS NOT NULL)::int::int8, " \
  "COALESCE(parent_id, '') AS parent, first_page::int8, last_page::int8, parts::int8"

// Row `row` of a result whose first columns are JobColumn, for ReadJob.
struct JobRow {
  const ResultPtr& r;
  int row;
  std::string Column(int i) const { return Value(r, row, i); }
  std::int64_t Int(int i) const { return Int64(r, row, i); }
  bool IsNull(int i) const { return PQgetisnull(r.get(), row, i) != 0; }
};

class PostgresJobs final : public JobStore {
 public:
  explicit PostgresJobs(ConnectionPool* pool) : pool_(pool), wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  ~PostgresJobs() override {
    if (listener_) PQfinish(listener_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

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
  using Lease = ConnectionPool::Lease;
  using Deadline = std::chrono::steady_clock::time_point;

  Error Failed(std::string_view what, PGconn* c) const { return pool_->Failed(kSubject, what, c); }
  // Runs `sql` with `p`; the jobs of its rows, or the failure to `what`.
  Result<std::vector<Job>> Jobs(const Params& p, const std::string& sql, std::string_view what);
  Result<std::optional<Job>> OneJob(const Params& p, const std::string& sql, std::string_view what);

  // Waits on the listening connection until a notification arrives (true),
  // `deadline` passes or Interrupt() is called (false). Opens the
  // connection and LISTENs first when there is none, and returns true once
  // it listens. Called by one thread at a time (polling_).
  bool Listen(Deadline deadline);
  // Waits for Interrupt() until `deadline`.
  void Pause(Deadline deadline) const;

  ConnectionPool* const pool_;
  const int wake_fd_;  // readable once Interrupt() was called

  Mutex wait_mu_;
  CondVar wait_cv_;
  std::uint64_t notifications_ PACTUM_GUARDED_BY(wait_mu_) = 0;
  bool interrupted_ PACTUM_GUARDED_BY(wait_mu_) = false;
  bool polling_ PACTUM_GUARDED_BY(wait_mu_) = false;  // a WaitForWork() uses listener_
  PGconn* listener_ = nullptr;  // only the polling thread uses it
};

int RemainingMs(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 24 * 3600 * 1000));
}

Result<std::vector<Job>> PostgresJobs::Jobs(const Params& p, const std::string& sql, std::string_view what) {
  Lease conn(pool_);
  const ResultPtr r = p.Exec(conn.get(), sql);
  if (!Succeeded(r)) return Failed(what, conn.get());
  std::vector<Job> jobs;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    JobRow row{r, i};
    jobs.push_back(ReadJob(row));
  }
  return jobs;
}

Result<std::optional<Job>> PostgresJobs::OneJob(const Params& p, const std::string& sql, std::string_view what) {
  Result<std::vector<Job>> jobs = Jobs(p, sql, what);
  if (!jobs.ok()) return jobs.error();
  if (jobs->empty()) return std::optional<Job>();
  return std::optional<Job>(std::move(jobs->front()));
}

Result<Job> PostgresJobs::Submit(const NewJob& job) {
  if (std::optional<Error> e = CheckNewJob(job)) return *e;
  Result<std::string> id = RandomHex128();
  if (!id.ok()) return id.error();
  Params p;
  p.Text(Sha256Hex(job.upload));
  p.Binary(job.upload);
  p.Text(*id);
  p.Text(job.op);
  p.Text(job.params_json);
  p.Text(job.owner);
  p.Text(job.callback_url);
  p.Text(job.media_type);
  p.Text(std::to_string(job.max_attempts));
  // One statement: under the shared lock (Expire() deletes no upload
  // meanwhile) the upload is kept unless it is there, the job inserted and
  // announced (NOTIFY is delivered at commit).
  static const std::string kSql = std::string(R"sql(
WITH held AS (SELECT pg_advisory_xact_lock_shared()sql") + kUploadsLock + R"sql() AS locked),
upload AS (INSERT INTO uploads (id, bytes) SELECT $1::text, $2::bytea FROM held ON CONFLICT (id) DO NOTHING),
announce AS (SELECT pg_notify('pactum_jobs', '') AS sent FROM held)
INSERT INTO jobs (id, op, params_json, owner, callback_url, upload_id, media_type, state, max_attempts)
SELECT $3, $4, $5, $6, $7, $1, $8, 'queued', $9::integer FROM held, announce
RETURNING )sql" PACTUM_JOB_COLUMNS;
  Result<std::optional<Job>> queued = OneJob(p, kSql, "queue the job");
  if (!queued.ok()) return queued.error();
  if (!queued->has_value()) return Error::Overloaded("the job queue (" + pool_->Describe() + ") lost a new job");
  return std::move(**queued);
}

Result<std::optional<Job>> PostgresJobs::Get(std::string_view id) {
  Params p;
  p.Text(std::string(id));
  return OneJob(p, "SELECT " PACTUM_JOB_COLUMNS " FROM jobs WHERE id = $1", "read a job");
}

Result<std::vector<Job>> PostgresJobs::List(std::string_view owner, std::optional<JobState> state, int limit,
                                            std::optional<std::string> after) {
  if (std::optional<Error> e = CheckListLimit(limit)) return *e;
  std::int64_t before = INT64_MAX;
  if (after) {
    Params p;
    p.Text(*after);
    p.Text(std::string(owner));
    Lease conn(pool_);
    const ResultPtr r = p.Exec(conn.get(), "SELECT seq FROM jobs WHERE id = $1 AND owner = $2");
    if (!Succeeded(r)) return Failed("list jobs", conn.get());
    if (PQntuples(r.get()) == 0) return UnknownCursor(*after);
    before = Int64(r, 0, 0);
  }
  Params p;
  p.Text(std::string(owner));
  p.Text(std::to_string(before));
  p.Text(std::to_string(limit));
  std::string sql = "SELECT " PACTUM_JOB_COLUMNS " FROM jobs WHERE owner = $1 AND seq < $2::int8 AND parent_id IS NULL";
  if (state) {
    p.Text(std::string(JobStateName(*state)));
    sql += " AND state = $4";
  }
  sql += " ORDER BY seq DESC LIMIT $3::integer";
  return Jobs(p, sql, "list jobs");
}

Result<std::optional<Job>> PostgresJobs::Cancel(std::string_view id) {
  Params p;
  p.Text(std::string(id));
  // The job's parts first (a queued part is final at once; their rows are
  // locked one by one, so that a part claimed meanwhile is seen running),
  // then the job: a split job that waits for no other part is queued again
  // to be finished as cancelled. A job that was not changed (final, or
  // none) is read as it is.
  return OneJob(p, R"sql(
WITH parts AS (
  UPDATE jobs SET cancel_requested = true,
    state = CASE state WHEN 'queued' THEN 'cancelled' ELSE state END,
    finished_at = CASE state WHEN 'queued' THEN now() ELSE finished_at END
  WHERE parent_id = $1 AND state IN ('queued', 'running')
  RETURNING state),
ended AS (SELECT count(*)::integer AS n FROM parts WHERE state = 'cancelled'),
changed AS (
  UPDATE jobs SET cancel_requested = true,
    state = CASE WHEN state = 'queued' THEN 'cancelled'
                 WHEN lease_token IS NULL AND parts_left > 0 AND parts_left <= ended.n THEN 'queued'
                 ELSE state END,
    attempts = CASE WHEN state = 'running' AND lease_token IS NULL AND parts_left > 0 AND parts_left <= ended.n
                    THEN GREATEST(attempts - 1, 0) ELSE attempts END,
    parts_left = CASE WHEN lease_token IS NULL AND parts_left > 0 THEN GREATEST(parts_left - ended.n, 0)
                      ELSE parts_left END,
    finished_at = CASE state WHEN 'queued' THEN now() ELSE finished_at END
  FROM ended
  WHERE id = $1 AND jobs.state IN ('queued', 'running')
  RETURNING )sql" PACTUM_JOB_COLUMNS R"sql(),
announce AS (SELECT pg_notify('pactum_jobs', '') FROM changed WHERE state = 'queued')
SELECT changed.* FROM changed LEFT JOIN (SELECT count(*) FROM announce) a ON true
UNION ALL
SELECT )sql" PACTUM_JOB_COLUMNS R"sql( FROM jobs WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed))sql",
                "cancel the job");
}

Result<std::optional<Claim>> PostgresJobs::ClaimNext(std::string_view replica, std::chrono::milliseconds lease) {
  Result<std::string> token = RandomHex128();
  if (!token.ok()) return token.error();
  Params p;
  p.Text(*token);
  p.Text(std::string(replica));
  p.Text(std::to_string(lease.count()));
  // One statement: the expired leases that no other claimant holds are
  // ended first (queued again and announced, failed, or cancelled), then
  // the oldest queued job that no other claimant holds is taken. The
  // count of `requeued` makes the announcement run; the claim's columns
  // are NULL when nothing was queued.
  static const std::string kSql = std::string(R"sql(
WITH expired AS (
  UPDATE jobs SET
    state = CASE WHEN cancel_requested THEN 'cancelled' WHEN attempts >= max_attempts THEN 'failed'
                 ELSE 'queued' END,
    finished_at = CASE WHEN cancel_requested OR attempts >= max_attempts THEN now() END,
    error_json = CASE WHEN cancel_requested THEN NULL WHEN attempts >= max_attempts THEN )sql") +
                                  kInterruptedErrorSql + R"sql( END,
    lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
  WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at < now()
               FOR UPDATE SKIP LOCKED)
  RETURNING state, parent_id),
woken AS (
  UPDATE jobs w SET parts_left = GREATEST(w.parts_left - e.n, 0),
    state = CASE WHEN w.parts_left <= e.n THEN 'queued' ELSE w.state END,
    attempts = CASE WHEN w.parts_left <= e.n THEN GREATEST(w.attempts - 1, 0) ELSE w.attempts END
  FROM (SELECT parent_id, count(*)::integer AS n FROM expired WHERE state <> 'queued' AND parent_id IS NOT NULL
        GROUP BY parent_id) e
  WHERE w.id = e.parent_id AND w.state = 'running' AND w.lease_token IS NULL AND w.parts_left > 0
  RETURNING w.state),
requeued AS (
  SELECT pg_notify('pactum_jobs', '') AS sent
  FROM (SELECT state FROM expired UNION ALL SELECT state FROM woken) q WHERE state = 'queued' LIMIT 1),
claimed AS (
  UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_token = $1, lease_owner = $2,
    lease_expires_at = now() + $3::int8 * interval '1 millisecond', started_at = COALESCE(started_at, now())
  WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY (parent_id IS NULL), seq
              FOR UPDATE SKIP LOCKED LIMIT 1)
  RETURNING )sql" PACTUM_JOB_COLUMNS R"sql()
SELECT claimed.*, announced.n FROM (SELECT count(*) AS n FROM requeued) announced LEFT JOIN claimed ON true)sql";
  Lease conn(pool_);
  const ResultPtr r = p.Exec(conn.get(), kSql);
  if (!Succeeded(r) || PQntuples(r.get()) != 1) return Failed("claim a job", conn.get());
  if (PQgetisnull(r.get(), 0, kColId)) return std::optional<Claim>();
  JobRow row{r, 0};
  return std::optional<Claim>(Claim{ReadJob(row), std::move(*token)});
}

Result<std::optional<std::string>> PostgresJobs::Upload(std::string_view upload_id) {
  Params p;
  p.Text(std::string(upload_id));
  Lease conn(pool_);
  const ResultPtr r = p.Exec(conn.get(), "SELECT bytes FROM uploads WHERE id = $1");
  if (!Succeeded(r)) return Failed("read an upload", conn.get());
  if (PQntuples(r.get()) == 0) return std::optional<std::string>();
  return std::optional<std::string>(Value(r, 0, 0));
}

Result<Heartbeat> PostgresJobs::Beat(const Claim& claim, std::chrono::milliseconds lease, int pages_done,
                                     int pages_total) {
  Params p;
  p.Text(claim.job.id);
  p.Text(claim.token);
  p.Text(std::to_string(lease.count()));
  p.Text(std::to_string(pages_done));
  p.Text(std::to_string(pages_total));
  // A part adds the pages it read since its last beat to its parent's.
  static const std::string kJobSql =
      "UPDATE jobs SET lease_expires_at = now() + $3::int8 * interval '1 millisecond', "
      "pages_done = $4::integer, pages_total = $5::integer "
      "WHERE id = $1 AND lease_token = $2 AND state = 'running' "
      "RETURNING cancel_requested::int::int8";
  // (The sum reads the other parts as they were when the statement began:
  // a beat of another part at the same moment is counted at the next beat.)
  static const std::string kPartSql = R"sql(
WITH beat AS (
  UPDATE jobs SET lease_expires_at = now() + $3::int8 * interval '1 millisecond',
    pages_done = $4::integer, pages_total = $5::integer
  WHERE id = $1 AND lease_token = $2 AND state = 'running'
  RETURNING cancel_requested, parent_id),
parent AS (
  UPDATE jobs p SET pages_done = (SELECT COALESCE(sum(CASE WHEN c.id = $1 THEN $4::integer ELSE c.pages_done END), 0)
                                  FROM jobs c WHERE c.parent_id = p.id)
  FROM beat WHERE p.id = beat.parent_id)
SELECT cancel_requested::int::int8 FROM beat)sql";
  Lease conn(pool_);
  const ResultPtr r = p.Exec(conn.get(), claim.job.parent_id.empty() ? kJobSql : kPartSql);
  if (!Succeeded(r)) return Failed("renew a lease", conn.get());
  Heartbeat beat;
  beat.owned = PQntuples(r.get()) == 1;
  beat.cancel_requested = beat.owned && Int64(r, 0, 0) != 0;
  return beat;
}

Result<bool> PostgresJobs::Finish(const Claim& claim, JobState state, const std::optional<JobResult>& result,
                                  const std::optional<std::string>& error_json) {
  if (std::optional<Error> e = CheckFinish(state, result)) return *e;
  Params p;
  p.Text(claim.job.id);
  p.Text(claim.token);
  p.Text(std::string(JobStateName(state)));
  error_json ? p.Text(*error_json) : p.Null();
  if (result) {
    p.Text(std::to_string(result->status));
    p.Text(result->content_type);
    p.Text(result->headers_json);
    p.Binary(result->body);
  } else {
    for (int i = 0; i < 4; ++i) p.Null();
  }
  // A part's end counts down its parent's (the last queues it again to be
  // joined); a split job's parts go with its answer.
  static const std::string kSql = R"sql(
WITH finished AS (
  UPDATE jobs SET state = $3, finished_at = now(), lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL,
    error_json = $4, result_status = $5::integer, result_content_type = $6, result_headers_json = $7,
    result_body = $8::bytea
  WHERE id = $1 AND lease_token = $2 AND state = 'running'
  RETURNING id, parent_id),
woken AS (
  UPDATE jobs w SET parts_left = w.parts_left - 1,
    state = CASE WHEN w.parts_left = 1 THEN 'queued' ELSE w.state END,
    pages_done = (SELECT COALESCE(sum(c.pages_done), 0) FROM jobs c WHERE c.parent_id = w.id),
    attempts = CASE WHEN w.parts_left = 1 THEN GREATEST(w.attempts - 1, 0) ELSE w.attempts END
  FROM finished f
  WHERE w.id = f.parent_id AND w.state = 'running' AND w.lease_token IS NULL AND w.parts_left > 0
  RETURNING w.state),
announce AS (SELECT pg_notify('pactum_jobs', '') FROM woken WHERE state = 'queued'),
parts AS (DELETE FROM jobs WHERE parent_id IN (SELECT id FROM finished) RETURNING 1)
SELECT (SELECT count(*) FROM finished)::int8, (SELECT count(*) FROM announce)::int8,
       (SELECT count(*) FROM parts)::int8)sql";
  Lease conn(pool_);
  const ResultPtr r = p.Exec(conn.get(), kSql);
  if (!Succeeded(r) || PQntuples(r.get()) != 1) return Failed("finish a job", conn.get());
  return Int64(r, 0, 0) == 1;
}

Result<bool> PostgresJobs::Split(const Claim& claim, const std::vector<PageRange>& ranges) {
  if (std::optional<Error> e = CheckSplit(claim.job, ranges)) return *e;
  std::string ids = "{", firsts = "{", lasts = "{";
  for (const PageRange& range : ranges) {
    Result<std::string> id = RandomHex128();
    if (!id.ok()) return id.error();
    const std::string_view sep = ids.size() > 1 ? "," : "";
    ids.append(sep).append(*id);
    firsts.append(sep).append(std::to_string(range.first_page));
    lasts.append(sep).append(std::to_string(range.last_page));
  }
  Params p;
  p.Text(claim.job.id);
  p.Text(claim.token);
  p.Text(std::to_string(ranges.size()));
  p.Text(std::to_string(ranges.back().last_page));
  p.Text(ids + "}");
  p.Text(firsts + "}");
  p.Text(lasts + "}");
  static const std::string kSql = R"sql(
WITH waiting AS (
  UPDATE jobs SET lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, parts = $3::integer,
    parts_left = $3::integer, pages_total = $4::integer, pages_done = 0
  WHERE id = $1 AND lease_token = $2 AND state = 'running' AND parent_id IS NULL
  RETURNING id, op, params_json, owner, upload_id, media_type, max_attempts),
added AS (
  INSERT INTO jobs (id, op, params_json, owner, callback_url, upload_id, media_type, state, max_attempts, parent_id,
                    first_page, last_page, pages_total)
  SELECT r.id, w.op, w.params_json, w.owner, '', w.upload_id, w.media_type, 'queued', w.max_attempts, w.id,
         r.first_page, r.last_page, r.last_page - r.first_page + 1
  FROM waiting w, unnest($5::text[], $6::integer[], $7::integer[]) AS r(id, first_page, last_page)
  RETURNING 1),
announce AS (SELECT pg_notify('pactum_jobs', '') FROM waiting)
SELECT (SELECT count(*) FROM waiting)::int8, (SELECT count(*) FROM added)::int8,
       (SELECT count(*) FROM announce)::int8)sql";
  Lease conn(pool_);
  const ResultPtr r = p.Exec(conn.get(), kSql);
  if (!Succeeded(r) || PQntuples(r.get()) != 1) return Failed("split a job", conn.get());
  return Int64(r, 0, 0) == 1;
}

Result<std::vector<Job>> PostgresJobs::Parts(std::string_view id) {
  Params p;
  p.Text(std::string(id));
  return Jobs(p, "SELECT " PACTUM_JOB_COLUMNS " FROM jobs WHERE parent_id = $1 ORDER BY first_page",
              "read the parts of a job");
}

Result<bool> PostgresJobs::Release(const Claim& claim) {
  Params p;
  p.Text(claim.job.id);
  p.Text(claim.token);
  Lease conn(pool_);
  const ResultPtr r = p.Exec(conn.get(),
                             "WITH released AS (UPDATE jobs SET state = 'queued', attempts = GREATEST(attempts - 1, 0), "
                             "lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL "
                             "WHERE id = $1 AND lease_token = $2 AND state = 'running' RETURNING id) "
                             "SELECT pg_notify('pactum_jobs', '') FROM released");
  if (!Succeeded(r)) return Failed("give a job back", conn.get());
  return PQntuples(r.get()) == 1;
}

Result<std::optional<JobResult>> PostgresJobs::Answer(std::string_view id) {
  Params p;
  p.Text(std::string(id));
  Lease conn(pool_);
  const ResultPtr r = p.Exec(conn.get(),
                             "SELECT result_status::int8, result_content_type, result_headers_json, result_body "
                             "FROM jobs WHERE id = $1 AND result_status IS NOT NULL "
                             "AND state IN ('succeeded', 'failed')");
  if (!Succeeded(r)) return Failed("read a job's result", conn.get());
  if (PQntuples(r.get()) == 0) return std::optional<JobResult>();
  return std::optional<JobResult>(
      JobResult{static_cast<int>(Int64(r, 0, 0)), Value(r, 0, 1), Value(r, 0, 3), Value(r, 0, 2)});
}

Result<int> PostgresJobs::Expire(std::chrono::milliseconds retention) {
  Lease conn(pool_);
  // The exclusive lock waits for the Submit()s under way and holds back new
  // ones; the deletion of uploads (a statement after it, hence with a
  // snapshot taken after it) sees every job that refers to one.
  const std::string begin = std::string("BEGIN; SELECT pg_advisory_xact_lock(") + kUploadsLock + ")";
  if (!Succeeded(Exec(conn.get(), begin.c_str()))) {
    Error e = Failed("expire jobs", conn.get());
    Exec(conn.get(), "ROLLBACK");
    return e;
  }
  Params p;
  p.Text(std::to_string(retention.count()));
  const ResultPtr jobs = p.Exec(conn.get(), R"sql(
WITH gone AS (
  DELETE FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled')
    AND finished_at <= now() - $1::int8 * interval '1 millisecond'
  RETURNING 1)
SELECT count(*)::int8 FROM gone)sql");
  const bool ok = Succeeded(jobs) &&
                  Succeeded(Exec(conn.get(), "DELETE FROM uploads u WHERE NOT EXISTS "
                                             "(SELECT 1 FROM jobs j WHERE j.upload_id = u.id)")) &&
                  Succeeded(Exec(conn.get(), "COMMIT"));
  if (!ok) {
    Error e = Failed("expire jobs", conn.get());
    Exec(conn.get(), "ROLLBACK");
    return e;
  }
  return static_cast<int>(Int64(jobs, 0, 0));
}

void PostgresJobs::Pause(Deadline deadline) const {
  pollfd fd{wake_fd_, POLLIN, 0};
  ::poll(&fd, 1, RemainingMs(deadline));
}

bool PostgresJobs::Listen(Deadline deadline) {
  if (listener_ && PQstatus(listener_) != CONNECTION_OK) {
    PQfinish(listener_);
    listener_ = nullptr;
  }
  if (!listener_) {
    PGconn* c = Connect(pool_->conninfo());
    if (PQstatus(c) != CONNECTION_OK || !Succeeded(Exec(c, "LISTEN pactum_jobs"))) {
      PQfinish(c);
      Pause(deadline);  // unreachable: the caller's ClaimNext() will say so
      return false;
    }
    listener_ = c;
    return true;  // work announced before it listened went unheard
  }
  for (;;) {
    if (PQconsumeInput(listener_) == 0) return true;  // lost: reconnect on the next call
    bool heard = false;
    while (PGnotify* n = PQnotifies(listener_)) {
      heard = true;
      PQfreemem(n);
    }
    if (heard) return true;
    pollfd fds[2] = {{PQsocket(listener_), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, RemainingMs(deadline));
    if (ready == 0 || (fds[1].revents & POLLIN) != 0) return false;  // timed out or interrupted
    if (ready < 0 && errno != EINTR) return false;
  }
}

void PostgresJobs::WaitForWork(std::chrono::milliseconds timeout) {
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  wait_mu_.Lock();
  const std::uint64_t seen = notifications_;
  while (!interrupted_ && notifications_ == seen && std::chrono::steady_clock::now() < deadline) {
    if (polling_) {  // another waiter listens and tells the rest
      wait_cv_.WaitUntil(&wait_mu_, deadline);
      continue;
    }
    polling_ = true;
    wait_mu_.Unlock();
    const bool heard = Listen(deadline);
    wait_mu_.Lock();
    polling_ = false;
    if (heard) ++notifications_;
    wait_cv_.SignalAll();  // every waiter returns, or one takes over listening
  }
  wait_mu_.Unlock();
}

void PostgresJobs::Interrupt() {
  {
    MutexLock lock(&wait_mu_);
    interrupted_ = true;
  }
  const std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
    // The counter is full only after 2^64 - 2 writes; poll() sees it readable either way.
  }
  wait_cv_.SignalAll();
}

}  // namespace

std::unique_ptr<JobStore> MakePostgresJobs(ConnectionPool* pool) { return std::make_unique<PostgresJobs>(pool); }

}  // namespace pactum::store
