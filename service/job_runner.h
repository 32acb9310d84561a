// JobRunner: the replica's side of the job queue (POST /v1/jobs).
//
// `concurrency` threads claim queued jobs from the store (store/jobs.h),
// oldest first, wake on LISTEN/NOTIFY (PostgreSQL) or in-process (SQLite)
// and otherwise look again every `poll`. A claimed job runs through the same
// code as its synchronous endpoint (`execute`), in the same worker
// processes; its answer is kept as the job's result. One heartbeat thread
// renews the lease of every running job and records its progress; at a
// heartbeat the runner learns of a cancellation (the worker is stopped at
// once) or that the lease was lost (the job is dropped unfinished: another
// replica has it). Finished jobs past their retention are deleted by the
// same thread. A finished job's object is handed to `on_finished` (the
// callback to the client's URL).
//
// Stop() stops claiming and gives the running jobs back: their workers are
// stopped and the jobs are queued again at once, to be taken by another
// replica or after a restart.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "pactum/models/mutex.h"
#include "pactum/store/jobs.h"

namespace pactum::service {

// What the runner asks of one execution of a job.
struct JobHooks {
  // Pages done and in all, as they are read (called from any thread).
  std::function<void(int done, int total)> on_progress;
  // Polled while the job runs: true stops it (cancelled or lease lost).
  std::function<bool()> stop;
  // Splits the job into parts (store::JobStore::Split). True when it was
  // split: the job then waits for its parts, and this run leaves it
  // unfinished.
  std::function<Result<bool>(const std::vector<store::PageRange>& ranges)> split;
};

struct JobRunnerOptions {
  int concurrency = 1;  // jobs run at once by this replica
  std::string replica;  // names this replica in the leases and logs
  std::chrono::milliseconds lease{std::chrono::seconds(30)};
  std::chrono::milliseconds heartbeat{std::chrono::seconds(5)};  // < lease / 2
  std::chrono::milliseconds poll{std::chrono::seconds(5)};       // look for work at least this often
  std::chrono::milliseconds retention{std::chrono::hours(24 * 7)};
  // Runs a job (its upload in `bytes`) and writes what the synchronous
  // endpoint would have answered into `res`.
  std::function<void(const store::Job& job, std::string bytes, const JobHooks& hooks, httplib::Response* res)>
      execute;
  // Called with the job as it was finished (any thread).
  std::function<void(const store::Job& job)> on_finished;
};

class JobRunner {
 public:
  // `jobs` is not owned and must outlive the runner.
  JobRunner(store::JobStore* jobs, JobRunnerOptions options);
  ~JobRunner();  // Stop()
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void Start();
  // Stops claiming, stops the running jobs and queues them again, joins
  // every thread. Idempotent.
  void Stop();

  // Jobs running on this replica now (metrics).
  int Running() const;

 private:
  struct Active;
  void ClaimLoop();
  void Run(store::Claim claim);
  void HeartbeatLoop();
  void Beat(Active& a);

  store::JobStore* jobs_;
  const JobRunnerOptions options_;
  std::atomic<bool> stopping_{false};
  mutable Mutex mu_;
  CondVar cv_;  // stopping_, for the heartbeat thread
  std::vector<std::shared_ptr<Active>> active_ PACTUM_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
  std::thread heartbeat_;
};

// The JSON object of a job as the API serves it (GET /v1/jobs/{id}).
std::string JobJson(const store::Job& job);

}  // namespace pactum::service
