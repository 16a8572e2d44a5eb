// The value types of Pharos' own instrumentation: Counter, Gauge and
// Histogram. Each is updated lock-free (relaxed atomics) so that hot paths
// can keep a pointer to one (resolved once from its Family) and update it
// from any thread without contention on a lock.
//
// Objects are owned by their Family (see registry.h) and live as long as the
// Registry; pointers to them stay valid.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace pharos::metrics {

// A monotonically increasing value. Integer increments (the common case) go
// to an integer atomic; fractional additions to a double updated by CAS.
class Counter {
 public:
  void Inc() { int_.fetch_add(1, std::memory_order_relaxed); }
  void Inc(uint64_t n) { int_.fetch_add(n, std::memory_order_relaxed); }
  // Adds `v`; negative values are ignored (a counter never goes down).
  void Add(double v);
  double Value() const;

 private:
  std::atomic<uint64_t> int_{0};
  std::atomic<double> float_{0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  void Add(double v);
  void Sub(double v) { Add(-v); }
  void Inc() { Add(1); }
  void Dec() { Add(-1); }
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

// Cumulative histogram over fixed upper bounds (the +Inf bucket is implied).
class Histogram {
 public:
  // `bounds` are sorted, finite upper bounds; the Histogram keeps a pointer,
  // so they must outlive it (the Family owns them).
  explicit Histogram(const std::vector<double>* bounds);

  void Observe(double v);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf
    uint64_t count = 0;                // == cumulative.back()
    double sum = 0;
  };
  Snapshot Snap() const;
  const std::vector<double>& bounds() const { return *bounds_; }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_->size() + 1, non-cumulative
  std::atomic<double> sum_{0};
};

// Bucket layouts.
std::vector<double> DefaultBuckets();  // Prometheus' client default: .005 … 10
std::vector<double> ExponentialBuckets(double start, double factor, int count);
std::vector<double> LinearBuckets(double start, double width, int count);

}  // namespace pharos::metrics
