// Number parsing as Prometheus' scrape parsers do it.
//
// ParseGoFloat accepts exactly what Go's strconv.ParseFloat(s, 64) accepts
// for the strings Prometheus passes it (Prometheus first rejects any 'p', 'P'
// or '_', which rules out Go's hexadecimal and underscore forms):
//   [+-]digits[.digits][(e|E)[+-]digits]  (also ".5" and "5.")
//   [+-](inf|infinity)                    (any case)
//   nan                                   (any case, no sign)
// Values beyond the float64 range are an error (Go: ErrRange); values too
// small round to zero as in Go. NaN comes back as Prometheus' normal NaN
// (value.NormalNaN), never as the staleness marker.
#pragma once

#include <cstdint>
#include <string_view>

namespace pharos::scrape::textparse::internal {

// Bits of the NaN Prometheus stores for scraped NaN values.
inline constexpr uint64_t kNormalNaNBits = 0x7ff8000000000001ULL;
double NormalNaN();

bool ParseGoFloat(std::string_view s, double* out);

// The common case of ParseGoFloat, read while scanning: a plain decimal
// [+-]digits[.digits] at [p, e) with at most 19 digits whose value without
// the point is at most 2^53 and at most 22 digits after the point (so that
// digits / 10^k, both exact doubles, rounds once, to the nearest double:
// what ParseFloat returns). Returns where the number ends (the first byte
// that is not part of that form), or null when [p, e) does not start with
// such a number; the caller decides whether the byte at the end ends the
// value (otherwise ParseGoFloat reads the whole value).
const char* ParsePlainDecimal(const char* p, const char* e, double* out);

// Decimal digits only (what the text format allows as a timestamp); false on
// an empty string, any other byte, or overflow of int64.
bool ParseDecimalInt64(std::string_view s, int64_t* out);

// Seconds as a float to integer milliseconds, truncating toward zero as Go's
// int64(seconds * 1000) does; saturates at the int64 range instead of Go's
// platform-dependent result. `seconds` must not be NaN.
int64_t SecondsToMillis(double seconds);

}  // namespace pharos::scrape::textparse::internal
