// Metrics: the service's Prometheus registry (Debian's prometheus-cpp, core
// library only: pactum serves GET /metrics itself) and its text exposition.
//
//   Metrics metrics;
//   CounterFamily& requests = metrics.AddCounter("pactum_http_requests_total", "HTTP requests");
//   requests.Add({{"route", "/v1/extract"}, {"status", "200"}}).Increment();
//   metrics.AddGaugeCallback("pactum_queue_depth", "Jobs waiting", [&] { return ...; });
//   std::string text = metrics.Render();
//
// Families and their series are thread-safe (prometheus-cpp); a series comes
// into being at its first Add. Callback gauges are read at each Render().
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "pactum/models/mutex.h"

namespace pactum::service {

using CounterFamily = prometheus::Family<prometheus::Counter>;
using HistogramFamily = prometheus::Family<prometheus::Histogram>;

// Upper bounds in seconds for request and job latencies: 0.005 s to 120 s.
const prometheus::Histogram::BucketBoundaries& DefaultLatencyBuckets();

class Metrics {
 public:
  // Families are owned by the registry and live as long as it does. An
  // invalid or duplicate name throws (prometheus-cpp): a bug of the caller.
  CounterFamily& AddCounter(const std::string& name, const std::string& help);
  HistogramFamily& AddHistogram(const std::string& name, const std::string& help);

  // An unlabelled gauge whose value is `callback()` at each Render(). The
  // callback must not throw and must stay callable while this registry lives.
  void AddGaugeCallback(const std::string& name, const std::string& help, std::function<double()> callback);

  // Text exposition format 0.0.4 (kMetricsContentType) of every family.
  std::string Render() const;

 private:
  prometheus::Registry registry_{prometheus::Registry::InsertBehavior::Throw};
  mutable Mutex callbacks_mu_;
  std::vector<std::pair<prometheus::Gauge*, std::function<double()>>> callbacks_ PACTUM_GUARDED_BY(callbacks_mu_);
};

// The Content-Type of Metrics::Render() output.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace pactum::service
