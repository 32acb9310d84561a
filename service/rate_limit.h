// RateLimiter: a token bucket per key (an API key's label, a client address).
//
// Each key has a bucket holding up to `burst` tokens, refilled continuously
// at `requests_per_second`; a request takes one token or is refused. A key
// seen for the first time starts with a full bucket. Refused requests take
// nothing.
//
// Memory is bounded: at most `max_keys` buckets are tracked. A bucket that
// has refilled to full says nothing a new bucket would not, so such buckets
// are dropped as they are found at the least recently used end. When
// `max_keys` keys are all active at once and another one arrives, the least
// recently used bucket is dropped even though it is not full: that key
// starts again with a full bucket (more distinct keys than max_keys within
// one refill period is the only way to gain requests).
//
// Time is passed in by the caller (steady_clock), so tests need no sleeps. A
// time point earlier than one already seen for a key counts as no time
// passing (threads may read the clock and call in different orders).
//
// Thread-safety: Allow and tracked_keys may be called from any thread; one
// mutex guards all buckets (each call does O(1) work, amortised).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pactum/models/mutex.h"

namespace pactum::service {

class RateLimiter {
 public:
  // Buckets tracked at most, unless the constructor is told otherwise.
  static constexpr std::size_t kDefaultMaxKeys = 10000;

  // `requests_per_second` <= 0 (or not finite) means unlimited: Allow always
  // says yes and nothing is tracked. `burst` below 1 (or NaN) is taken as 1:
  // a bucket must hold a whole request. `max_keys` 0 is taken as 1.
  RateLimiter(double requests_per_second, double burst, std::size_t max_keys = kDefaultMaxKeys);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes a token from `key`'s bucket at time `now` and returns true, or
  // returns false when the bucket holds less than one token. When
  // `retry_after` is not null it is set to 0 on success, and on refusal to
  // the time until the bucket holds one token again, rounded up to the
  // millisecond (at least 1 ms): a request at now + *retry_after succeeds if
  // nothing else took from the bucket in between.
  bool Allow(const std::string& key, std::chrono::steady_clock::time_point now,
             std::chrono::milliseconds* retry_after);

  // True when the limiter is unlimited (see the constructor).
  bool unlimited() const { return rate_ <= 0; }

  // Buckets tracked right now (<= max_keys; 0 when unlimited).
  std::size_t tracked_keys() const;

 private:
  struct Bucket {
    std::string key;
    double tokens = 0;
    std::chrono::steady_clock::time_point last;  // when `tokens` was computed
  };
  using Lru = std::list<Bucket>;  // most recently used first

  // Tokens in `b` at `now` (capped at burst_), without changing `b`.
  double TokensAt(const Bucket& b, std::chrono::steady_clock::time_point now) const;
  // Drops full buckets at the least recently used end. REQUIRES: mu_ held.
  void DropIdleBuckets(std::chrono::steady_clock::time_point now) PACTUM_REQUIRES(mu_);

  const double rate_;   // tokens per second; <= 0: unlimited
  const double burst_;  // bucket capacity, >= 1
  const std::size_t max_keys_;

  mutable Mutex mu_;
  Lru lru_ PACTUM_GUARDED_BY(mu_);
  std::unordered_map<std::string_view, Lru::iterator> index_ PACTUM_GUARDED_BY(mu_);  // views into lru_ keys
};

}  // namespace pactum::service
