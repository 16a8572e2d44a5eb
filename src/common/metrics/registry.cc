#include "common/metrics/registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "common/label_names.h"
#include "common/metrics/text_format.h"

namespace pharos::metrics {
namespace {

bool ValidLabelName(std::string_view n) {
  return IsValidLabelName(n) && n.substr(0, 2) != "__";  // "__" names are reserved
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "metrics: %s\n", what.c_str());
  std::abort();
}

}  // namespace

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {}

FamilyBase::ChildBase* FamilyBase::Find(const std::string_view* values, size_t n) {
  if (n != label_names_.size()) {
    Die(name_ + ": got " + std::to_string(n) + " label values for " + std::to_string(label_names_.size()) +
        " label names");
  }
  std::string key;
  for (size_t i = 0; i < n; ++i) {
    key.append(values[i]);
    key.push_back('\xff');  // cannot occur inside UTF-8 text
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = children_.find(key);
    if (it != children_.end()) return it->second.get();
  }
  absl::MutexLock lock(&mu_);
  auto& slot = children_[key];
  if (slot == nullptr) {
    slot = NewChild();
    slot->values.assign(values, values + n);
  }
  return slot.get();
}

FamilySnapshot FamilyBase::Collect() const {
  FamilySnapshot f;
  f.name = name_;
  f.help = help_;
  f.type = type_;
  absl::ReaderMutexLock lock(&mu_);
  f.metrics.reserve(children_.size());
  for (const auto& [key, child] : children_) {
    MetricSnapshot m;
    m.labels.reserve(label_names_.size());
    for (size_t i = 0; i < label_names_.size(); ++i) m.labels.emplace_back(label_names_[i], child->values[i]);
    Fill(*child, &m);
    f.metrics.push_back(std::move(m));
  }
  return f;
}

void CounterFamily::Fill(const ChildBase& c, MetricSnapshot* m) const {
  m->value = static_cast<const Child&>(c).metric.Value();
}

void GaugeFamily::Fill(const ChildBase& c, MetricSnapshot* m) const {
  m->value = static_cast<const Child&>(c).metric.Value();
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                                 std::vector<double> bounds)
    : Family(std::move(name), std::move(help), MetricType::kHistogram, std::move(labels)),
      bounds_(std::move(bounds)) {
  if (bounds_.empty()) bounds_ = DefaultBuckets();
  // A trailing +Inf bound is implied; drop an explicit one.
  while (!bounds_.empty() && std::isinf(bounds_.back()) && bounds_.back() > 0) bounds_.pop_back();
  for (size_t i = 1; i < bounds_.size(); ++i) {
    if (!(bounds_[i - 1] < bounds_[i])) Die(this->name() + ": histogram bounds must be strictly increasing");
  }
}

void HistogramFamily::Fill(const ChildBase& c, MetricSnapshot* m) const {
  Histogram::Snapshot s = static_cast<const Child&>(c).metric.Snap();
  m->buckets.reserve(s.cumulative.size());
  for (size_t i = 0; i < bounds_.size(); ++i) m->buckets.emplace_back(bounds_[i], s.cumulative[i]);
  m->buckets.emplace_back(std::numeric_limits<double>::infinity(), s.cumulative.back());
  m->count = s.count;
  m->sum = s.sum;
}

template <typename F, typename... A>
F* Registry::Register(std::string name, std::string help, MetricType type, std::vector<std::string> labels,
                      A&&... extra) {
  if (!IsValidMetricName(name)) Die("invalid metric name \"" + name + "\"");
  for (const auto& l : labels) {
    if (!ValidLabelName(l)) Die(name + ": invalid label name \"" + l + "\"");
  }
  absl::MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    auto* f = dynamic_cast<F*>(it->second.get());
    if (f == nullptr || f->type() != type || f->label_names() != labels) {
      Die("metric \"" + name + "\" registered twice with different types or labels");
    }
    return f;
  }
  auto f = std::make_unique<F>(name, std::move(help), std::move(labels), std::forward<A>(extra)...);
  F* raw = f.get();
  families_.emplace(std::move(name), std::move(f));
  return raw;
}

CounterFamily* Registry::NewCounterFamily(std::string name, std::string help, std::vector<std::string> labels) {
  return Register<CounterFamily>(std::move(name), std::move(help), MetricType::kCounter, std::move(labels));
}

GaugeFamily* Registry::NewGaugeFamily(std::string name, std::string help, std::vector<std::string> labels) {
  return Register<GaugeFamily>(std::move(name), std::move(help), MetricType::kGauge, std::move(labels));
}

HistogramFamily* Registry::NewHistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                                              std::vector<double> bounds) {
  return Register<HistogramFamily>(std::move(name), std::move(help), MetricType::kHistogram, std::move(labels),
                                   std::move(bounds));
}

Counter* Registry::NewCounter(std::string name, std::string help) {
  return NewCounterFamily(std::move(name), std::move(help), {})->With({});
}

Gauge* Registry::NewGauge(std::string name, std::string help) {
  return NewGaugeFamily(std::move(name), std::move(help), {})->With({});
}

Histogram* Registry::NewHistogram(std::string name, std::string help, std::vector<double> bounds) {
  return NewHistogramFamily(std::move(name), std::move(help), {}, std::move(bounds))->With({});
}

namespace {

CollectFn ValueFunc(std::string name, std::string help, MetricType type, std::function<double()> fn) {
  if (!IsValidMetricName(name)) Die("invalid metric name \"" + name + "\"");
  return [name = std::move(name), help = std::move(help), type, fn = std::move(fn)](std::vector<FamilySnapshot>* out) {
    FamilySnapshot f;
    f.name = name;
    f.help = help;
    f.type = type;
    f.metrics.emplace_back();
    f.metrics.back().value = fn();
    out->push_back(std::move(f));
  };
}

}  // namespace

void Registry::NewGaugeFunc(std::string name, std::string help, std::function<double()> fn) {
  AddCollector(ValueFunc(std::move(name), std::move(help), MetricType::kGauge, std::move(fn)));
}

void Registry::NewCounterFunc(std::string name, std::string help, std::function<double()> fn) {
  AddCollector(ValueFunc(std::move(name), std::move(help), MetricType::kCounter, std::move(fn)));
}

int Registry::AddCollector(CollectFn fn) {
  absl::MutexLock lock(&mu_);
  int id = next_collector_++;
  collectors_.emplace(id, std::move(fn));
  return id;
}

void Registry::RemoveCollector(int id) {
  absl::MutexLock lock(&mu_);
  collectors_.erase(id);
}

std::vector<FamilySnapshot> Registry::Gather() const {
  std::vector<FamilySnapshot> out;
  std::vector<CollectFn> collectors;
  {
    absl::ReaderMutexLock lock(&mu_);
    out.reserve(families_.size() + collectors_.size());
    for (const auto& [name, f] : families_) out.push_back(f->Collect());
    for (const auto& [id, fn] : collectors_) collectors.push_back(fn);
  }
  for (const auto& fn : collectors) fn(&out);
  // Families with the same name (a collector adding to a registered family)
  // are merged, so the output has one HELP/TYPE per name.
  std::stable_sort(out.begin(), out.end(),
                   [](const FamilySnapshot& a, const FamilySnapshot& b) { return a.name < b.name; });
  std::vector<FamilySnapshot> merged;
  merged.reserve(out.size());
  for (auto& f : out) {
    if (!merged.empty() && merged.back().name == f.name) {
      for (auto& m : f.metrics) merged.back().metrics.push_back(std::move(m));
      continue;
    }
    merged.push_back(std::move(f));
  }
  for (auto& f : merged) {
    std::sort(f.metrics.begin(), f.metrics.end(), [](const MetricSnapshot& a, const MetricSnapshot& b) {
      return a.labels < b.labels;
    });
  }
  return merged;
}

void Registry::WriteText(std::string* out) const { AppendTextFormat(Gather(), out); }

}  // namespace pharos::metrics
