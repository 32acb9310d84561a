// JobQueue: a fixed set of worker threads fed by a bounded FIFO.
//
// Admission control for the service: a job is taken only while fewer than
// `workers + queue_capacity` jobs are running or waiting; otherwise TrySubmit
// refuses it at once and the caller answers 503 `overloaded`. (The connection
// thread pool of the HTTP library has an unbounded queue, so the bound lives
// here.) Jobs are plain callables; they report their own results and must
// not throw (an exception that escapes a job is swallowed so that the worker
// keeps serving).
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pactum::service {

class JobQueue {
 public:
  struct Stats {
    int workers = 0;         // worker threads
    int running = 0;         // jobs being run right now
    int queued = 0;          // admitted jobs waiting for a worker
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
  bool TrySubmit(std::function<void()> job);

  // True when TrySubmit would admit a job right now (a hint: another thread
  // may take the room first).
  bool HasRoom() const;

  Stats GetStats() const;

  // Stops admitting jobs, runs the jobs already admitted (running and
  // queued) to their end and joins the workers. Idempotent.
  void Shutdown();

 private:
  void WorkerLoop();

  const int workers_;
  const int queue_capacity_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mu_)
  int running_ = 0;                          // GUARDED_BY(mu_)
  bool shutting_down_ = false;               // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace pactum::service
