// Metrics: a small Prometheus registry rendered as text exposition format
// 0.0.4 for GET /metrics (Debian 12 ships no prometheus-cpp).
//
// Families are declared once, usually at start-up, and then updated by label
// values:
//
//   Metrics metrics;
//   CounterFamily* requests = metrics.AddCounter(
//       "pactum_http_requests_total", "HTTP requests served.", {"route", "code"});
//   HistogramFamily* latency = metrics.AddHistogram(
//       "pactum_http_request_duration_seconds", "Time to serve a request.", {"route"},
//       DefaultLatencyBuckets());
//   metrics.AddGaugeCallback("pactum_queue_depth", "Jobs waiting.", [&] { return ...; });
//   ...
//   requests->Inc({"/v1/extract", "200"});
//   latency->Observe({"/v1/extract"}, 0.42);
//
// A series (one combination of label values) comes into being at its first
// update. A family without labels has its one series from the start, at 0.
//
// Render() output is stable: families sorted by name, series within a family
// sorted by label values (byte-wise), numbers formatted without locale
// (shortest round-trip decimal, whole numbers below 1e15 without exponent;
// "+Inf", "-Inf", "NaN").
//
// Contract violations (an invalid or duplicate name, the wrong number of
// label values, a negative counter increment, unsorted buckets) are bugs in
// the caller: they throw std::invalid_argument and change nothing.
//
// Thread-safety: every method of Metrics and of the families may be called
// from any thread without external synchronisation. Each family has its own
// mutex; Render() takes them one at a time. Family pointers returned by Add*
// stay valid for the lifetime of the Metrics that returned them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pactum::service {

// The values of a family's labels, in the order of its label names.
using LabelValues = std::vector<std::string>;

// Upper bounds in seconds for request and job latencies: 0.005 s to 120 s.
std::vector<double> DefaultLatencyBuckets();

// What the families have in common; not used on its own.
class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 protected:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names);

  // Throws std::invalid_argument unless values.size() == label_names().size().
  void CheckArity(const LabelValues& values) const;

 private:
  friend class Metrics;

  // The "# TYPE" word: counter, gauge or histogram.
  virtual const char* type() const = 0;
  // Appends the sample lines (not HELP or TYPE) to *out.
  virtual void RenderSamples(std::string* out) const = 0;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
};

// Monotonic counters, one per label-value combination.
class CounterFamily final : public MetricFamily {
 public:
  // Adds `by` to the series `values`, starting it at 0 if new.
  // REQUIRES (else std::invalid_argument): values.size() == label_names().size(),
  // by >= 0 and not NaN.
  void Inc(const LabelValues& values, double by = 1);

  // The current value of the series `values`; 0 if it was never updated.
  // REQUIRES (else std::invalid_argument): values.size() == label_names().size().
  double Value(const LabelValues& values) const;

 private:
  friend class Metrics;
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  const char* type() const override { return "counter"; }
  void RenderSamples(std::string* out) const override;

  mutable std::mutex mu_;
  std::map<LabelValues, double> values_;  // GUARDED_BY(mu_)
};

// Gauges set by the caller, one per label-value combination.
class GaugeFamily final : public MetricFamily {
 public:
  // Sets the series `values` to `value` (any double, NaN included).
  // REQUIRES (else std::invalid_argument): values.size() == label_names().size().
  void Set(const LabelValues& values, double value);

  // Adds `delta` (may be negative) to the series `values`, starting it at 0
  // if new. REQUIRES: as Set.
  void Add(const LabelValues& values, double delta);

  // The current value of the series `values`; 0 if it was never updated.
  // REQUIRES: as Set.
  double Value(const LabelValues& values) const;

 private:
  friend class Metrics;
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  const char* type() const override { return "gauge"; }
  void RenderSamples(std::string* out) const override;

  mutable std::mutex mu_;
  std::map<LabelValues, double> values_;  // GUARDED_BY(mu_)
};

// A gauge without labels whose value is computed at render time (a queue
// depth, a cache size).
class GaugeCallbackFamily final : public MetricFamily {
 private:
  friend class Metrics;
  GaugeCallbackFamily(std::string name, std::string help, std::function<double()> callback);
  const char* type() const override { return "gauge"; }
  void RenderSamples(std::string* out) const override;

  const std::function<double()> callback_;
};

// Histograms with fixed buckets, one per label-value combination.
class HistogramFamily final : public MetricFamily {
 public:
  // Counts `value` (seconds, bytes, ...) in the series `values`: in every
  // bucket whose upper bound is >= value, and in _sum and _count. A NaN is
  // counted in +Inf and _count, and makes _sum NaN (as in client_golang).
  // REQUIRES (else std::invalid_argument): values.size() == label_names().size().
  void Observe(const LabelValues& values, double value);

  // The finite upper bounds, ascending (+Inf is implicit).
  const std::vector<double>& buckets() const { return bounds_; }

 private:
  friend class Metrics;
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);
  const char* type() const override { return "histogram"; }
  void RenderSamples(std::string* out) const override;

  struct Series {
    std::vector<unsigned long long> counts;  // per bound, not cumulative; +Inf last
    double sum = 0;
    unsigned long long count = 0;
  };

  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<LabelValues, Series> series_;  // GUARDED_BY(mu_)
};

// The registry: owns the families and renders them.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Declares a family and returns it (owned by this registry).
  // `name` must match [a-zA-Z_:][a-zA-Z0-9_:]* and be new to this registry;
  // each label name must match [a-zA-Z_][a-zA-Z0-9_]*, must not start with
  // "__", and must be unique within the family; histograms may not use "le".
  // `help` is free text (backslashes and newlines are escaped on output).
  // Violations throw std::invalid_argument and register nothing.
  CounterFamily* AddCounter(const std::string& name, const std::string& help,
                            const std::vector<std::string>& label_names = {});
  GaugeFamily* AddGauge(const std::string& name, const std::string& help,
                        const std::vector<std::string>& label_names = {});
  // `buckets`: finite upper bounds, strictly ascending (may be empty); the
  // +Inf bucket is always added. Otherwise std::invalid_argument.
  HistogramFamily* AddHistogram(const std::string& name, const std::string& help,
                                const std::vector<std::string>& label_names, std::vector<double> buckets);

  // Declares an unlabelled gauge whose value is `callback()` at each
  // Render(). The callback runs on the rendering thread with no lock of this
  // registry held (it may read other metrics); it must not throw (if it
  // does, the sample is rendered as NaN) and must stay callable for the
  // lifetime of this registry. REQUIRES (else std::invalid_argument): a
  // valid new name as above and a non-empty callback.
  void AddGaugeCallback(const std::string& name, const std::string& help, std::function<double()> callback);

  // The text exposition format 0.0.4 of every family (Content-Type
  // "text/plain; version=0.0.4; charset=utf-8"): for each family "# HELP",
  // "# TYPE" and its samples, each line ending in "\n". Empty when no family
  // was declared.
  std::string Render() const;

 private:
  // Validates `family` against the registry and takes ownership.
  void Register(std::unique_ptr<MetricFamily> family);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<MetricFamily>> families_;  // GUARDED_BY(mu_)
};

// The Content-Type of Metrics::Render() output.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace pactum::service
