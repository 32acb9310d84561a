// The job queue of the service (/v1/jobs), kept in the archive's database so
// that jobs and their results survive a restart and any number of
// `pactum serve` replicas sharing one PostgreSQL database share the queue.
//
// A job is submitted with its upload (kept once per distinct content, by
// SHA-256, however many jobs or attempts read it), claimed by one replica
// under a lease that the replica renews with heartbeats, and finished with
// the HTTP answer the synchronous endpoint would have given. A replica that
// dies stops renewing: once its lease has expired the job is queued again
// (or failed, after `max_attempts` claims). Every claim carries a token;
// heartbeats and Finish() are accepted only with the job's current token,
// so a job is never finished twice, whatever replica wakes up late.
//
// Claims take the oldest queued job: on PostgreSQL with SELECT ... FOR
// UPDATE SKIP LOCKED (claimants never wait for each other), on SQLite in
// an immediate transaction. Durations are measured by the database's clock
// (PostgreSQL's now()), so replicas' clocks need not agree; on SQLite,
// whose processes share one machine, by the system clock.
//
// Tables (both back ends): jobs (one row per job, its result included) and
// uploads (id = SHA-256 hex of the bytes). They are created on open, also
// in an archive that has only documents and originals.
//
// Every method may be called from many threads at once. Failures of the
// database are Errors with code kOverloaded; nothing was half written.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/models/status.h"

namespace pactum::store {

enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };

// "queued", "running", "succeeded", "failed", "cancelled".
std::string_view JobStateName(JobState state);
std::optional<JobState> ParseJobState(std::string_view name);
// Succeeded, failed or cancelled: the job will not change any more.
bool IsFinal(JobState state);

// What a client submits.
struct NewJob {
  std::string op;           // "extract", "verify" or "sign"
  std::string params_json;  // the operation's parameters (a JSON object), as the service wrote them
  std::string owner;        // the API key's label ("" without keys); only the owner sees the job
  std::string callback_url;  // "" for none
  std::string upload;       // the document's bytes
  std::string media_type;   // of the upload, e.g. "application/pdf"
  int max_attempts = 3;     // claims before a job whose replicas keep dying is failed
};

// The answer the synchronous endpoint would have given.
struct JobResult {
  int status = 200;
  std::string content_type;  // e.g. "application/json"
  std::string body;
  std::string headers_json = "{}";  // further headers (a JSON object of strings), e.g. Content-Disposition
};

// A job as stored. Times are milliseconds since the Unix epoch (UTC).
struct Job {
  std::string id;  // 32 lowercase hex digits, random
  std::string op;
  std::string params_json;
  std::string owner;
  std::string callback_url;
  std::string upload_id;  // the SHA-256 (hex) of the upload
  std::string media_type;
  JobState state = JobState::kQueued;
  int attempts = 0;  // claims so far
  int max_attempts = 3;
  int pages_total = 0;  // 0 until known
  int pages_done = 0;
  bool cancel_requested = false;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> started_at;   // first claimed
  std::optional<std::int64_t> finished_at;  // reached a final state
  std::optional<std::string> error_json;    // failed/cancelled: {"code": ..., "message": ...}
  bool has_result = false;                  // Answer() has one
  // A part of a split job (Split()): its parent's id, and the pages it
  // reads (1-based, inclusive). "" and 0 for every other job.
  std::string parent_id;
  int first_page = 0;
  int last_page = 0;
  // A split job: how many parts it has (0: not split). Claimed again once
  // every part is final, to join them.
  int parts = 0;
};

// The pages of one part of a split job, 1-based and inclusive.
struct PageRange {
  int first_page = 0;
  int last_page = 0;
};

// A claimed job and the token that proves the claim.
struct Claim {
  Job job;
  std::string token;
};

// What a heartbeat learns.
struct Heartbeat {
  bool owned = true;             // false: the lease was lost (expired and taken); stop, finish nothing
  bool cancel_requested = false;  // the client cancelled: stop and finish as cancelled
};

class JobStore {
 public:
  virtual ~JobStore() = default;

  // Queues a job; the new job (state queued), announced to every
  // WaitForWork(). kBadRequest when op is not a lowercase word
  // ([a-z0-9_-], 1 to 64 characters), params_json not a JSON object, or
  // max_attempts outside 1..100; kOverloaded when the database fails.
  virtual Result<Job> Submit(const NewJob& job) = 0;

  // The job, or nullopt when there is none with that id.
  virtual Result<std::optional<Job>> Get(std::string_view id) = 0;

  // `owner`'s jobs (not the parts of split jobs), newest first, at most
  // `limit` (1..100), optionally only those in `state`, continuing after the job with id `after` (a cursor of
  // an earlier page: the last job's id) when set. kBadRequest when `limit`
  // is outside 1..100 or `after` names no job of `owner` (any more: it may
  // have expired).
  virtual Result<std::vector<Job>> List(std::string_view owner, std::optional<JobState> state, int limit,
                                        std::optional<std::string> after) = 0;

  // Cancels: a queued job at once (state cancelled, finished, no
  // error_json); a running one is marked cancel_requested (its replica sees
  // it at the next heartbeat and finishes it as cancelled; if that replica
  // died, the job is cancelled when its lease expires instead of being
  // queued again). A final job is left as it is. The job after the change,
  // or nullopt when there is none.
  virtual Result<std::optional<Job>> Cancel(std::string_view id) = 0;

  // Takes the oldest queued part of a split job, else the oldest queued job
  // (in the order of submission) for `replica`
  // under a lease of `lease` from now: state running, attempts + 1, a new
  // token. Before that, jobs whose lease has expired are queued again (and
  // announced to WaitForWork()), failed ({"code":"internal", ...} naming the
  // attempts) once they had max_attempts claims, or cancelled when their
  // cancellation was requested. nullopt when nothing is queued. On
  // PostgreSQL the jobs this call queued again are only claimed by a later
  // call (the statement sees the queue as it was when it started).
  virtual Result<std::optional<Claim>> ClaimNext(std::string_view replica, std::chrono::milliseconds lease) = 0;

  // Splits a claimed job into parts, one job per range, in page order: the
  // same op, parameters, owner, upload and max_attempts, without callback,
  // each with parent_id and its pages. Parts are claimed ahead of every job
  // that is not a part, by any replica. The split job waits meanwhile:
  // running without a lease (it never expires), its pages_done the sum of
  // its parts' (pages_total the ranges' pages). Once the last part is final
  // (succeeded, failed or cancelled) the split job is queued again, without
  // this claim counting as an attempt, and claimed with parts > 0 to be
  // joined. Cancel() of a split job cancels its parts; Finish() of it deletes
  // them. Returns false (and changes nothing) when the claim is no longer
  // the job's current one. kBadRequest when `ranges` is empty or the job is
  // itself a part.
  virtual Result<bool> Split(const Claim& claim, const std::vector<PageRange>& ranges) = 0;

  // The parts of the split job `id`, in page order (none when it is not
  // split, or was finished).
  virtual Result<std::vector<Job>> Parts(std::string_view id) = 0;

  // The bytes of an upload, or nullopt when they are gone.
  virtual Result<std::optional<std::string>> Upload(std::string_view upload_id) = 0;

  // Renews the lease of a claimed job to `lease` from now and records its
  // progress (pages_total 0: unknown yet). Only while the claim is the
  // job's current one and the job runs (also after its lease expired, as
  // long as no claimant has queued it again); otherwise owned is false and
  // nothing changes.
  virtual Result<Heartbeat> Beat(const Claim& claim, std::chrono::milliseconds lease, int pages_done,
                                 int pages_total) = 0;

  // Finishes a claimed job: kSucceeded or kFailed with `result` (the
  // synchronous endpoint's answer; for kFailed its error body), or
  // kCancelled; `error_json` for kFailed and kCancelled. Returns false (and
  // changes nothing) when the claim is no longer the job's current one or
  // the job no longer runs, so a second Finish() of one claim is false.
  // kBadRequest when `state` is not final or kSucceeded comes without a
  // result.
  virtual Result<bool> Finish(const Claim& claim, JobState state, const std::optional<JobResult>& result,
                              const std::optional<std::string>& error_json) = 0;

  // Gives a claimed job back unfinished (its replica is shutting down): it
  // is queued again at once, for any replica, and this claim does not count
  // as an attempt. Returns false (and changes nothing) when the claim is no
  // longer the job's current one.
  virtual Result<bool> Release(const Claim& claim) = 0;

  // The answer of a finished job, or nullopt when there is none (not
  // finished, cancelled, expired or no such job).
  virtual Result<std::optional<JobResult>> Answer(std::string_view id) = 0;

  // Deletes jobs that reached a final state `retention` or longer ago,
  // with their results, and the uploads no job refers to any more (on
  // PostgreSQL it holds back Submit()s meanwhile, so that no new job
  // refers to an upload it deletes). The number of jobs deleted.
  virtual Result<int> Expire(std::chrono::milliseconds retention) = 0;

  // Waits until a job may have been queued (by any replica: PostgreSQL
  // LISTEN/NOTIFY; in-process on SQLite) or `timeout` passed. Spurious
  // wake-ups are allowed: the caller tries ClaimNext(). No announcement
  // is lost between a ClaimNext() that found nothing and this call:
  // on PostgreSQL a dedicated connection listens from the first call on,
  // and that first call (and the first after the listening connection was
  // lost) returns as soon as it listens; on SQLite the call returns at once
  // while a job is queued or a lease has expired.
  virtual void WaitForWork(std::chrono::milliseconds timeout) = 0;

  // Wakes every WaitForWork() of this process, and makes every later one
  // return at once (shutdown: a runner that checks its stop flag just
  // before waiting is not held up for a whole timeout). REQUIRES: no call
  // of this JobStore runs when the Store is destroyed.
  virtual void Interrupt() = 0;
};

}  // namespace pactum::store
