// WorkerPool: the supervised, pre-started `pactum worker` processes of the
// service (the model is Apache Tika's forked mode).
//
// Each document runs in one worker process under a memory cap, a CPU cap
// and the request's deadline. When a worker dies on a document (crash,
// memory cap, CPU cap) or overruns the deadline (it is killed), that request
// alone fails and a fresh worker takes the slot; requests on other workers
// go on. A worker is also replaced after `max_documents` documents (slow
// leaks). Replacements are started by a supervisor thread, so the failed
// request is answered without waiting for them.
//
// Thread-safe. At most size() documents run at once; Run() blocks for a
// free worker beyond that (the job queue in front never asks for more).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pactum/models/mutex.h"
#include "pactum/models/status.h"
#include "worker_protocol.h"

namespace pactum::service {

// Why a worker process was replaced. kCancel: killed because its caller
// cancelled the document (a job).
enum class WorkerExit { kCrash, kTimeout, kMemory, kCpu, kRecycle, kCancel };

// "crash", "timeout", "memory", "cpu", "recycle", "cancel" (metrics label
// values).
const char* WorkerExitName(WorkerExit cause);

// Every WorkerExit, in declaration order.
inline constexpr WorkerExit kWorkerExits[] = {WorkerExit::kCrash, WorkerExit::kTimeout, WorkerExit::kMemory,
                                              WorkerExit::kCpu,   WorkerExit::kRecycle, WorkerExit::kCancel};

// What the caller of WorkerPool::Run may watch and stop; each part
// optional. Both are called on the thread that called Run().
struct RunControl {
  // Called with each progress message of the worker (kExtract: pages read
  // so far, page count), in order, pages_done rising, before Run returns.
  // Set, it makes the worker send them (WorkerRequest::progress). Must not
  // throw.
  std::function<void(int pages_done, int pages_total)> on_progress;
  // Polled at least every kCancelPoll while the document waits for a worker
  // and while it runs; once it returns true the worker is killed at once
  // (and replaced, cause kCancel) and Run returns Error::Cancelled().
  std::function<bool()> cancelled;
};

// The longest time between two polls of RunControl::cancelled.
inline constexpr std::chrono::milliseconds kCancelPoll{100};

struct WorkerPoolOptions {
  std::string binary;        // the pactum executable, started as `BINARY worker`
  int size = 1;              // worker processes
  int max_documents = 1000;  // a worker is replaced after this many documents; 0: never
  WorkerConfig config;
  // Extra time after a document's deadline for the worker's own timeout
  // answer to arrive before the worker is killed.
  std::chrono::milliseconds grace{500};
  // Called (from any thread) each time a worker is replaced.
  std::function<void(WorkerExit)> on_replace;
};

class WorkerPool {
 public:
  // Starts every worker and waits until each has loaded its configuration.
  // Fails (kInternal, or the configuration's own error such as a missing
  // key file) when one cannot start; none is left running then.
  static Result<std::unique_ptr<WorkerPool>> Start(WorkerPoolOptions options);

  // Shutdown().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `request` on `document` in a worker. The worker's reply, or: 422
  // when the worker crashed or hit its memory cap, 504 when it overran
  // `deadline` (+ grace; it is killed) or its CPU cap, 503 when no worker
  // could be started, Error::Cancelled() when `control` cancelled it. Each
  // call has its own deadline (a job's may be longer than a request's; its
  // CPU cap is WorkerRequest::cpu_seconds).
  WorkerReply Run(const WorkerRequest& request, const std::string& document, Deadline deadline,
                  const RunControl& control = {}) PACTUM_EXCLUDES(mu_);

  int size() const;
  // The CPU seconds a document may use by default (WorkerConfig::limits).
  int cpu_seconds() const { return options_.config.limits.cpu_seconds; }
  // Worker processes alive now (busy ones, and idle ones that have not
  // exited); what /readyz and the metrics report.
  int Alive() const PACTUM_EXCLUDES(mu_);
  // Process ids of the live workers (tests, soak figures).
  std::vector<pid_t> Pids() const PACTUM_EXCLUDES(mu_);

  // Closes every channel, waits briefly for the workers to exit, kills those
  // that do not. Run() calls must have returned. Idempotent.
  void Shutdown() PACTUM_EXCLUDES(mu_);

 private:
  struct Process;
  explicit WorkerPool(WorkerPoolOptions options);
  // Starts one worker and hands it its configuration.
  static Result<std::unique_ptr<Process>> Spawn(const WorkerPoolOptions& options);
  void SupervisorLoop() PACTUM_EXCLUDES(mu_);
  void ReplaceExitedIdleWorkers() PACTUM_REQUIRES(mu_);
  // One attempt of Run(); *lost_before_start when the worker it took was
  // gone before it read the request (the document is not at fault).
  WorkerReply RunOnce(const WorkerRequest& request, const std::string& document, Deadline deadline,
                      const RunControl& control, bool* lost_before_start);
  // The request/reply exchange with the busy worker `p`, which it hands
  // back (idle, or to be replaced) on every path.
  WorkerReply Exchange(std::unique_ptr<Process> p, const WorkerRequest& request, const std::string& document,
                       Deadline deadline, const RunControl& control, bool* lost_before_start);
  void Replace(std::unique_ptr<Process> old, WorkerExit cause) PACTUM_EXCLUDES(mu_);

  const WorkerPoolOptions options_;
  mutable Mutex mu_;
  CondVar idle_cv_;        // an idle worker was added
  CondVar supervisor_cv_;  // work for the supervisor
  std::vector<std::unique_ptr<Process>> idle_ PACTUM_GUARDED_BY(mu_);
  std::vector<pid_t> busy_pids_ PACTUM_GUARDED_BY(mu_);
  std::deque<std::unique_ptr<Process>> to_replace_ PACTUM_GUARDED_BY(mu_);
  int missing_ PACTUM_GUARDED_BY(mu_) = 0;  // slots without a process (start failed)
  bool shutting_down_ PACTUM_GUARDED_BY(mu_) = false;
  std::thread supervisor_;
};

}  // namespace pactum::service
