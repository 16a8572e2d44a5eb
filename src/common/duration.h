// Durations in Prometheus' notation: "1h30m", "15s", "100ms", "2w", "1y"
// (units y=365d, w, d, h, m, s, ms, each at most once and in that order).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace pharos {

// Parses into milliseconds. "0" is accepted; an empty string, a negative
// value, a unit out of order or an overflow is an InvalidArgument error.
absl::StatusOr<int64_t> ParseDurationMs(std::string_view s);

// Formats milliseconds the way Prometheus prints model.Duration: "1h30m",
// "15s", "0s".
std::string FormatDurationMs(int64_t ms);

}  // namespace pharos
