// One float sample. Staleness markers are a special NaN (see IsStaleNaN).
#pragma once

#include <cstdint>
#include <cstring>

namespace pharos::storage {

struct Sample {
  int64_t t;  // milliseconds since the Unix epoch
  double v;
  friend bool operator==(const Sample&, const Sample&) = default;
};

// Prometheus' staleness marker: the NaN with bit pattern 0x7ff0000000000002.
// It is stored like any sample; readers treat it as the end of the series.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

inline double StaleNaN() {
  double d;
  std::memcpy(&d, &kStaleNaNBits, sizeof d);
  return d;
}

inline bool IsStaleNaN(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b == kStaleNaNBits;
}

}  // namespace pharos::storage
