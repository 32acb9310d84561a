#include "pactum/service/job_queue.h"

#include <cassert>
#include <utility>

namespace pactum::service {

JobQueue::JobQueue(int workers, int queue_capacity) : workers_(workers), queue_capacity_(queue_capacity) {
  assert(workers >= 1);
  assert(queue_capacity >= 0);
  threads_.reserve(static_cast<size_t>(workers_));
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

JobQueue::~JobQueue() { Shutdown(); }

bool JobQueue::TrySubmit(std::function<void()> job, JobClass job_class) {
  {
    MutexLock lock(&mu_);
    if (shutting_down_) return false;
    if (running_ + QueuedLocked() >= workers_ + queue_capacity_) return false;
    (job_class == JobClass::kSlow ? slow_ : quick_).push_back(std::move(job));
  }
  cv_.Signal();
  return true;
}

bool JobQueue::HasRoom() const {
  MutexLock lock(&mu_);
  return !shutting_down_ && running_ + QueuedLocked() < workers_ + queue_capacity_;
}

JobQueue::Stats JobQueue::GetStats() const {
  MutexLock lock(&mu_);
  return {workers_, running_, QueuedLocked(), static_cast<int>(slow_.size()), queue_capacity_};
}

void JobQueue::Shutdown() {
  {
    MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  cv_.SignalAll();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::function<void()> JobQueue::TakeNext() {
  const bool quick_turn = !quick_.empty() && (slow_.empty() || slow_bypassed_ < kMaxSlowBypass);
  std::deque<std::function<void()>>& from = quick_turn ? quick_ : slow_;
  if (quick_turn && !slow_.empty()) ++slow_bypassed_;
  if (!quick_turn) slow_bypassed_ = 0;
  std::function<void()> job = std::move(from.front());
  from.pop_front();
  return job;
}

void JobQueue::WorkerLoop() {
  for (;;) {
    std::function<void()> job;
    {
      MutexLock lock(&mu_);
      while (!shutting_down_ && QueuedLocked() == 0) cv_.Wait(&mu_);
      if (QueuedLocked() == 0) return;  // shutting down and nothing left to run
      job = TakeNext();
      ++running_;
    }
    try {
      job();
    } catch (...) {
      // Jobs report their own failures; this only keeps the worker alive.
    }
    {
      MutexLock lock(&mu_);
      --running_;
    }
  }
}

}  // namespace pactum::service
