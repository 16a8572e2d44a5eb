#include "scrape/textparse/internal/go_float.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <system_error>

namespace pharos::scrape::textparse::internal {
namespace {

bool EqualsLower(const char* p, const char* e, std::string_view lower) {
  if (static_cast<size_t>(e - p) != lower.size()) return false;
  for (char c : lower) {
    if ((*p++ | 0x20) != c) return false;
  }
  return true;
}

bool IsDigit(char c) { return static_cast<unsigned>(c - '0') < 10; }

// std::from_chars reported result_out_of_range for the syntactically valid
// decimal [p, e) (no sign). Go's ParseFloat fails on overflow but returns 0 on
// underflow, so tell the two apart by the decimal magnitude of the number.
bool IsUnderflow(const char* p, const char* e) {
  int64_t magnitude = 0;  // power of ten of the first significant digit
  bool found = false;
  int64_t int_digits = 0;
  while (p < e && IsDigit(*p)) {
    if (found || *p != '0') {
      found = true;
      ++int_digits;
    }
    ++p;
  }
  if (found) {
    magnitude = int_digits - 1;
  } else if (p < e && *p == '.') {
    ++p;
    int64_t zeros = 0;
    while (p < e && *p == '0') ++zeros, ++p;
    magnitude = -(zeros + 1);
  }
  while (p < e && (IsDigit(*p) || *p == '.')) ++p;
  int64_t exp = 0;
  if (p < e && (*p == 'e' || *p == 'E')) {
    ++p;
    bool neg = false;
    if (p < e && (*p == '+' || *p == '-')) neg = *p++ == '-';
    while (p < e && IsDigit(*p)) {
      if (exp < 1'000'000'000) exp = exp * 10 + (*p - '0');
      ++p;
    }
    if (neg) exp = -exp;
  }
  return magnitude + exp < 0;
}

}  // namespace

double NormalNaN() {
  double d;
  std::memcpy(&d, &kNormalNaNBits, sizeof d);
  return d;
}

bool ParseGoFloat(std::string_view s, double* out) {
  const char* p = s.data();
  const char* e = p + s.size();
  if (p == e) return false;
  bool neg = false;
  const char* q = p;
  if (*q == '+' || *q == '-') {
    neg = *q == '-';
    if (++q == e) return false;
  }
  // Plain integers of up to 15 digits are exact in a double: the common case.
  if (e - q <= 15) {
    uint64_t v = 0;
    const char* r = q;
    while (r < e && IsDigit(*r)) v = v * 10 + static_cast<uint64_t>(*r++ - '0');
    if (r == e) {
      double d = static_cast<double>(v);
      *out = neg ? -d : d;
      return true;
    }
  }
  switch (*q | 0x20) {
    case 'i':
      if (!EqualsLower(q, e, "inf") && !EqualsLower(q, e, "infinity")) return false;
      *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      return true;
    case 'n':
      // Go accepts "nan" in any case but without a sign.
      if (q != p || !EqualsLower(q, e, "nan")) return false;
      *out = NormalNaN();
      return true;
    default:
      break;
  }
  if (*q == '+' || *q == '-') return false;  // "+-1", "--1"
  double d = 0;
  auto r = std::from_chars(q, e, d, std::chars_format::general);
  if (r.ptr != e) return false;  // trailing bytes (also: hex, '_', "1e")
  if (r.ec == std::errc::result_out_of_range) {
    if (!IsUnderflow(q, e)) return false;
    d = 0;
  } else if (r.ec != std::errc()) {
    return false;
  }
  *out = neg ? -d : d;
  return true;
}

bool ParseDecimalInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

int64_t SecondsToMillis(double seconds) {
  double ms = seconds * 1000.0;
  if (ms >= 0x1p63) return std::numeric_limits<int64_t>::max();
  if (ms < -0x1p63) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(ms);  // truncates toward zero, as Go does
}

}  // namespace pharos::scrape::textparse::internal
