// JobQueue: a fixed set of worker threads fed by a bounded queue with two
// classes of jobs.
//
// Admission control for the service: a job is taken only while fewer than
// `workers + queue_capacity` jobs are running or waiting; otherwise TrySubmit
// refuses it at once and the caller answers 503 `overloaded`.
//
// Quick jobs (a signature check, a PDF with a text layer: milliseconds) are
// started before slow ones (OCR: seconds), so that a publication workflow
// checking a signature does not wait behind a clerk's batch of scans. Within
// a class the order is first come, first served, and a waiting slow job is
// passed over at most `kMaxSlowBypass` times in a row, so it cannot starve. (The connection
// thread pool of the HTTP library has an unbounded queue, so the bound lives
// here.) Jobs are plain callables; they report their own results and must
// not throw (an exception that escapes a job is swallowed so that the worker
// keeps serving).
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "pactum/models/mutex.h"

namespace pactum::service {

// What a job is expected to cost; only the order of waiting jobs depends on it.
enum class JobClass {
  kQuick,  // milliseconds to a second: verification, signing, text-layer PDFs
  kSlow,   // seconds and more: OCR of scans and images
};

class JobQueue {
 public:
  // Quick jobs started in a row while a slow job waits, at most.
  static constexpr int kMaxSlowBypass = 8;

  struct Stats {
    int workers = 0;         // worker threads
    int running = 0;         // jobs being run right now
    int queued = 0;          // admitted jobs waiting for a worker (both classes)
    int queued_slow = 0;     // of which slow
    int queue_capacity = 0;  // most jobs that may wait
  };

  // Starts `workers` threads. REQUIRES: workers >= 1, queue_capacity >= 0.
  JobQueue(int workers, int queue_capacity);
  // Shutdown().
  ~JobQueue();

  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // Admits `job` and returns true when a worker is idle or the waiting queue
  // has room; returns false (and never runs `job`) when full or shut down.
  bool TrySubmit(std::function<void()> job, JobClass job_class = JobClass::kQuick) PACTUM_EXCLUDES(mu_);

  // True when TrySubmit would admit a job right now (a hint: another thread
  // may take the room first).
  bool HasRoom() const PACTUM_EXCLUDES(mu_);

  Stats GetStats() const PACTUM_EXCLUDES(mu_);

  // Stops admitting jobs, runs the jobs already admitted (running and
  // queued) to their end and joins the workers. Idempotent.
  void Shutdown() PACTUM_EXCLUDES(mu_);

 private:
  void WorkerLoop() PACTUM_EXCLUDES(mu_);
  // The next job to start; REQUIRES: a job waiting.
  std::function<void()> TakeNext() PACTUM_REQUIRES(mu_);
  int QueuedLocked() const PACTUM_REQUIRES(mu_) { return static_cast<int>(quick_.size() + slow_.size()); }

  const int workers_;
  const int queue_capacity_;

  mutable Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> quick_ PACTUM_GUARDED_BY(mu_);
  std::deque<std::function<void()>> slow_ PACTUM_GUARDED_BY(mu_);
  int slow_bypassed_ PACTUM_GUARDED_BY(mu_) = 0;  // quick jobs started while slow ones waited
  int running_ PACTUM_GUARDED_BY(mu_) = 0;
  bool shutting_down_ PACTUM_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace pactum::service
