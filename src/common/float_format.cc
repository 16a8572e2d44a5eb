#include "common/float_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace pharos {

void AppendFloatGo(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  out.append(buf, r.ptr);
}

std::string FormatFloatGo(double v) {
  std::string s;
  AppendFloatGo(s, v);
  return s;
}

namespace {

// Shortest round-trip digits laid out as Go does: exponent form when
// exp < -4 || exp >= max_exp, with at least two exponent digits (1e+06, 1e-07).
std::string FormatShortest(double v, int max_exp) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // e.g. "-1.2345e+06"
  size_t epos = sci.find('e');
  int exp = std::atoi(sci.c_str() + epos + 1);
  if (exp < -4 || exp >= max_exp) {
    std::string mant = sci.substr(0, epos);
    char eb[16];
    std::snprintf(eb, sizeof(eb), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return mant + eb;
  }
  auto f = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, f.ptr);
}

}  // namespace

std::string FormatFloatGoG(double v) { return FormatShortest(v, 21); }

std::string FormatFloatGoV(double v) { return FormatShortest(v, 6); }

}  // namespace pharos
