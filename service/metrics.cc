#include "metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

namespace pactum::service {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && IsAsciiDigit(c));
    if (!ok) return false;
  }
  return true;
}

// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsAsciiLetter(c) || c == '_' || (i > 0 && IsAsciiDigit(c));
    if (!ok) return false;
  }
  return true;
}

void ValidateNames(const std::string& name, const std::vector<std::string>& label_names, bool histogram) {
  if (!IsValidMetricName(name)) throw std::invalid_argument("metrics: invalid metric name \"" + name + "\"");
  std::set<std::string_view> seen;
  for (const std::string& label : label_names) {
    if (!IsValidLabelName(label)) {
      throw std::invalid_argument("metrics: " + name + ": invalid label name \"" + label + "\"");
    }
    if (histogram && label == "le") {
      throw std::invalid_argument("metrics: " + name + ": a histogram may not have a label named \"le\"");
    }
    if (!seen.insert(label).second) {
      throw std::invalid_argument("metrics: " + name + ": duplicate label name \"" + label + "\"");
    }
  }
}

// Integral values below this are written out in full ("100000", not "1e+05").
constexpr double kPlainIntegerLimit = 1e15;

// A sample value: shortest round-trip decimal, independent of the locale;
// whole numbers of up to 15 digits without an exponent.
void AppendNumber(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[64];
    const bool plain_integer = std::fabs(v) < kPlainIntegerLimit && v == std::trunc(v);
    const std::to_chars_result r = plain_integer ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                                                 : std::to_chars(buf, buf + sizeof buf, v);
    out->append(buf, r.ptr);
  }
}

void AppendCount(unsigned long long v, std::string* out) {
  char buf[32];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

// HELP text: backslash and newline escaped.
void AppendEscapedHelp(std::string_view text, std::string* out) {
  for (const char c : text) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

// Label value: backslash, double quote and newline escaped.
void AppendEscapedLabelValue(std::string_view value, std::string* out) {
  for (const char c : value) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

// Appends `name{l1="v1",...,le="x"} ` (no braces without labels); the caller
// appends the value and the newline. `le` is added last when not null.
void AppendSeriesName(std::string_view name, std::string_view suffix, const std::vector<std::string>& label_names,
                      const LabelValues& values, const std::string* le, std::string* out) {
  out->append(name);
  out->append(suffix);
  if (!label_names.empty() || le != nullptr) {
    out->push_back('{');
    bool first = true;
    for (std::size_t i = 0; i < label_names.size(); ++i) {
      if (!first) out->push_back(',');
      first = false;
      out->append(label_names[i]);
      out->append("=\"");
      AppendEscapedLabelValue(values[i], out);
      out->push_back('"');
    }
    if (le != nullptr) {
      if (!first) out->push_back(',');
      out->append("le=\"");
      out->append(*le);
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
}

}  // namespace

std::vector<double> DefaultLatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
}

// ---- MetricFamily -----------------------------------------------------------

MetricFamily::MetricFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void MetricFamily::CheckArity(const LabelValues& values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metrics: " + name_ + ": " + std::to_string(values.size()) +
                                " label values for " + std::to_string(label_names_.size()) + " labels");
  }
}

// ---- CounterFamily ------------------------------------------------------------

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)) {
  if (this->label_names().empty()) values_.emplace(LabelValues{}, 0.0);
}

void CounterFamily::Inc(const LabelValues& values, double by) {
  CheckArity(values);
  if (!(by >= 0)) throw std::invalid_argument("metrics: " + name() + ": a counter can only go up");
  std::lock_guard<std::mutex> lock(mu_);
  values_[values] += by;
}

double CounterFamily::Value(const LabelValues& values) const {
  CheckArity(values);
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = values_.find(values);
  return it == values_.end() ? 0.0 : it->second;
}

void CounterFamily::RenderSamples(std::string* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, value] : values_) {
    AppendSeriesName(name(), "", label_names(), values, nullptr, out);
    AppendNumber(value, out);
    out->push_back('\n');
  }
}

// ---- GaugeFamily --------------------------------------------------------------

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)) {
  if (this->label_names().empty()) values_.emplace(LabelValues{}, 0.0);
}

void GaugeFamily::Set(const LabelValues& values, double value) {
  CheckArity(values);
  std::lock_guard<std::mutex> lock(mu_);
  values_[values] = value;
}

void GaugeFamily::Add(const LabelValues& values, double delta) {
  CheckArity(values);
  std::lock_guard<std::mutex> lock(mu_);
  values_[values] += delta;
}

double GaugeFamily::Value(const LabelValues& values) const {
  CheckArity(values);
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = values_.find(values);
  return it == values_.end() ? 0.0 : it->second;
}

void GaugeFamily::RenderSamples(std::string* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, value] : values_) {
    AppendSeriesName(name(), "", label_names(), values, nullptr, out);
    AppendNumber(value, out);
    out->push_back('\n');
  }
}

// ---- GaugeCallbackFamily ------------------------------------------------------

GaugeCallbackFamily::GaugeCallbackFamily(std::string name, std::string help, std::function<double()> callback)
    : MetricFamily(std::move(name), std::move(help), {}), callback_(std::move(callback)) {}

void GaugeCallbackFamily::RenderSamples(std::string* out) const {
  double value;
  try {
    value = callback_();
  } catch (...) {
    value = std::nan("");
  }
  AppendSeriesName(name(), "", label_names(), {}, nullptr, out);
  AppendNumber(value, out);
  out->push_back('\n');
}

// ---- HistogramFamily ----------------------------------------------------------

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                                 std::vector<double> bounds)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)), bounds_(std::move(bounds)) {
  if (this->label_names().empty()) series_[LabelValues{}].counts.assign(bounds_.size() + 1, 0);
}

void HistogramFamily::Observe(const LabelValues& values, double value) {
  CheckArity(values);
  // The first bound >= value; NaN compares false everywhere and lands in +Inf.
  const std::size_t bucket = static_cast<std::size_t>(
      std::find_if(bounds_.begin(), bounds_.end(), [value](double bound) { return value <= bound; }) -
      bounds_.begin());
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series_[values];
  if (s.counts.empty()) s.counts.assign(bounds_.size() + 1, 0);
  ++s.counts[bucket];
  s.sum += value;
  ++s.count;
}

void HistogramFamily::RenderSamples(std::string* out) const {
  std::vector<std::string> le;
  le.reserve(bounds_.size() + 1);
  for (const double bound : bounds_) {
    std::string text;
    AppendNumber(bound, &text);
    le.push_back(std::move(text));
  }
  le.emplace_back("+Inf");

  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, s] : series_) {
    unsigned long long cumulative = 0;
    for (std::size_t i = 0; i < le.size(); ++i) {
      cumulative += s.counts[i];
      AppendSeriesName(name(), "_bucket", label_names(), values, &le[i], out);
      AppendCount(cumulative, out);
      out->push_back('\n');
    }
    AppendSeriesName(name(), "_sum", label_names(), values, nullptr, out);
    AppendNumber(s.sum, out);
    out->push_back('\n');
    AppendSeriesName(name(), "_count", label_names(), values, nullptr, out);
    AppendCount(s.count, out);
    out->push_back('\n');
  }
}

// ---- Metrics ------------------------------------------------------------------

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

CounterFamily* Metrics::AddCounter(const std::string& name, const std::string& help,
                                   const std::vector<std::string>& label_names) {
  ValidateNames(name, label_names, /*histogram=*/false);
  auto* family = new CounterFamily(name, help, label_names);
  Register(std::unique_ptr<MetricFamily>(family));
  return family;
}

GaugeFamily* Metrics::AddGauge(const std::string& name, const std::string& help,
                               const std::vector<std::string>& label_names) {
  ValidateNames(name, label_names, /*histogram=*/false);
  auto* family = new GaugeFamily(name, help, label_names);
  Register(std::unique_ptr<MetricFamily>(family));
  return family;
}

HistogramFamily* Metrics::AddHistogram(const std::string& name, const std::string& help,
                                       const std::vector<std::string>& label_names, std::vector<double> buckets) {
  ValidateNames(name, label_names, /*histogram=*/true);
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (!std::isfinite(buckets[i])) {
      throw std::invalid_argument("metrics: " + name + ": bucket bounds must be finite (+Inf is implicit)");
    }
    if (i > 0 && !(buckets[i - 1] < buckets[i])) {
      throw std::invalid_argument("metrics: " + name + ": bucket bounds must be strictly ascending");
    }
  }
  auto* family = new HistogramFamily(name, help, label_names, std::move(buckets));
  Register(std::unique_ptr<MetricFamily>(family));
  return family;
}

void Metrics::AddGaugeCallback(const std::string& name, const std::string& help, std::function<double()> callback) {
  ValidateNames(name, {}, /*histogram=*/false);
  if (!callback) throw std::invalid_argument("metrics: " + name + ": empty callback");
  Register(std::unique_ptr<MetricFamily>(new GaugeCallbackFamily(name, help, std::move(callback))));
}

void Metrics::Register(std::unique_ptr<MetricFamily> family) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& name = family->name();
  if (families_.count(name) != 0) {
    throw std::invalid_argument("metrics: \"" + name + "\" is already registered");
  }
  families_.emplace(name, std::move(family));
}

std::string Metrics::Render() const {
  // Families are never removed, so the pointers outlive the registry lock;
  // each family then locks itself (and callbacks run with no lock held).
  std::vector<const MetricFamily*> families;
  {
    std::lock_guard<std::mutex> lock(mu_);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) families.push_back(family.get());
  }
  std::string out;
  for (const MetricFamily* family : families) {
    out.append("# HELP ");
    out.append(family->name());
    out.push_back(' ');
    AppendEscapedHelp(family->help(), &out);
    out.push_back('\n');
    out.append("# TYPE ");
    out.append(family->name());
    out.push_back(' ');
    out.append(family->type());
    out.push_back('\n');
    family->RenderSamples(&out);
  }
  return out;
}

}  // namespace pactum::service
