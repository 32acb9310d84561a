// Metrics: the exact text exposition format 0.0.4, escaping, contract
// violations, and exact totals under concurrent updates.
#include "metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace pactum::service {
namespace {

TEST(MetricsTest, EmptyRegistryRendersNothing) {
  Metrics m;
  EXPECT_EQ(m.Render(), "");
}

TEST(MetricsTest, UnlabelledCounterStartsAtZero) {
  Metrics m;
  CounterFamily* c = m.AddCounter("pactum_documents_total", "Documents processed.");
  EXPECT_EQ(m.Render(),
            "# HELP pactum_documents_total Documents processed.\n"
            "# TYPE pactum_documents_total counter\n"
            "pactum_documents_total 0\n");
  c->Inc({});
  c->Inc({}, 2.5);
  EXPECT_EQ(c->Value({}), 3.5);
  EXPECT_EQ(m.Render(),
            "# HELP pactum_documents_total Documents processed.\n"
            "# TYPE pactum_documents_total counter\n"
            "pactum_documents_total 3.5\n");
}

TEST(MetricsTest, LabelledCounterSeriesAreSortedByLabelValues) {
  Metrics m;
  CounterFamily* c = m.AddCounter("http_requests_total", "Requests.", {"route", "code"});
  EXPECT_EQ(m.Render(),
            "# HELP http_requests_total Requests.\n"
            "# TYPE http_requests_total counter\n");
  c->Inc({"/v1/verify", "200"});
  c->Inc({"/v1/extract", "415"});
  c->Inc({"/v1/extract", "200"}, 3);
  c->Inc({"/v1/extract", "200"});
  EXPECT_EQ(m.Render(),
            "# HELP http_requests_total Requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{route=\"/v1/extract\",code=\"200\"} 4\n"
            "http_requests_total{route=\"/v1/extract\",code=\"415\"} 1\n"
            "http_requests_total{route=\"/v1/verify\",code=\"200\"} 1\n");
  EXPECT_EQ(c->Value({"/v1/extract", "200"}), 4);
  EXPECT_EQ(c->Value({"/v1/sign", "200"}), 0);
}

TEST(MetricsTest, FamiliesAreSortedByNameWhateverTheOrderOfDeclaration) {
  Metrics m;
  m.AddGauge("zeta", "Z.");
  m.AddCounter("alpha_total", "A.");
  m.AddGauge("mid", "M.");
  EXPECT_EQ(m.Render(),
            "# HELP alpha_total A.\n"
            "# TYPE alpha_total counter\n"
            "alpha_total 0\n"
            "# HELP mid M.\n"
            "# TYPE mid gauge\n"
            "mid 0\n"
            "# HELP zeta Z.\n"
            "# TYPE zeta gauge\n"
            "zeta 0\n");
  EXPECT_EQ(m.Render(), m.Render());
}

TEST(MetricsTest, GaugeSetAddAndSpecialValues) {
  Metrics m;
  GaugeFamily* g = m.AddGauge("temperature", "T.", {"where"});
  g->Set({"a"}, 1.25);
  g->Add({"a"}, -3);
  g->Add({"b"}, 1e21);
  g->Set({"c"}, std::numeric_limits<double>::infinity());
  g->Set({"d"}, -std::numeric_limits<double>::infinity());
  g->Set({"e"}, std::nan(""));
  g->Set({"f"}, 0.1);
  g->Set({"g"}, 1234567);
  g->Set({"h"}, 1e5);
  g->Set({"i"}, -0.0);
  g->Set({"j"}, 1e-7);
  EXPECT_EQ(g->Value({"a"}), -1.75);
  EXPECT_EQ(m.Render(),
            "# HELP temperature T.\n"
            "# TYPE temperature gauge\n"
            "temperature{where=\"a\"} -1.75\n"
            "temperature{where=\"b\"} 1e+21\n"
            "temperature{where=\"c\"} +Inf\n"
            "temperature{where=\"d\"} -Inf\n"
            "temperature{where=\"e\"} NaN\n"
            "temperature{where=\"f\"} 0.1\n"
            "temperature{where=\"g\"} 1234567\n"
            "temperature{where=\"h\"} 100000\n"
            "temperature{where=\"i\"} -0\n"
            "temperature{where=\"j\"} 1e-07\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Metrics m;
  HistogramFamily* h = m.AddHistogram("job_seconds", "Job time.", {}, {0.5, 1, 2});
  EXPECT_EQ(m.Render(),
            "# HELP job_seconds Job time.\n"
            "# TYPE job_seconds histogram\n"
            "job_seconds_bucket{le=\"0.5\"} 0\n"
            "job_seconds_bucket{le=\"1\"} 0\n"
            "job_seconds_bucket{le=\"2\"} 0\n"
            "job_seconds_bucket{le=\"+Inf\"} 0\n"
            "job_seconds_sum 0\n"
            "job_seconds_count 0\n");
  h->Observe({}, 0.25);
  h->Observe({}, 0.5);  // a bound is inclusive: le means <=
  h->Observe({}, 0.75);
  h->Observe({}, 4);
  EXPECT_EQ(m.Render(),
            "# HELP job_seconds Job time.\n"
            "# TYPE job_seconds histogram\n"
            "job_seconds_bucket{le=\"0.5\"} 2\n"
            "job_seconds_bucket{le=\"1\"} 3\n"
            "job_seconds_bucket{le=\"2\"} 3\n"
            "job_seconds_bucket{le=\"+Inf\"} 4\n"
            "job_seconds_sum 5.5\n"
            "job_seconds_count 4\n");
}

TEST(MetricsTest, LabelledHistogramPutsLeLast) {
  Metrics m;
  HistogramFamily* h = m.AddHistogram("req_seconds", "R.", {"route"}, {0.005, 0.25});
  h->Observe({"/b"}, 0.125);
  h->Observe({"/a"}, 1);
  EXPECT_EQ(m.Render(),
            "# HELP req_seconds R.\n"
            "# TYPE req_seconds histogram\n"
            "req_seconds_bucket{route=\"/a\",le=\"0.005\"} 0\n"
            "req_seconds_bucket{route=\"/a\",le=\"0.25\"} 0\n"
            "req_seconds_bucket{route=\"/a\",le=\"+Inf\"} 1\n"
            "req_seconds_sum{route=\"/a\"} 1\n"
            "req_seconds_count{route=\"/a\"} 1\n"
            "req_seconds_bucket{route=\"/b\",le=\"0.005\"} 0\n"
            "req_seconds_bucket{route=\"/b\",le=\"0.25\"} 1\n"
            "req_seconds_bucket{route=\"/b\",le=\"+Inf\"} 1\n"
            "req_seconds_sum{route=\"/b\"} 0.125\n"
            "req_seconds_count{route=\"/b\"} 1\n");
}

TEST(MetricsTest, HistogramWithoutBucketsHasOnlyInf) {
  Metrics m;
  HistogramFamily* h = m.AddHistogram("h", "H.", {}, {});
  h->Observe({}, 2);
  EXPECT_EQ(m.Render(),
            "# HELP h H.\n"
            "# TYPE h histogram\n"
            "h_bucket{le=\"+Inf\"} 1\n"
            "h_sum 2\n"
            "h_count 1\n");
}

TEST(MetricsTest, NanObservationCountsInInfOnly) {
  Metrics m;
  HistogramFamily* h = m.AddHistogram("h", "H.", {}, {1});
  h->Observe({}, std::nan(""));
  EXPECT_EQ(m.Render(),
            "# HELP h H.\n"
            "# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 0\n"
            "h_bucket{le=\"+Inf\"} 1\n"
            "h_sum NaN\n"
            "h_count 1\n");
}

TEST(MetricsTest, DefaultLatencyBucketsSpanFiveMillisecondsToTwoMinutes) {
  const std::vector<double> b = DefaultLatencyBuckets();
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.front(), 0.005);
  EXPECT_EQ(b.back(), 120);
  for (std::size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
  Metrics m;
  EXPECT_NO_THROW(m.AddHistogram("latency_seconds", "L.", {"route"}, DefaultLatencyBuckets()));
  EXPECT_NE(m.Render().find("# TYPE latency_seconds histogram\n"), std::string::npos);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Metrics m;
  CounterFamily* c = m.AddCounter("c_total", "C.", {"v"});
  c->Inc({"back\\slash \"quoted\"\nnext line"});
  c->Inc({""});
  c->Inc({"utf-8: \xc3\xa4"});
  EXPECT_EQ(m.Render(),
            "# HELP c_total C.\n"
            "# TYPE c_total counter\n"
            "c_total{v=\"\"} 1\n"
            "c_total{v=\"back\\\\slash \\\"quoted\\\"\\nnext line\"} 1\n"
            "c_total{v=\"utf-8: \xc3\xa4\"} 1\n");
}

TEST(MetricsTest, HelpEscapesBackslashAndNewlineButNotQuotes) {
  Metrics m;
  m.AddGauge("g", "a \\ b\n\"c\"");
  EXPECT_EQ(m.Render(),
            "# HELP g a \\\\ b\\n\"c\"\n"
            "# TYPE g gauge\n"
            "g 0\n");
}

TEST(MetricsTest, GaugeCallbackIsReadAtRenderTime) {
  Metrics m;
  double depth = 3;
  m.AddGaugeCallback("queue_depth", "Jobs waiting.", [&depth] { return depth; });
  EXPECT_EQ(m.Render(),
            "# HELP queue_depth Jobs waiting.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 3\n");
  depth = 7;
  EXPECT_EQ(m.Render(),
            "# HELP queue_depth Jobs waiting.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 7\n");
}

TEST(MetricsTest, GaugeCallbackMayReadTheRegistry) {
  Metrics m;
  CounterFamily* c = m.AddCounter("a_total", "A.");
  c->Inc({}, 5);
  bool declared = false;
  m.AddGaugeCallback("b", "B.", [&m, &declared, c] {
    if (!declared) {  // takes the registry's lock: not held while rendering
      m.AddGauge("c", "Declared by a callback.");
      declared = true;
    }
    return c->Value({}) * 2;
  });
  EXPECT_NE(m.Render().find("\nb 10\n"), std::string::npos);
  EXPECT_NE(m.Render().find("\nc 0\n"), std::string::npos);
}

TEST(MetricsTest, ThrowingGaugeCallbackRendersNaN) {
  Metrics m;
  m.AddGaugeCallback("g", "G.", []() -> double { throw std::runtime_error("gone"); });
  EXPECT_EQ(m.Render(),
            "# HELP g G.\n"
            "# TYPE g gauge\n"
            "g NaN\n");
}

TEST(MetricsTest, InvalidDeclarationsThrowAndRegisterNothing) {
  Metrics m;
  EXPECT_THROW(m.AddCounter("", "x"), std::invalid_argument);
  EXPECT_THROW(m.AddCounter("1abc", "x"), std::invalid_argument);
  EXPECT_THROW(m.AddCounter("a-b", "x"), std::invalid_argument);
  EXPECT_THROW(m.AddCounter("ok", "x", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(m.AddCounter("ok", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(m.AddCounter("ok", "x", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(m.AddCounter("ok", "x", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(m.AddHistogram("ok", "x", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(m.AddHistogram("ok", "x", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(m.AddHistogram("ok", "x", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(m.AddHistogram("ok", "x", {}, {1, std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
  EXPECT_THROW(m.AddHistogram("ok", "x", {}, {std::nan("")}), std::invalid_argument);
  EXPECT_THROW(m.AddGaugeCallback("ok", "x", nullptr), std::invalid_argument);
  EXPECT_EQ(m.Render(), "");

  EXPECT_NO_THROW(m.AddCounter("ns:name_1", "x", {"_l1", "L2"}));
  EXPECT_THROW(m.AddGauge("ns:name_1", "y"), std::invalid_argument);
  EXPECT_THROW(m.AddGaugeCallback("ns:name_1", "y", [] { return 1.0; }), std::invalid_argument);
}

TEST(MetricsTest, WrongUpdatesThrowAndChangeNothing) {
  Metrics m;
  CounterFamily* c = m.AddCounter("c_total", "C.", {"a"});
  GaugeFamily* g = m.AddGauge("g", "G.", {"a", "b"});
  HistogramFamily* h = m.AddHistogram("h", "H.", {"a"}, {1});
  EXPECT_THROW(c->Inc({}), std::invalid_argument);
  EXPECT_THROW(c->Inc({"x", "y"}), std::invalid_argument);
  EXPECT_THROW(c->Inc({"x"}, -1), std::invalid_argument);
  EXPECT_THROW(c->Inc({"x"}, std::nan("")), std::invalid_argument);
  EXPECT_THROW(c->Value({}), std::invalid_argument);
  EXPECT_THROW(g->Set({"x"}, 1), std::invalid_argument);
  EXPECT_THROW(g->Add({"x", "y", "z"}, 1), std::invalid_argument);
  EXPECT_THROW(h->Observe({}, 1), std::invalid_argument);
  EXPECT_EQ(m.Render(),
            "# HELP c_total C.\n"
            "# TYPE c_total counter\n"
            "# HELP g G.\n"
            "# TYPE g gauge\n"
            "# HELP h H.\n"
            "# TYPE h histogram\n");
}

TEST(MetricsTest, ConcurrentUpdatesAddUpExactly) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  Metrics m;
  CounterFamily* c = m.AddCounter("c_total", "C.", {"parity"});
  GaugeFamily* g = m.AddGauge("g", "G.");
  HistogramFamily* h = m.AddHistogram("h", "H.", {}, {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        c->Inc({t % 2 == 0 ? "even" : "odd"});
        g->Add({}, 1);
        h->Observe({}, i % 2 == 0 ? 0.25 : 1.0);
        if (i % 1000 == 0) (void)m.Render();  // rendering while updating
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->Value({"even"}), kThreads / 2 * kPerThread);
  EXPECT_EQ(c->Value({"odd"}), kThreads / 2 * kPerThread);
  EXPECT_EQ(g->Value({}), kThreads * kPerThread);
  const std::string text = m.Render();
  const std::string total = std::to_string(kThreads * kPerThread);
  const std::string half = std::to_string(kThreads * kPerThread / 2);
  EXPECT_NE(text.find("\nh_bucket{le=\"0.5\"} " + half + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nh_bucket{le=\"+Inf\"} " + total + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nh_count " + total + "\n"), std::string::npos) << text;
  // 0.25 and 1.0 sums are exact in binary floating point at this size.
  const std::string sum = std::to_string(kThreads * kPerThread / 2 * 5 / 4);
  EXPECT_NE(text.find("\nh_sum " + sum + "\n"), std::string::npos) << text;
}

TEST(MetricsTest, ConcurrentDeclarationsAndRenders) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string name("c");  // appended: GCC 12 warns falsely on "literal" + std::string&& at -O3
        name.append(std::to_string(t)).append("_").append(std::to_string(i)).append("_total");
        m.AddCounter(name, "C.")->Inc({});
        (void)m.Render();
      }
    });
  }
  for (auto& t : threads) t.join();
  const std::string text = m.Render();
  std::size_t families = 0;
  for (std::size_t pos = 0; (pos = text.find("# TYPE ", pos)) != std::string::npos; ++pos) ++families;
  EXPECT_EQ(families, 200u);
}

}  // namespace
}  // namespace pactum::service
