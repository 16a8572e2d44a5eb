// Read side of the storage: what PromQL, rules and the API depend on. Every
// store (the TSDB's head and blocks, fakes in tests) implements these.
//
// Threading: a Querier is used by one thread at a time; Queryable is
// thread-safe. A Querier holds its data alive (head chunks, mmapped blocks)
// until it is destroyed; SeriesSets and iterators it returns must not outlive it.
// Iterators of different series (Series::Iterator, taken on the querier's
// thread) may be used on different threads at once, each by one thread at
// a time: the PromQL engine decodes disjoint series in parallel.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "storage/iterator.h"

namespace pharos::storage {

class Series {
 public:
  virtual ~Series() = default;
  virtual const Labels& labels() const = 0;
  // A fresh iterator over the series' samples within the querier's range
  // (stores may return a few samples outside it).
  virtual std::unique_ptr<SampleIterator> Iterator() const = 0;
};

class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // Valid after Next() returned true, until the next call to Next().
  virtual const Series& At() const = 0;
  virtual absl::Status Err() const { return absl::OkStatus(); }
  virtual std::vector<std::string> Warnings() const { return {}; }
};

// Optional hints a store may use to load less. Stores must return correct
// data regardless of them.
struct SelectHints {
  int64_t start_ms = 0;  // first timestamp the caller needs
  int64_t end_ms = 0;    // last timestamp the caller needs
  int64_t step_ms = 0;
  int64_t range_ms = 0;  // range of a range selector, 0 for instant selectors
  std::string func;      // enclosing function, "series" for metadata calls
};

class Querier {
 public:
  virtual ~Querier() = default;

  // Series matching all matchers, with samples in the querier's range. With
  // sorted=true, ordered by Labels::Compare. At least one matcher must not
  // match the empty string (callers ensure this).
  virtual std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints,
                                            const Matchers& matchers) = 0;
  // Sorted, unique values of `name` among series matching `matchers` (all
  // series if empty) that have samples in range.
  virtual absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                               const Matchers& matchers) = 0;
  // Sorted, unique label names among series matching `matchers`.
  virtual absl::StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) = 0;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  // A querier over [mint, maxt] (milliseconds, inclusive).
  virtual absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint, int64_t maxt) = 0;
};

// A SeriesSet that yields nothing, optionally with an error.
std::unique_ptr<SeriesSet> EmptySeriesSet(absl::Status err = absl::OkStatus());

}  // namespace pharos::storage
