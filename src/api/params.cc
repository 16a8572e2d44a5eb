#include "api/params.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "api/go_format.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "promql/parser.h"

namespace pharos::api {
namespace {

// Go's formatting of minTime and maxTime, which Prometheus' own clients send
// and which time.Parse cannot read (years beyond 9999).
constexpr std::string_view kMinTimeFormatted = "-292273086-05-16T16:47:06Z";
constexpr std::string_view kMaxTimeFormatted = "292277025-08-18T07:12:54.999999999Z";

bool IsDecimalNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// time.Parse(time.RFC3339Nano, s), to milliseconds (truncated toward the past).
bool ParseRfc3339(std::string_view s, int64_t* ms) {
  int year, mon, day, hour, min, sec;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mon) || s[7] != '-' ||
      !Digits(s, 8, 2, &day) || s[10] != 'T' || !Digits(s, 11, 2, &hour) || s[13] != ':' ||
      !Digits(s, 14, 2, &min) || s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (mon < 1 || mon > 12 || day < 1 || day > kDays[mon - 1] + (mon == 2 && leap) || hour > 23 || min > 59 ||
      sec > 59) {
    return false;
  }
  size_t i = 19;
  int64_t nanos = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    size_t start = i;
    int64_t scale = 100000000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      nanos += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  int64_t offset = 0;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' || !Digits(s, i + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return false;
    }
    offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  int64_t secs = DaysFromCivil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec - offset;
  *ms = secs * 1000 + nanos / 1000000;
  return true;
}

}  // namespace

std::string InvalidParam(std::string_view name, std::string_view message) {
  return absl::StrCat("invalid parameter ", GoQuote(name), ": ", AV(message));
}

absl::StatusOr<int64_t> ParseTimeMs(std::string_view s) {
  // The common form (clients send "1795759200" or "1795759200.000"): whole
  // seconds of at most 12 digits and at most 3 fraction digits, in exact
  // integer arithmetic: the same milliseconds as the general path below,
  // without a string copy and strtod.
  {
    size_t i = 0;
    int64_t sec = 0;
    while (i < s.size() && i < 12 && s[i] >= '0' && s[i] <= '9') sec = sec * 10 + (s[i++] - '0');
    size_t whole_digits = i;
    int64_t ms = 0;
    size_t frac_digits = 0;
    if (whole_digits > 0 && i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && frac_digits < 3 && s[i] >= '0' && s[i] <= '9') {
        ms = ms * 10 + (s[i++] - '0');
        ++frac_digits;
      }
    }
    if (whole_digits > 0 && i == s.size()) {
      for (size_t k = frac_digits; k < 3; ++k) ms *= 10;
      return sec * 1000 + ms;
    }
  }
  if (IsDecimalNumber(s)) {
    double t = std::strtod(std::string(s).c_str(), nullptr);
    // Seconds beyond Prometheus' own bounds do not fit in milliseconds.
    if (std::isfinite(t) && t >= -9.2e15 && t <= 9.2e15) {
      double whole;
      double frac = std::modf(t, &whole);
      return static_cast<int64_t>(whole) * 1000 + static_cast<int64_t>(std::round(frac * 1000));
    }
  } else {
    int64_t ms;
    if (ParseRfc3339(s, &ms)) return ms;
    if (s == kMinTimeFormatted) return kMinTimeMs;
    if (s == kMaxTimeFormatted) return kMaxTimeMs;
  }
  return absl::InvalidArgumentError(absl::StrCat("cannot parse ", GoQuote(s), " to a valid timestamp"));
}

absl::StatusOr<int64_t> ParseTimeParam(const http::Request& req, std::string_view name, int64_t default_ms) {
  std::string_view v = req.Param(name);
  if (v.empty()) return default_ms;
  auto t = ParseTimeMs(v);
  if (!t.ok()) {
    return absl::InvalidArgumentError(InvalidParam(
        name, absl::StrCat("Invalid time value for '", AV(name), "': ", AV(SV(t.status().message())))));
  }
  return t;
}

absl::StatusOr<size_t> ParseLimitParam(const http::Request& req) {
  std::string_view s = req.Param("limit");
  if (s.empty()) return 0;
  int64_t v = 0;
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || r.ptr != digits.data() + digits.size() || r.ec == std::errc::invalid_argument) {
    return absl::InvalidArgumentError(
        InvalidParam("limit", absl::StrCat("strconv.Atoi: parsing ", GoQuote(s), ": invalid syntax")));
  }
  if (r.ec == std::errc::result_out_of_range) {
    return absl::InvalidArgumentError(
        InvalidParam("limit", absl::StrCat("strconv.Atoi: parsing ", GoQuote(s), ": value out of range")));
  }
  if (v <= 0) return absl::InvalidArgumentError(InvalidParam("limit", "limit must be positive"));
  return static_cast<size_t>(v);
}

absl::StatusOr<std::vector<Matchers>> ParseMatchersParam(const std::vector<std::string_view>& selectors) {
  std::vector<Matchers> sets;
  sets.reserve(selectors.size());
  for (std::string_view s : selectors) {
    // The same selector parser as PromQL's, so match[] reads exactly as a
    // query's selector does (and errors carry the same positions).
    // The PromQL lexer does not check UTF-8 yet; Prometheus' refuses a
    // selector with an invalid sequence at its position (line 1, byte column).
    if (!IsValidUtf8(s)) {
      size_t i = 0;
      while (i < s.size() && Utf8SequenceLength(s, i) > 0) i += Utf8SequenceLength(s, i);
      return absl::InvalidArgumentError(absl::StrCat("1:", i + 1, ": parse error: invalid UTF-8 rune"));
    }
    auto vs = promql::ParseMetricSelector(s);
    if (!vs.ok()) return vs.status();
    sets.push_back(std::move((*vs)->matchers));
  }
  for (const auto& set : sets) {
    bool non_empty = false;
    for (const auto& m : set) non_empty |= !m.MatchesEmpty();
    if (!non_empty) return absl::InvalidArgumentError("match[] must contain at least one non-empty matcher");
  }
  return sets;
}

}  // namespace pharos::api
