#include "api/go_format.h"

#include <charconv>
#include <cmath>

namespace pharos::api {
void AppendGoJsonFloat(std::string* out, double v) {
  if (!std::isfinite(v)) {
    *out += "null";
    return;
  }
  char buf[64];
  double a = std::fabs(v);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    // Like strconv, to_chars writes at least two exponent digits ("1e+21",
    // "1e-07"); encoding/json then trims a negative one's leading zero ("1e-7").
    std::string_view s(buf, r.ptr - buf);
    size_t e = s.find('e');
    out->append(s.substr(0, e + 2));  // mantissa, 'e', sign
    std::string_view digits = s.substr(e + 2);
    if (s[e + 1] == '-' && digits.size() == 2 && digits.front() == '0') digits.remove_prefix(1);
    out->append(digits);
    return;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  out->append(buf, r.ptr);
}

std::string FormatGoTime(absl::Time t) {
  if (t == absl::InfinitePast()) return "0001-01-01T00:00:00Z";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

void WriteLabelsJson(JsonWriter& w, const Labels& labels) {
  w.BeginObject();
  for (const auto& l : labels) w.Key(l.name).String(l.value);
  w.EndObject();
}

}  // namespace pharos::api
