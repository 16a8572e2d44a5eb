#include "alertmanager/notifiers/notify_util.h"

#include <openssl/sha.h>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "common/utf8.h"

namespace pharos::am::notifiers {
namespace {

// Byte length of the rune starting at s[i] as Go decodes it: a well-formed
// UTF-8 sequence, otherwise one byte.
size_t RuneLen(std::string_view s, size_t i) {
  size_t n = Utf8SequenceLength(s, i);
  return n == 0 ? 1 : n;
}

}  // namespace

std::pair<std::string, bool> TruncateInRunes(std::string_view s, size_t n) {
  std::vector<size_t> starts;  // byte offset of each rune
  for (size_t i = 0; i < s.size(); i += RuneLen(s, i)) {
    starts.push_back(i);
    if (starts.size() > n) break;
  }
  if (starts.size() <= n) return {std::string(s), false};
  if (n <= 3) return {std::string(s.substr(0, starts[n])), true};
  // Invalid bytes become U+FFFD in Go's string([]rune); keep them as they are
  // here: the JSON writer replaces them the same way.
  return {absl::StrCat(AV(s.substr(0, starts[n - 1])), "\u2026"), true};
}

Integration::Result CheckStatus(int status, std::string_view body, const RetryPolicy& policy) {
  if (status / 100 == 2) return {};
  bool retry = status / 100 == 5;
  for (int c : policy.retry_codes) retry = retry || c == status;
  std::string msg = absl::StrCat("unexpected status code ", status);
  // Go puts the whole body in the error; a receiver's error page can be
  // large, so Pharos keeps its first 4 KiB.
  constexpr size_t kMaxDetails = 4096;
  std::string details = policy.details ? policy.details(status, body) : std::string(body.substr(0, kMaxDetails));
  if (!details.empty()) absl::StrAppend(&msg, ": ", details);
  return {retry ? absl::UnavailableError(msg) : absl::FailedPreconditionError(msg), retry};
}

std::string GroupKeyHash(std::string_view group_key) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(group_key.data()), group_key.size(), out);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : out) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

std::string GoJsonTime(absl::Time t) {
  if (t == absl::InfinitePast()) return "0001-01-01T00:00:00Z";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

}  // namespace pharos::am::notifiers
