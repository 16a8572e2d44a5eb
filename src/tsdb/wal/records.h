// The payloads of WAL records (docs/format/wal.md): series (a reference and
// its labels) and samples (reference, timestamp, value). Decoders are
// bounded: they never read past the payload, never allocate more than the
// payload's size justifies, and reject malformed input with DataLoss.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/labels.h"

namespace pharos::tsdb::wal {

enum class RecordType : uint8_t {
  kSeries = 1,
  kSamples = 2,
};

struct RefSeries {
  uint64_t ref = 0;
  Labels labels;
};

struct RefSample {
  uint64_t ref = 0;
  int64_t t = 0;
  double v = 0;
};

// Append the encoded payload to `out`.
void EncodeSeries(std::span<const RefSeries> series, std::string* out);
void EncodeSamples(std::span<const RefSample> samples, std::string* out);

// Decode a payload, appending to `out`. On error `out` may hold a prefix.
absl::Status DecodeSeries(std::string_view payload, std::vector<RefSeries>* out);
absl::Status DecodeSamples(std::string_view payload, std::vector<RefSample>* out);

}  // namespace pharos::tsdb::wal
