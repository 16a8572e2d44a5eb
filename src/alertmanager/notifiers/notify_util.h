// Helpers shared by the notifiers, each one a piece of Alertmanager 0.25's
// notify/util.go: rune truncation, the HTTP status check that decides
// retries, the group key hash, and Go's JSON time format.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "alertmanager/interfaces.h"

namespace pharos::am::notifiers {

// The User-Agent every notifier sends, as 0.25 does.
inline constexpr std::string_view kUserAgent = "Alertmanager/0.25.0";

// notify.TruncateInRunes: at most n runes; when cut, the last kept rune is
// replaced by "…" (for n <= 3 the runes are cut without a marker). Invalid
// UTF-8 bytes count as one rune each, as Go's []rune conversion does.
std::pair<std::string, bool> TruncateInRunes(std::string_view s, size_t n);

// notify.Retrier: 2xx is success; 5xx and `retry_codes` are retried; any
// other status is a permanent error. The error reads "unexpected status code
// N" plus ": <details>" when `details` (or, without it, the body) says
// something.
struct RetryPolicy {
  std::vector<int> retry_codes;
  std::function<std::string(int status, std::string_view body)> details;
};
Integration::Result CheckStatus(int status, std::string_view body, const RetryPolicy& policy);

// The hex SHA-256 of a group key (notify.Key.Hash: PagerDuty's dedup key).
std::string GroupKeyHash(std::string_view group_key);

// Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros
// dropped, UTC as "Z"); InfinitePast is Go's zero time 0001-01-01T00:00:00Z.
std::string GoJsonTime(absl::Time t);

}  // namespace pharos::am::notifiers
