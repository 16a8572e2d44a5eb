#include "common/duration.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};
constexpr Unit kUnits[] = {
    {"y", 365LL * 24 * 3600 * 1000}, {"w", 7LL * 24 * 3600 * 1000}, {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},            {"m", 60LL * 1000},            {"s", 1000},
    {"ms", 1},
};

}  // namespace

absl::StatusOr<int64_t> ParseDurationMs(std::string_view s) {
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("not a valid duration string: \"", AV(s), "\"")); };
  if (s.empty()) return bad();
  if (s == "0") return 0;
  size_t pos = 0;
  size_t next_unit = 0;  // units must appear in decreasing order, once each
  int64_t total = 0;
  while (pos < s.size()) {
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad();
    std::string_view digits = s.substr(start, pos - start);
    size_t ustart = pos;
    while (pos < s.size() && ((s[pos] >= 'a' && s[pos] <= 'z'))) ++pos;
    std::string_view unit = s.substr(ustart, pos - ustart);
    size_t ui = next_unit;
    while (ui < std::size(kUnits) && kUnits[ui].name != unit) ++ui;
    if (ui == std::size(kUnits)) return bad();
    next_unit = ui + 1;
    int64_t n = 0;
    for (char c : digits) {
      if (n > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) return bad();
      n = n * 10 + (c - '0');
    }
    if (n > std::numeric_limits<int64_t>::max() / kUnits[ui].ms) return bad();
    n *= kUnits[ui].ms;
    if (total > std::numeric_limits<int64_t>::max() - n) return bad();
    total += n;
  }
  return total;
}

std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out.push_back('-');
    ms = -ms;
  }
  for (const auto& u : kUnits) {
    if (ms >= u.ms) {
      // Prometheus only uses weeks and years when they divide evenly.
      if ((u.name == "y" || u.name == "w") && ms % u.ms != 0) continue;
      absl::StrAppend(&out, ms / u.ms, AV(u.name));
      ms %= u.ms;
    }
  }
  return out;
}

}  // namespace pharos
