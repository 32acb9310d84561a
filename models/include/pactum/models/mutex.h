// Mutex, MutexLock and CondVar: a std::mutex whose users clang's thread
// safety analysis can check (-Wthread-safety): state names the mutex that
// guards it (PACTUM_GUARDED_BY), functions the mutexes they need
// (PACTUM_REQUIRES) or must not hold (PACTUM_EXCLUDES). libstdc++'s own
// mutex carries no such annotations. With other compilers the annotations
// are empty and these are thin wrappers.
//
// Waiting on a condition is written as a loop in the locked scope
//   while (!ready_) cv_.Wait(&mu_);
// so that the analysis sees every read of guarded state under the lock
// (a predicate lambda would be analysed as a function of its own).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define PACTUM_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define PACTUM_THREAD_ANNOTATION(x)
#endif

#define PACTUM_CAPABILITY(x) PACTUM_THREAD_ANNOTATION(capability(x))
#define PACTUM_SCOPED_CAPABILITY PACTUM_THREAD_ANNOTATION(scoped_lockable)
#define PACTUM_GUARDED_BY(x) PACTUM_THREAD_ANNOTATION(guarded_by(x))
#define PACTUM_PT_GUARDED_BY(x) PACTUM_THREAD_ANNOTATION(pt_guarded_by(x))
#define PACTUM_REQUIRES(...) PACTUM_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define PACTUM_ACQUIRE(...) PACTUM_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define PACTUM_RELEASE(...) PACTUM_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define PACTUM_EXCLUDES(...) PACTUM_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define PACTUM_NO_THREAD_SAFETY_ANALYSIS PACTUM_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace pactum {

class PACTUM_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() PACTUM_ACQUIRE() { mu_.lock(); }
  void Unlock() PACTUM_RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` for its scope.
class PACTUM_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) PACTUM_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() PACTUM_RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable used with a Mutex the caller holds.
class CondVar {
 public:
  // Releases `mu` while waiting, holds it again on return (also on a
  // spurious wake-up: callers loop on their condition).
  void Wait(Mutex* mu) PACTUM_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // As Wait, until `deadline`; false when the deadline passed.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex* mu, std::chrono::time_point<Clock, Duration> deadline) PACTUM_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace pactum
