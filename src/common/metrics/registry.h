// Registry: Pharos' own metrics, rendered at /metrics in the Prometheus text
// format (text_format.h).
//
// Families are registered once (at start-up, or when a component is built)
// with a name, help text and label names; children are resolved by label
// values with With(), once, and the returned pointer is then updated
// lock-free on hot paths. Collectors compute values at scrape time (process
// statistics, sizes of in-memory structures).
//
// Ownership: the Registry owns families and children; pointers stay valid as
// long as the Registry. Thread-safety: every method is thread-safe.
// Registering a name twice with the same type and label names returns the
// existing family; with a different type or labels it aborts (a programming
// error).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics/metric.h"
#include "common/metrics/snapshot.h"

namespace pharos::metrics {

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type, std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  FamilySnapshot Collect() const;

 protected:
  struct ChildBase {
    std::vector<std::string> values;
    virtual ~ChildBase() = default;
  };
  // Finds or creates the child for `values` (size must equal label_names();
  // checked, aborts otherwise).
  ChildBase* Find(const std::string_view* values, size_t n);
  virtual std::unique_ptr<ChildBase> NewChild() const = 0;
  virtual void Fill(const ChildBase& c, MetricSnapshot* m) const = 0;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<ChildBase>> children_ ABSL_GUARDED_BY(mu_);
};

template <typename T>
class Family : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;
  // The child with these label values, created on first use.
  T* With(std::initializer_list<std::string_view> values) {
    return &static_cast<Child*>(Find(values.begin(), values.size()))->metric;
  }
  T* With(const std::vector<std::string>& values) {
    std::vector<std::string_view> v(values.begin(), values.end());
    return &static_cast<Child*>(Find(v.data(), v.size()))->metric;
  }

 protected:
  struct Child : ChildBase {
    template <typename... A>
    explicit Child(A&&... a) : metric(std::forward<A>(a)...) {}
    T metric;
  };
};

class CounterFamily final : public Family<Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> labels)
      : Family(std::move(name), std::move(help), MetricType::kCounter, std::move(labels)) {}

 private:
  std::unique_ptr<ChildBase> NewChild() const override { return std::make_unique<Child>(); }
  void Fill(const ChildBase& c, MetricSnapshot* m) const override;
};

class GaugeFamily final : public Family<Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> labels)
      : Family(std::move(name), std::move(help), MetricType::kGauge, std::move(labels)) {}

 private:
  std::unique_ptr<ChildBase> NewChild() const override { return std::make_unique<Child>(); }
  void Fill(const ChildBase& c, MetricSnapshot* m) const override;
};

class HistogramFamily final : public Family<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                  std::vector<double> bounds);
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::unique_ptr<ChildBase> NewChild() const override { return std::make_unique<Child>(&bounds_); }
  void Fill(const ChildBase& c, MetricSnapshot* m) const override;
  std::vector<double> bounds_;
};

// Appends families computed at scrape time. Called without registry locks
// held, from the thread that renders.
using CollectFn = std::function<void(std::vector<FamilySnapshot>* out)>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily* NewCounterFamily(std::string name, std::string help, std::vector<std::string> labels);
  GaugeFamily* NewGaugeFamily(std::string name, std::string help, std::vector<std::string> labels);
  // `bounds` must be sorted and finite; an empty list means DefaultBuckets().
  HistogramFamily* NewHistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                                      std::vector<double> bounds = {});

  // Unlabelled shorthands: the family's single child.
  Counter* NewCounter(std::string name, std::string help);
  Gauge* NewGauge(std::string name, std::string help);
  Histogram* NewHistogram(std::string name, std::string help, std::vector<double> bounds = {});

  // A gauge or counter whose value is read from `fn` at scrape time.
  void NewGaugeFunc(std::string name, std::string help, std::function<double()> fn);
  void NewCounterFunc(std::string name, std::string help, std::function<double()> fn);

  // Returns an id for RemoveCollector (components that stop before the
  // registry unregister their callbacks).
  int AddCollector(CollectFn fn);
  void RemoveCollector(int id);

  // Every family (registered and collected), sorted by name; metrics within a
  // family sorted by label values, as Prometheus' Go client gathers them.
  std::vector<FamilySnapshot> Gather() const;

  // Gather() rendered in the text exposition format 0.0.4, appended to `out`.
  void WriteText(std::string* out) const;

 private:
  template <typename F, typename... A>
  F* Register(std::string name, std::string help, MetricType type, std::vector<std::string> labels,
              A&&... extra);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_ ABSL_GUARDED_BY(mu_);
  std::map<int, CollectFn> collectors_ ABSL_GUARDED_BY(mu_);
  int next_collector_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace pharos::metrics
