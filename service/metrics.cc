#include "metrics.h"

#include <prometheus/text_serializer.h>

namespace pactum::service {

const prometheus::Histogram::BucketBoundaries& DefaultLatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                                  1,     2.5,  5,     10,   30,  60,   120};
  return buckets;
}

CounterFamily& Metrics::AddCounter(const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry_);
}

HistogramFamily& Metrics::AddHistogram(const std::string& name, const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry_);
}

void Metrics::AddGaugeCallback(const std::string& name, const std::string& help, std::function<double()> callback) {
  prometheus::Gauge& gauge = prometheus::BuildGauge().Name(name).Help(help).Register(registry_).Add({});
  MutexLock lock(&callbacks_mu_);
  callbacks_.emplace_back(&gauge, std::move(callback));
}

std::string Metrics::Render() const {
  {
    MutexLock lock(&callbacks_mu_);
    for (const auto& [gauge, callback] : callbacks_) gauge->Set(callback());
  }
  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

}  // namespace pactum::service
