#include "rate_limit.h"

#include <algorithm>
#include <cmath>

namespace pactum::service {
namespace {

// Slack for floating-point refill arithmetic: a bucket this close to one
// token holds one (so that a retry at exactly now + retry_after succeeds).
constexpr double kTokenEpsilon = 1e-9;
// Longest retry_after reported (for absurdly small rates).
constexpr double kMaxRetryAfterSeconds = 24.0 * 3600.0;

double NormalizeRate(double rate) { return (std::isfinite(rate) && rate > 0) ? rate : 0.0; }
double NormalizeBurst(double burst) { return burst >= 1 ? burst : 1.0; }

}  // namespace

RateLimiter::RateLimiter(double requests_per_second, double burst, std::size_t max_keys)
    : rate_(NormalizeRate(requests_per_second)),
      burst_(NormalizeBurst(burst)),
      max_keys_(std::max<std::size_t>(max_keys, 1)) {}

double RateLimiter::TokensAt(const Bucket& b, std::chrono::steady_clock::time_point now) const {
  if (now <= b.last) return b.tokens;
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  return std::min(burst_, b.tokens + elapsed * rate_);
}

void RateLimiter::DropIdleBuckets(std::chrono::steady_clock::time_point now) {
  while (!lru_.empty() && TokensAt(lru_.back(), now) >= burst_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

bool RateLimiter::Allow(const std::string& key, std::chrono::steady_clock::time_point now,
                        std::chrono::milliseconds* retry_after) {
  if (unlimited()) {
    if (retry_after != nullptr) *retry_after = std::chrono::milliseconds(0);
    return true;
  }
  MutexLock lock(&mu_);
  DropIdleBuckets(now);
  Bucket* bucket;
  const auto it = index_.find(key);
  if (it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);  // iterators stay valid
    bucket = &*it->second;
  } else {
    if (lru_.size() >= max_keys_) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
    lru_.push_front(Bucket{key, burst_, now});
    index_.emplace(lru_.front().key, lru_.begin());
    bucket = &lru_.front();
  }

  bucket->tokens = TokensAt(*bucket, now);
  bucket->last = std::max(bucket->last, now);
  if (bucket->tokens >= 1 - kTokenEpsilon) {
    bucket->tokens = std::max(0.0, bucket->tokens - 1);
    if (retry_after != nullptr) *retry_after = std::chrono::milliseconds(0);
    return true;
  }
  if (retry_after != nullptr) {
    // Half the epsilon is shaved off so that an exact wait is not rounded up
    // a whole millisecond by floating-point noise; the other half absorbs it.
    const double deficit = std::max(0.0, 1 - bucket->tokens - kTokenEpsilon / 2);
    const double seconds = std::min(deficit / rate_, kMaxRetryAfterSeconds);
    const auto ms = static_cast<std::chrono::milliseconds::rep>(std::ceil(seconds * 1000));
    *retry_after = std::chrono::milliseconds(std::max<std::chrono::milliseconds::rep>(ms, 1));
  }
  return false;
}

std::size_t RateLimiter::tracked_keys() const {
  MutexLock lock(&mu_);
  return lru_.size();
}

}  // namespace pactum::service
