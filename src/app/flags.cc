#include "app/flags.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::app {

absl::StatusOr<int64_t> ParseBytes(std::string_view s) {
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("invalid size \"", AV(s), "\"")); };
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return bad();
  int64_t n = 0;
  for (size_t k = 0; k < i; ++k) {
    if (n > (INT64_MAX - 9) / 10) return bad();
    n = n * 10 + (s[k] - '0');
  }
  std::string unit(s.substr(i));
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() == 3 && unit[1] == 'I' && unit[2] == 'B') unit = unit.substr(0, 1) + "B";
  int shift;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else if (unit == "KB") {
    shift = 10;
  } else if (unit == "MB") {
    shift = 20;
  } else if (unit == "GB") {
    shift = 30;
  } else if (unit == "TB") {
    shift = 40;
  } else if (unit == "PB") {
    shift = 50;
  } else if (unit == "EB") {
    shift = 60;
  } else {
    return bad();
  }
  if (shift > 0 && n > (INT64_MAX >> shift)) return bad();
  return n << shift;
}

}  // namespace pharos::app
