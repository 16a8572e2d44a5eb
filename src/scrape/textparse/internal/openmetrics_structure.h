// The OpenMetrics 1.0 rules that span lines: metric families, their
// metadata, and the grouping of samples into metrics and points. The grammar
// (openmetrics_grammar.cc) checks each line's syntax and reports every
// metadata line, sample and the end of the body here.
//
// Enforced (docs/exposition.md explains the choice):
//   - A family's metadata comes before its samples, each kind at most once;
//     a family never appears again once another has started, and a family's
//     name must not clash with the sample names of another family
//     ("a_created" gauge vs "a" counter).
//   - A sample belongs to the current family when its name is the family name
//     plus a suffix its type allows; otherwise it starts a new family of type
//     unknown.
//   - Exemplars only on counter _total and (gauge)histogram _bucket samples.
//   - Histogram buckets need an "le" label that is a number or "+Inf",
//     increasing within a point; every point has a +Inf bucket; _count comes
//     with _sum (_gcount with _gsum). Summary quantile samples need a
//     "quantile" label in [0, 1]; stateset samples need the label named after
//     the family. UNIT is not allowed for info and stateset families.
//   - Samples of one metric (the label set without le/quantile/the state
//     label) are contiguous; a metric's timestamps never go backwards, are
//     given on all of its samples or on none, and a sample repeated without a
//     timestamp is an error.
// Not enforced: the value rules (counters, buckets, sums and counts neither
// NaN nor negative, cumulative buckets, _count equal to the +Inf bucket,
// stateset values 0/1, info values 1, no _sum with negative buckets).
//
// Memory: a hash per metric of the current family and a map entry (a view
// into the body) per family. The body must outlive this object.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "scrape/textparse/entry.h"
#include "scrape/textparse/internal/state.h"

namespace pharos::scrape::textparse::internal {

class OpenMetricsStructure {
 public:
  // Errors are InvalidArgument without a position; the grammar adds it.
  absl::Status OnMetadata(Entry kind, std::string_view family, MetricType type,
                          std::string_view unit);
  absl::Status OnSample(const ParserState& s);
  absl::Status OnEof();

 private:
  // How a sample's name relates to its family's name.
  enum class Suffix : uint8_t { kBare, kTotal, kCreated, kBucket, kCount, kSum, kGCount, kGSum, kInfo };

  struct Family {
    std::string_view name;
    MetricType type = MetricType::kUnknown;
    std::string_view unit;
    bool has_type = false;
    bool has_help = false;
    bool has_unit = false;
    bool has_samples = false;
  };

  // The samples of one metric that share a timestamp (or all, without one).
  struct Point {
    bool has_timestamp = false;
    int64_t timestamp = 0;
    bool bucket = false, inf_bucket = false;
    bool count = false, sum = false, gcount = false, gsum = false;
    double last_le = 0;
    std::string_view last_le_text;
  };

  static bool Allows(MetricType type, Suffix suffix);
  // The suffix of `name` within the open family; false when not a member.
  bool MemberSuffix(std::string_view name, Suffix* suffix) const;
  // The sample names the open family allows, for messages.
  std::string SampleNames() const;
  // Hashes of the sample's labels without `ignored_label` (its metric) and of
  // all its labels and its suffix (the sample within a point); neither
  // depends on the order labels are written in.
  void Keys(const ParserState& s, std::string_view ignored_label, Suffix suffix,
            uint64_t* metric, uint64_t* sample);
  std::string_view Unescaped(const RawLabel& l);
  // Records a sample of the current point; false when it is already there.
  bool AddPointSample(uint64_t key);

  absl::Status OpenFamily(std::string_view name);
  absl::Status CloseFamily();
  absl::Status FinishMetric();
  absl::Status FinishPoint();

  bool family_open_ = false;
  Family family_;
  absl::flat_hash_map<std::string_view, MetricType> closed_families_;
  absl::flat_hash_set<uint64_t> metrics_seen_;  // in the open family

  bool metric_open_ = false;
  uint64_t metric_key_ = 0;
  uint64_t metric_line_ = 0;
  std::string_view metric_series_;  // its first sample, for messages
  Point point_;
  // Samples of the current point when it has no timestamp: a repeat is a
  // second point that would need one.
  static constexpr size_t kInlinePointSamples = 32;
  std::array<uint64_t, kInlinePointSamples> point_samples_inline_{};
  size_t point_sample_count_ = 0;
  absl::flat_hash_set<uint64_t> point_samples_;  // beyond the inline ones

  std::string scratch_;
};

}  // namespace pharos::scrape::textparse::internal
