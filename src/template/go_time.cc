#include "template/go_time.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace pharos::tmpl {
namespace {

struct Civil {
  int64_t year;
  int month, day, hour, minute, second, weekday, yday;
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's method).
void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yy + (*m <= 2 ? 1 : 0);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

Civil ToCivil(int64_t sec) {
  int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
  int64_t rem = sec - days * 86400;
  Civil c;
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem / 60 % 60);
  c.second = static_cast<int>(rem % 60);
  int64_t wd = (days + 4) % 7;  // 1970-01-01 was a Thursday
  if (wd < 0) wd += 7;
  c.weekday = static_cast<int>(wd);
  static const int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  c.yday = kCum[c.month - 1] + c.day + (c.month > 2 && IsLeap(c.year) ? 1 : 0);
  return c;
}

const char* kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                         "August", "September", "October", "November", "December"};
const char* kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

std::string Pad(int64_t v, int width, char fill = '0') {
  bool neg = v < 0;
  std::string s = std::to_string(neg ? -v : v);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), fill);
  return neg ? "-" + s : s;
}

// Go's default time String layout: "2006-01-02 15:04:05.999999999 -0700 MST".
constexpr std::string_view kDefaultLayout = "2006-01-02 15:04:05.999999999 -0700 MST";

// Epoch offset of Go's zero time, 0001-01-01 00:00:00 UTC.
constexpr int64_t kZeroTimeUnix = -62135596800LL;

}  // namespace

Value TimeObject::Make(int64_t unix_sec, int32_t nsec) {
  return Value::FromObject(std::make_shared<TimeObject>(unix_sec, nsec));
}

Value TimeObject::Zero() { return Make(kZeroTimeUnix, 0); }

bool TimeObject::IsMethod(std::string_view name) const {
  return name == "Format" || name == "Unix" || name == "UnixMilli" || name == "UnixNano" || name == "UTC" ||
         name == "Local" || name == "String" || name == "IsZero" || name == "Year";
}

std::optional<absl::StatusOr<Value>> TimeObject::Member(std::string_view name, std::span<const Value> args) const {
  auto want = [&](size_t n) -> absl::Status {
    if (args.size() != n) {
      return absl::InvalidArgumentError(absl::StrCat("wrong number of args for ", std::string(name), ": want ", n,
                                                     " got ", args.size()));
    }
    return absl::OkStatus();
  };
  absl::Status st = want(name == "Format" ? 1 : 0);
  if (!IsMethod(name)) return std::nullopt;
  if (!st.ok()) return absl::StatusOr<Value>(st);
  if (name == "Format") {
    if (args[0].kind() != Value::Kind::kString) {
      return absl::StatusOr<Value>(absl::InvalidArgumentError(
          "wrong type for value; expected string; got " + args[0].TypeName()));
    }
    return absl::StatusOr<Value>(Value::String(Format(args[0].AsString())));
  }
  if (name == "Unix") return absl::StatusOr<Value>(Value::Int(sec_));
  if (name == "UnixMilli") return absl::StatusOr<Value>(Value::Int(sec_ * 1000 + nsec_ / 1000000));
  if (name == "UnixNano") return absl::StatusOr<Value>(Value::Int(sec_ * 1000000000 + nsec_));
  if (name == "UTC" || name == "Local") return absl::StatusOr<Value>(Make(sec_, nsec_));
  if (name == "String") return absl::StatusOr<Value>(Value::String(Print()));
  if (name == "IsZero") return absl::StatusOr<Value>(Value::Bool(sec_ == kZeroTimeUnix && nsec_ == 0));
  return absl::StatusOr<Value>(Value::Int(ToCivil(sec_).year));
}

std::string TimeObject::Print() const { return Format(kDefaultLayout); }

std::string TimeObject::Format(std::string_view layout) const {
  Civil c = ToCivil(sec_);
  std::string out;
  size_t i = 0;
  auto at = [&](std::string_view p) { return layout.substr(i).starts_with(p); };
  while (i < layout.size()) {
    char ch = layout[i];
    if (at("January")) {
      out += kMonths[c.month - 1];
      i += 7;
    } else if (at("Jan")) {
      out += std::string_view(kMonths[c.month - 1]).substr(0, 3);
      i += 3;
    } else if (at("Monday")) {
      out += kDays[c.weekday];
      i += 6;
    } else if (at("Mon")) {
      out += std::string_view(kDays[c.weekday]).substr(0, 3);
      i += 3;
    } else if (at("MST")) {
      out += "UTC";
      i += 3;
    } else if (at("2006")) {
      out += Pad(c.year, 4);
      i += 4;
    } else if (at("002")) {
      out += Pad(c.yday, 3);
      i += 3;
    } else if (at("01")) {
      out += Pad(c.month, 2);
      i += 2;
    } else if (at("02")) {
      out += Pad(c.day, 2);
      i += 2;
    } else if (at("03")) {
      out += Pad(c.hour % 12 == 0 ? 12 : c.hour % 12, 2);
      i += 2;
    } else if (at("04")) {
      out += Pad(c.minute, 2);
      i += 2;
    } else if (at("05")) {
      out += Pad(c.second, 2);
      i += 2;
    } else if (at("06")) {
      out += Pad(c.year % 100, 2);
      i += 2;
    } else if (at("15")) {
      out += Pad(c.hour, 2);
      i += 2;
    } else if (at("_2")) {
      out += Pad(c.day, 2, ' ');
      i += 2;
    } else if (ch == '1') {
      out += std::to_string(c.month);
      ++i;
    } else if (ch == '2') {
      out += std::to_string(c.day);
      ++i;
    } else if (ch == '3') {
      out += std::to_string(c.hour % 12 == 0 ? 12 : c.hour % 12);
      ++i;
    } else if (ch == '4') {
      out += std::to_string(c.minute);
      ++i;
    } else if (ch == '5') {
      out += std::to_string(c.second);
      ++i;
    } else if (at("PM")) {
      out += c.hour >= 12 ? "PM" : "AM";
      i += 2;
    } else if (at("pm")) {
      out += c.hour >= 12 ? "pm" : "am";
      i += 2;
    } else if (at("-07:00:00")) {
      out += "+00:00:00";
      i += 9;
    } else if (at("-070000")) {
      out += "+000000";
      i += 7;
    } else if (at("-07:00")) {
      out += "+00:00";
      i += 6;
    } else if (at("-0700")) {
      out += "+0000";
      i += 5;
    } else if (at("-07")) {
      out += "+00";
      i += 3;
    } else if (at("Z07:00:00") || at("Z070000") || at("Z07:00") || at("Z0700") || at("Z07")) {
      out += "Z";
      i += at("Z07:00:00") ? 9 : at("Z070000") ? 7 : at("Z07:00") ? 6 : at("Z0700") ? 5 : 3;
    } else if ((ch == '.' || ch == ',') && i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9')) {
      char d = layout[i + 1];
      size_t j = i + 1;
      while (j < layout.size() && layout[j] == d) ++j;
      if (j < layout.size() && layout[j] >= '0' && layout[j] <= '9') {
        out.push_back(ch);
        ++i;
        continue;
      }
      size_t n = j - i - 1;
      std::string frac = Pad(nsec_, 9).substr(0, std::min<size_t>(n, 9));
      if (d == '9') {
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        if (!frac.empty()) {
          out.push_back(ch);
          out += frac;
        }
      } else {
        out.push_back(ch);
        out += frac;
      }
      i = j;
    } else {
      out.push_back(ch);
      ++i;
    }
  }
  return out;
}

}  // namespace pharos::tmpl
