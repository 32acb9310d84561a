// RateLimiter: token buckets driven by explicit time points (no sleeps).
#include "rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace pactum::service {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const Clock::time_point kT0 = Clock::time_point(std::chrono::hours(1000));

// "<prefix><n>", built by appending (GCC 12 warns falsely on
// "literal" + std::to_string(n) at -O3, GCC bug 105329).
std::string Key(const char* prefix, int n) {
  std::string key(prefix);
  key.append(std::to_string(n));
  return key;
}

TEST(RateLimitTest, BurstThenRefusalWithRetryAfter) {
  RateLimiter limiter(2, 3);  // 2 requests/s, bursts of 3
  milliseconds retry(-1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.Allow("k", kT0, &retry)) << i;
    EXPECT_EQ(retry, milliseconds(0));
  }
  EXPECT_FALSE(limiter.Allow("k", kT0, &retry));
  EXPECT_EQ(retry, milliseconds(500));
  EXPECT_FALSE(limiter.Allow("k", kT0 + milliseconds(499), &retry));
  EXPECT_EQ(retry, milliseconds(1));
}

TEST(RateLimitTest, RefillsAtTheRateAndRetryAfterIsEnough) {
  RateLimiter limiter(2, 3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Allow("k", kT0, nullptr));
  milliseconds retry(0);
  EXPECT_FALSE(limiter.Allow("k", kT0 + milliseconds(200), &retry));
  EXPECT_EQ(retry, milliseconds(300));
  EXPECT_TRUE(limiter.Allow("k", kT0 + milliseconds(200) + retry, &retry));
  EXPECT_EQ(retry, milliseconds(0));
  EXPECT_FALSE(limiter.Allow("k", kT0 + milliseconds(500), &retry));
  EXPECT_EQ(retry, milliseconds(500));
  // One second later two more tokens are there, not three.
  EXPECT_TRUE(limiter.Allow("k", kT0 + milliseconds(1500), nullptr));
  EXPECT_TRUE(limiter.Allow("k", kT0 + milliseconds(1500), nullptr));
  EXPECT_FALSE(limiter.Allow("k", kT0 + milliseconds(1500), nullptr));
}

TEST(RateLimitTest, RetryAfterRoundsUpForRatesThatDoNotDivideEvenly) {
  RateLimiter limiter(3, 1);
  ASSERT_TRUE(limiter.Allow("k", kT0, nullptr));
  milliseconds retry(0);
  EXPECT_FALSE(limiter.Allow("k", kT0, &retry));
  EXPECT_EQ(retry, milliseconds(334));
  EXPECT_FALSE(limiter.Allow("k", kT0 + milliseconds(333), nullptr));
  EXPECT_TRUE(limiter.Allow("k", kT0 + milliseconds(334), nullptr));

  RateLimiter slow(0.1, 1);  // one request every 10 s
  ASSERT_TRUE(slow.Allow("k", kT0, nullptr));
  EXPECT_FALSE(slow.Allow("k", kT0 + milliseconds(2500), &retry));
  EXPECT_EQ(retry, milliseconds(7500));
  EXPECT_TRUE(slow.Allow("k", kT0 + milliseconds(10000), nullptr));
}

TEST(RateLimitTest, RefillIsCappedAtTheBurst) {
  RateLimiter limiter(10, 2);
  ASSERT_TRUE(limiter.Allow("k", kT0, nullptr));
  const auto later = kT0 + std::chrono::hours(1);
  EXPECT_TRUE(limiter.Allow("k", later, nullptr));
  EXPECT_TRUE(limiter.Allow("k", later, nullptr));
  EXPECT_FALSE(limiter.Allow("k", later, nullptr));
}

TEST(RateLimitTest, KeysAreIndependent) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.Allow("a", kT0, nullptr));
  EXPECT_FALSE(limiter.Allow("a", kT0, nullptr));
  EXPECT_TRUE(limiter.Allow("b", kT0, nullptr));
  EXPECT_FALSE(limiter.Allow("b", kT0, nullptr));
  EXPECT_FALSE(limiter.Allow("a", kT0 + milliseconds(500), nullptr));
  EXPECT_TRUE(limiter.Allow("c", kT0 + milliseconds(500), nullptr));
  EXPECT_EQ(limiter.tracked_keys(), 3u);
}

TEST(RateLimitTest, ZeroRateIsUnlimitedAndTracksNothing) {
  for (const double rate : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    RateLimiter limiter(rate, 1);
    EXPECT_TRUE(limiter.unlimited()) << rate;
    milliseconds retry(-1);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Allow(Key("k", i % 7), kT0, &retry));
    EXPECT_EQ(retry, milliseconds(0));
    EXPECT_EQ(limiter.tracked_keys(), 0u);
  }
}

TEST(RateLimitTest, BurstBelowOneIsOne) {
  for (const double burst : {0.0, 0.5, -3.0, std::nan("")}) {
    RateLimiter limiter(1, burst);
    EXPECT_FALSE(limiter.unlimited());
    EXPECT_TRUE(limiter.Allow("k", kT0, nullptr)) << burst;
    EXPECT_FALSE(limiter.Allow("k", kT0, nullptr)) << burst;
  }
}

TEST(RateLimitTest, ManyKeysStayWithinTheBound) {
  RateLimiter limiter(1, 5, /*max_keys=*/100);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(limiter.Allow(Key("random-", i), kT0, nullptr));
    ASSERT_LE(limiter.tracked_keys(), 100u);
  }
  EXPECT_EQ(limiter.tracked_keys(), 100u);
}

TEST(RateLimitTest, IdleFullBucketsAreDropped) {
  RateLimiter limiter(1, 2, /*max_keys=*/100);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(limiter.Allow(Key("k", i), kT0, nullptr));
  EXPECT_EQ(limiter.tracked_keys(), 50u);
  // One second refills every bucket to its burst of 2: nothing left to remember.
  EXPECT_TRUE(limiter.Allow("new", kT0 + std::chrono::seconds(1), nullptr));
  EXPECT_EQ(limiter.tracked_keys(), 1u);
}

TEST(RateLimitTest, TheLeastRecentlyUsedKeyIsEvictedFirst) {
  RateLimiter limiter(1, 1, /*max_keys=*/2);
  ASSERT_TRUE(limiter.Allow("hot", kT0, nullptr));
  ASSERT_TRUE(limiter.Allow("x", kT0, nullptr));
  EXPECT_FALSE(limiter.Allow("hot", kT0, nullptr));  // now the most recently used
  EXPECT_TRUE(limiter.Allow("y", kT0, nullptr));     // evicts "x", not "hot"
  EXPECT_EQ(limiter.tracked_keys(), 2u);
  EXPECT_FALSE(limiter.Allow("hot", kT0, nullptr));  // still limited
  EXPECT_TRUE(limiter.Allow("x", kT0, nullptr));     // forgotten: a fresh bucket
}

TEST(RateLimitTest, TimeGoingBackwardsGivesNothing) {
  RateLimiter limiter(1, 1);
  ASSERT_TRUE(limiter.Allow("k", kT0, nullptr));
  milliseconds retry(0);
  EXPECT_FALSE(limiter.Allow("k", kT0 - std::chrono::seconds(5), &retry));
  EXPECT_EQ(retry, milliseconds(1000));
  EXPECT_FALSE(limiter.Allow("k", kT0 + milliseconds(999), nullptr));
  EXPECT_TRUE(limiter.Allow("k", kT0 + milliseconds(1000), nullptr));
}

TEST(RateLimitTest, ConcurrentCallersShareOneBurstExactly) {
  constexpr int kBurst = 1000;
  RateLimiter limiter(1, kBurst);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.Allow("shared", kT0, nullptr)) allowed.fetch_add(1);
        limiter.Allow(Key("own-", t), kT0, nullptr);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), kBurst);
  EXPECT_EQ(limiter.tracked_keys(), 9u);
}

}  // namespace
}  // namespace pactum::service
