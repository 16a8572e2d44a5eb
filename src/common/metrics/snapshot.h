// A point-in-time copy of metric families: what collectors produce and what
// the text renderer consumes. Plain values, no synchronisation.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pharos::metrics {

enum class MetricType { kCounter, kGauge, kHistogram, kUntyped };

struct MetricSnapshot {
  // (name, value) pairs in the family's label-name order.
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;  // counters, gauges, untyped
  // Histograms: cumulative counts per upper bound (the last is +Inf).
  std::vector<std::pair<double, uint64_t>> buckets;
  uint64_t count = 0;
  double sum = 0;
};

struct FamilySnapshot {
  std::string name;
  std::string help;
  MetricType type = MetricType::kUntyped;
  std::vector<MetricSnapshot> metrics;
};

}  // namespace pharos::metrics
