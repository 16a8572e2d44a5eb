// Request parameters as Prometheus' API parses them: times (parseTime),
// limits (parseLimitParam) and series selectors (match[]). Errors carry
// Prometheus' messages, to be answered as bad_data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/matcher.h"
#include "http/request.h"

namespace pharos::api {

// The bounds Prometheus uses when start/end are absent: its minTime and
// maxTime (about ±292 million years) in milliseconds.
inline constexpr int64_t kMinTimeMs = -9223309901257974000;
inline constexpr int64_t kMaxTimeMs = 9223309901257974999;

// Unix seconds with an optional fraction (rounded to milliseconds) or RFC
// 3339 ("2024-05-01T10:00:00.5Z", "…+02:00"). Error: cannot parse "x" to a
// valid timestamp.
absl::StatusOr<int64_t> ParseTimeMs(std::string_view s);

// The parameter `name` of `req` as a time, or `default_ms` when absent or
// empty. Error: `invalid parameter "start": Invalid time value for 'start':
// cannot parse …`.
absl::StatusOr<int64_t> ParseTimeParam(const http::Request& req, std::string_view name, int64_t default_ms);

// The "limit" parameter: 0 (no limit) when absent; a positive integer
// otherwise. Error: `invalid parameter "limit": …`.
absl::StatusOr<size_t> ParseLimitParam(const http::Request& req);

// Every match[] selector, each a conjunction of matchers; each must have a
// matcher that does not match the empty string.
absl::StatusOr<std::vector<Matchers>> ParseMatchersParam(const std::vector<std::string_view>& selectors);

// "invalid parameter \"<name>\": <message>".
std::string InvalidParam(std::string_view name, std::string_view message);

}  // namespace pharos::api
