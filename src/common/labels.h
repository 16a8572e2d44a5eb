// Labels: the identity of a series, a set of (name, value) pairs sorted by name,
// with the metric name stored under "__name__" as Prometheus does.
//
// Labels is a plain value type (copyable, comparable, hashable). Stores keep
// their own compact representation (interned symbols); this type is what
// crosses module boundaries: parsers, relabeling, the storage interfaces and
// query results.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pharos {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string name;
  std::string value;

  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

class Labels {
 public:
  Labels() = default;
  // Sorts the pairs by name. When a name repeats, the last value wins.
  Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);
  // Takes pairs in any order; sorts them and drops duplicates (last wins).
  static Labels FromUnsorted(std::vector<Label> pairs);
  // Takes pairs already sorted by name with unique names (checked in debug builds).
  static Labels FromSorted(std::vector<Label> pairs);

  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  const Label& operator[](size_t i) const { return labels_[i]; }
  std::vector<Label>::const_iterator begin() const { return labels_.begin(); }
  std::vector<Label>::const_iterator end() const { return labels_.end(); }
  const std::vector<Label>& pairs() const { return labels_; }

  // The value of `name`, or "" when absent (Prometheus treats an empty value
  // and a missing label alike).
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricName); }

  // A stable 64-bit hash of the sorted pairs (xxHash3), the same in every
  // process: stores use it to find series.
  uint64_t Hash() const;
  // Hash of only the named labels (`on`) or of all but them (`!on`); the
  // metric name is excluded in the latter case as PromQL's `ignoring` does.
  uint64_t HashFor(const std::vector<std::string>& names, bool on) const;

  // Prometheus' text form: name{a="x", b="y"} with Go-style escaping of values.
  std::string ToString() const;

  friend bool operator==(const Labels&, const Labels&) = default;
  friend bool operator<(const Labels& a, const Labels& b) { return Compare(a, b) < 0; }
  // Orders as Prometheus' labels.Compare: pairwise by name, then value, then length.
  static int Compare(const Labels& a, const Labels& b);

 private:
  std::vector<Label> labels_;
};

// Builds a Labels from a base by setting and deleting names; used by
// relabeling and PromQL functions. Set with an empty value deletes.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base) { Reset(base); }
  void Reset(const Labels& base);
  LabelsBuilder& Set(std::string_view name, std::string_view value);
  LabelsBuilder& Del(std::string_view name);
  // Keeps only the given names.
  LabelsBuilder& Keep(const std::vector<std::string>& names);
  std::string_view Get(std::string_view name) const;
  Labels Build() const;
  // The current pairs, sorted by name; invalidated by the next change.
  const std::vector<Label>& pairs() const { return pairs_; }
  // Deletes every pair for which pred(const Label&) is true.
  template <typename Pred>
  LabelsBuilder& DelIf(Pred pred) {
    std::erase_if(pairs_, pred);
    return *this;
  }

 private:
  std::vector<Label> pairs_;  // sorted by name, unique
};

}  // namespace pharos
