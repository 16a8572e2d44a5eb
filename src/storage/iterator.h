// SampleIterator: the one iterator shape for samples of a series
// (Next/Seek/At/Err, as in Prometheus' chunkenc.Iterator).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "storage/sample.h"

namespace pharos::storage {

class SampleIterator {
 public:
  virtual ~SampleIterator() = default;

  // Advances to the next sample. Returns false when exhausted or on error
  // (check Err()). Timestamps are strictly increasing.
  virtual bool Next() = 0;
  // Advances to the first sample with timestamp >= t. If the current sample
  // already satisfies that, stays on it. Returns false when there is none.
  // Seek never moves backwards.
  virtual bool Seek(int64_t t) = 0;
  // The current sample; valid after Next() or Seek() returned true.
  virtual Sample At() const = 0;
  virtual absl::Status Err() const { return absl::OkStatus(); }

  // Appends the current sample (if positioned) and all following samples
  // with t <= maxt to `out`, leaving the iterator on the first sample after
  // maxt (or exhausted). Returns false when exhausted. The default loops over
  // Next(); chunk iterators override it with a tight decode loop. Engines use
  // it to decode a series once per query.
  //
  // Contract: call after Seek() returned true, or after Next() returned
  // true; the sample under the cursor is included when its t <= maxt.
  virtual bool AppendUntil(int64_t maxt, std::vector<Sample>* out) {
    for (;;) {
      Sample s = At();
      if (s.t > maxt) return true;
      out->push_back(s);
      if (!Next()) return false;
    }
  }
};

// An iterator over a vector of samples; used by fakes, tests and buffers.
class VectorIterator final : public SampleIterator {
 public:
  explicit VectorIterator(std::vector<Sample> samples) : samples_(std::move(samples)) {}
  bool Next() override { return ++pos_ < static_cast<int64_t>(samples_.size()); }
  bool Seek(int64_t t) override {
    if (pos_ < 0) pos_ = 0;
    while (pos_ < static_cast<int64_t>(samples_.size()) && samples_[pos_].t < t) ++pos_;
    return pos_ < static_cast<int64_t>(samples_.size());
  }
  Sample At() const override { return samples_[pos_]; }

 private:
  std::vector<Sample> samples_;
  int64_t pos_ = -1;
};

}  // namespace pharos::storage
