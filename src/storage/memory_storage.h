// MemoryStorage: a simple, obviously-correct in-memory store implementing
// both storage interfaces. It is the fake that engine, rule, scrape and API
// tests run against, and the reference that store tests compare with. It
// is not tuned for size or speed.
//
// Thread-safe. Samples must be appended in time order per series (others are
// refused as out of order, as the TSDB does with a zero out-of-order window).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/appender.h"
#include "storage/querier.h"

namespace pharos::storage {

class MemoryStorage final : public Queryable, public Appendable {
 public:
  MemoryStorage() = default;

  std::unique_ptr<Appender> NewAppender() override;
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // Direct insertion for tests: appends and commits one sample.
  absl::Status Add(const Labels& labels, int64_t t, double v);
  size_t NumSeries() const;
  size_t NumSamples() const;

 private:
  friend class MemoryAppender;
  friend class MemoryQuerier;
  mutable std::mutex mu_;
  std::map<Labels, std::vector<Sample>> series_;  // guarded by mu_
};

}  // namespace pharos::storage
