// Metrics: what /metrics relies on from the registry wrapper: exposition
// lines for counters and histograms, callback gauges read at render time,
// exact totals under concurrent updates.
#include "metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace pactum::service {
namespace {

// The value of the sample line that starts with `series` followed by a
// space; NaN when there is none.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nan("");
}

TEST(MetricsTest, CountersRenderWithHelpTypeAndLabels) {
  Metrics m;
  CounterFamily& c = m.AddCounter("pactum_test_requests_total", "Requests answered");
  c.Add({{"route", "/v1/extract"}, {"status", "200"}}).Increment();
  c.Add({{"route", "/v1/extract"}, {"status", "200"}}).Increment(2);
  c.Add({{"route", "/v1/verify"}, {"status", "400"}});
  const std::string text = m.Render();
  EXPECT_NE(text.find("# HELP pactum_test_requests_total Requests answered\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE pactum_test_requests_total counter\n"), std::string::npos) << text;
  EXPECT_EQ(Sample(text, "pactum_test_requests_total{route=\"/v1/extract\",status=\"200\"}"), 3);
  EXPECT_EQ(Sample(text, "pactum_test_requests_total{route=\"/v1/verify\",status=\"400\"}"), 0);
}

TEST(MetricsTest, HistogramsHaveCumulativeBucketsSumAndCount) {
  Metrics m;
  HistogramFamily& h = m.AddHistogram("pactum_test_seconds", "Latency");
  for (double v : {0.003, 0.2, 0.2, 7.0, 500.0}) h.Add({{"route", "/x"}}, DefaultLatencyBuckets()).Observe(v);
  const std::string text = m.Render();
  EXPECT_EQ(Sample(text, "pactum_test_seconds_bucket{route=\"/x\",le=\"0.005\"}"), 1) << text;
  EXPECT_EQ(Sample(text, "pactum_test_seconds_bucket{route=\"/x\",le=\"0.25\"}"), 3) << text;
  EXPECT_EQ(Sample(text, "pactum_test_seconds_bucket{route=\"/x\",le=\"10\"}"), 4) << text;
  EXPECT_EQ(Sample(text, "pactum_test_seconds_bucket{route=\"/x\",le=\"120\"}"), 4) << text;
  EXPECT_EQ(Sample(text, "pactum_test_seconds_bucket{route=\"/x\",le=\"+Inf\"}"), 5) << text;
  EXPECT_EQ(Sample(text, "pactum_test_seconds_count{route=\"/x\"}"), 5) << text;
  EXPECT_NEAR(Sample(text, "pactum_test_seconds_sum{route=\"/x\"}"), 507.403, 1e-9) << text;
}

TEST(MetricsTest, CallbackGaugesAreReadAtEachRender) {
  Metrics m;
  std::atomic<int> depth = 3;
  m.AddGaugeCallback("pactum_test_queue_depth", "Waiting", [&] { return depth.load(); });
  EXPECT_EQ(Sample(m.Render(), "pactum_test_queue_depth"), 3);
  depth = 7;
  EXPECT_EQ(Sample(m.Render(), "pactum_test_queue_depth"), 7);
}

TEST(MetricsTest, DuplicateNamesAreRefused) {
  Metrics m;
  m.AddCounter("pactum_test_total", "x");
  EXPECT_ANY_THROW(m.AddCounter("pactum_test_total", "again"));
  EXPECT_ANY_THROW(m.AddCounter("not a name", "x"));
}

TEST(MetricsTest, ConcurrentUpdatesAddUpExactlyWhileRendering) {
  Metrics m;
  CounterFamily& c = m.AddCounter("pactum_test_concurrent_total", "x");
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) c.Add({{"thread", std::to_string(t % 2)}}).Increment();
    });
  }
  for (int i = 0; i < 20; ++i) m.Render();
  for (auto& t : threads) t.join();
  const std::string text = m.Render();
  EXPECT_EQ(Sample(text, "pactum_test_concurrent_total{thread=\"0\"}"), 40000);
  EXPECT_EQ(Sample(text, "pactum_test_concurrent_total{thread=\"1\"}"), 40000);
}

}  // namespace
}  // namespace pactum::service
