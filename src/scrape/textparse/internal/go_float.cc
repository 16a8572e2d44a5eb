#include "scrape/textparse/internal/go_float.h"

#include <charconv>
#include <cstring>
#include <iterator>
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

// Powers of ten that are exact doubles.
constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

}  // namespace

const char* ParsePlainDecimal(const char* p, const char* e, double* out) {
  const char* q = p;
  bool neg = false;
  if (q < e && (*q == '+' || *q == '-')) neg = *q++ == '-';
  const char* digits = q;
  uint64_t v = 0;
  while (q < e && IsDigit(*q)) v = v * 10 + static_cast<uint64_t>(*q++ - '0');
  size_t n = static_cast<size_t>(q - digits);
  if (n == 0) return nullptr;
  size_t frac = 0;
  if (q < e && *q == '.') {
    const char* f = ++q;
    while (q < e && IsDigit(*q)) v = v * 10 + static_cast<uint64_t>(*q++ - '0');
    frac = static_cast<size_t>(q - f);
    if (frac == 0) return nullptr;  // "5." is ParseGoFloat's
    n += frac;
  }
  // 19 digits cannot overflow uint64; beyond 2^53 the integer itself may
  // not be exact; beyond 10^22 the divisor may not be.
  if (n > 19 || v > (uint64_t{1} << 53) || frac >= std::size(kExactPow10)) return nullptr;
  double d = static_cast<double>(v);
  if (frac != 0) d /= kExactPow10[frac];
  *out = neg ? -d : d;
  return q;
}

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
  if (ParsePlainDecimal(p, e, out) == e) return true;  // the common case
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
