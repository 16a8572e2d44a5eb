// time_intervals: parsing with Alertmanager 0.25's rules and messages, and
// TimeInterval::Contains with its semantics (times are [start, end) minutes
// of the day; negative days of the month count from the month's end and are
// clamped to the month; every non-empty field must match; the time is first
// converted to `location`).
#include <cstdio>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "alertmanager/config_parse.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/yaml_map.h"
#include "config/yaml_scalar.h"

namespace pharos::am {
namespace internal {
namespace {

using config::ReadMap;
using config::YamlEntry;

constexpr const char* kWeekdays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
constexpr const char* kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                   "july",    "august",   "september", "october", "november", "december"};

// "HH:MM" with HH 00-23 and MM 00-59, or "24:00".
absl::StatusOr<int> ParseClock(std::string_view s) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  bool ok = false;
  if (s == "24:00") {
    ok = true;
  } else if (s.size() == 5 && digit(s[0]) && digit(s[1]) && s[2] == ':' && s[3] >= '0' && s[3] <= '5' && digit(s[4])) {
    ok = (s[0] <= '1') || (s[0] == '2' && s[1] <= '3');
  }
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("couldn't parse timestamp ", AV(s), ", invalid format"));
  return ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
}

absl::StatusOr<TimeRange> ParseTimeRange(const YamlNode& n) {
  std::string start, end;
  RETURN_IF_ERROR(ReadMap(n, "time_range", {{"start_time", config::Into(&start)}, {"end_time", config::Into(&end)}}));
  if (start.empty() || end.empty()) return n.Error("both start and end times must be provided");
  TimeRange r;
  auto s = ParseClock(start);
  if (!s.ok()) return n.Error(SV(s.status().message()));
  auto e = ParseClock(end);
  if (!e.ok()) return n.Error(SV(e.status().message()));
  if (*s >= *e) return n.Error("start time cannot be equal or greater than end time");
  r.start_minute = *s;
  r.end_minute = *e;
  return r;
}

// Go's strconv.Atoi, with its message.
absl::StatusOr<int> Atoi(std::string_view s) {
  int v = 0;
  if (!absl::SimpleAtoi(AV(s), &v) || s.empty() || s.front() == ' ' || s.back() == ' ' ||
      s.find('\n') != std::string_view::npos || s.find('\t') != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("strconv.Atoi: parsing \"", AV(s), "\": invalid syntax"));
  }
  return v;
}

// Alertmanager's stringableRangeFromString: lower-cased, "a:b" or "a".
template <typename Member>
absl::StatusOr<InclusiveRange> ParseRange(std::string in, Member member) {
  in = absl::AsciiStrToLower(in);
  InclusiveRange r;
  if (in.find(':') != std::string::npos) {
    std::vector<std::string> parts = absl::StrSplit(in, ':');
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat("couldn't parse range ", in, ", invalid format"));
    }
    ASSIGN_OR_RETURN(r.begin, member(parts[0]));
    ASSIGN_OR_RETURN(r.end, member(parts[1]));
    return r;
  }
  ASSIGN_OR_RETURN(r.begin, member(in));
  r.end = r.begin;
  return r;
}

absl::StatusOr<int> Weekday(const std::string& s) {
  for (int i = 0; i < 7; ++i) {
    if (s == kWeekdays[i]) return i;
  }
  return absl::InvalidArgumentError(absl::StrCat(s, " is not a valid weekday"));
}

absl::StatusOr<int> Month(const std::string& s) {
  int v = 0;
  if (absl::SimpleAtoi(s, &v)) return v;  // numbers are taken as they are (0.25 does not range-check them)
  for (int i = 0; i < 12; ++i) {
    if (s == kMonths[i]) return i + 1;
  }
  return absl::InvalidArgumentError(absl::StrCat(s, " is not a valid month"));
}

absl::Status CheckWeekdays(const InclusiveRange& r, const std::string& text) {
  if (r.begin > r.end) return absl::InvalidArgumentError("start day cannot be before end day");
  if (r.begin < 0 || r.begin > 6 || r.end < 0 || r.end > 6) {
    return absl::InvalidArgumentError(absl::StrCat(text, " is not a valid day of the week: out of range"));
  }
  return absl::OkStatus();
}

absl::Status CheckDaysOfMonth(const InclusiveRange& r) {
  for (int d : {r.begin, r.end}) {
    if (d == 0 || d < -31 || d > 31) {
      return absl::InvalidArgumentError(absl::StrCat(d, " is not a valid day of the month: out of range"));
    }
  }
  if (r.begin < 0 && r.end > 0) return absl::InvalidArgumentError("end day must be negative if start day is negative");
  // With negative days only the blatant cases are caught (a 28-day month).
  int b = r.begin < 0 ? 28 + r.begin : r.begin;
  int e = r.end < 0 ? 28 + r.end : r.end;
  if (b > e) {
    return absl::InvalidArgumentError(absl::StrCat("end day ", r.end, " is always before start day ", r.begin));
  }
  return absl::OkStatus();
}

// Out-of-range numbers have no name (Alertmanager prints "" for them).
std::string MonthName(int m) { return m >= 1 && m <= 12 ? kMonths[m - 1] : ""; }

absl::Status CheckMonths(const InclusiveRange& r) {
  if (r.begin > r.end) {
    return absl::InvalidArgumentError(
        absl::StrCat("end month ", MonthName(r.end), " is before start month ", MonthName(r.begin)));
  }
  return absl::OkStatus();
}

absl::Status CheckYears(const InclusiveRange& r) {
  if (r.begin > r.end) {
    return absl::InvalidArgumentError(absl::StrCat("end year ", r.end, " is before start year ", r.begin));
  }
  return absl::OkStatus();
}

// A list of range strings; each checked by `check`, errors at the item.
template <typename Member, typename Check>
config::YamlReadFn IntoRanges(std::vector<InclusiveRange>* out, Member member, Check check) {
  return [out, member, check](const YamlNode& v) -> absl::Status {
    return ForEachItem(v, "[]string", [&](const YamlNode& item) -> absl::Status {
      ASSIGN_OR_RETURN(std::string s, config::ReadString(item));
      auto r = ParseRange(s, member);
      if (!r.ok()) return item.Error(SV(r.status().message()));
      if (absl::Status st = check(*r, s); !st.ok()) return item.Error(SV(st.message()));
      out->push_back(*r);
      return absl::OkStatus();
    });
  };
}

absl::StatusOr<absl::TimeZone> LoadZone(const std::string& name) {
  absl::TimeZone tz;
  if (name.empty() || name == "UTC") return absl::UTCTimeZone();
  if (name == "Local") return absl::LocalTimeZone();
  if (!absl::LoadTimeZone(name, &tz)) return absl::InvalidArgumentError(absl::StrCat("unknown time zone ", name));
  return tz;
}

absl::StatusOr<TimeInterval> ParseTimeInterval(const YamlNode& n) {
  TimeInterval ti;
  RETURN_IF_ERROR(ReadMap(
      n, "interval",
      {
          {"times",
           [&](const YamlNode& v) -> absl::Status {
             return ForEachItem(v, "[]timeinterval.TimeRange", [&](const YamlNode& item) -> absl::Status {
               ASSIGN_OR_RETURN(TimeRange r, ParseTimeRange(item));
               ti.times.push_back(r);
               return absl::OkStatus();
             });
           }},
          {"weekdays", IntoRanges(&ti.weekdays, Weekday, CheckWeekdays)},
          {"days_of_month",
           IntoRanges(&ti.days_of_month, Atoi,
                      [](const InclusiveRange& r, const std::string&) { return CheckDaysOfMonth(r); })},
          {"months",
           IntoRanges(&ti.months, Month, [](const InclusiveRange& r, const std::string&) { return CheckMonths(r); })},
          {"years",
           IntoRanges(&ti.years, Atoi, [](const InclusiveRange& r, const std::string&) { return CheckYears(r); })},
          {"location",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(std::string name, config::ReadString(v));
             auto tz = LoadZone(name);
             if (!tz.ok()) return v.Error(SV(tz.status().message()));
             ti.location = name.empty() ? "UTC" : name;
             return absl::OkStatus();
           }},
      }));
  return ti;
}

}  // namespace

absl::StatusOr<NamedTimeInterval> ParseNamedTimeInterval(const YamlNode& n, bool mute) {
  NamedTimeInterval named;
  RETURN_IF_ERROR(ReadMap(n, mute ? "mute_time_interval" : "time_interval",
                          {
                              {"name", config::Into(&named.name)},
                              {"time_intervals",
                               [&](const YamlNode& v) -> absl::Status {
                                 return ForEachItem(v, "[]timeinterval.TimeInterval",
                                                    [&](const YamlNode& item) -> absl::Status {
                                                      ASSIGN_OR_RETURN(TimeInterval ti, ParseTimeInterval(item));
                                                      named.intervals.push_back(std::move(ti));
                                                      return absl::OkStatus();
                                                    });
                               }},
                          }));
  if (named.name.empty()) return n.Error(mute ? "missing name in mute time interval" : "missing name in time interval");
  return named;
}

std::string FormatMinute(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

std::string FormatWeekdayRange(const InclusiveRange& r) {
  auto name = [](int d) { return d >= 0 && d < 7 ? std::string(kWeekdays[d]) : absl::StrCat(d); };
  if (r.begin == r.end) return name(r.begin);
  return absl::StrCat(name(r.begin), ":", name(r.end));
}

std::string FormatMonthRange(const InclusiveRange& r) {
  // Numbers outside 1..12 (which 0.25 accepts) print as numbers.
  auto name = [](int m) { return m >= 1 && m <= 12 ? MonthName(m) : absl::StrCat(m); };
  if (r.begin == r.end) return name(r.begin);
  return absl::StrCat(name(r.begin), ":", name(r.end));
}

std::string FormatNumberRange(const InclusiveRange& r) {
  if (r.begin == r.end) return absl::StrCat(r.begin);
  return absl::StrCat(r.begin, ":", r.end);
}

}  // namespace internal

namespace {

bool InAny(const std::vector<InclusiveRange>& ranges, int v) {
  for (const InclusiveRange& r : ranges) {
    if (v >= r.begin && v <= r.end) return true;
  }
  return false;
}

}  // namespace

bool TimeInterval::Contains(absl::Time t) const {
  absl::TimeZone tz = absl::UTCTimeZone();
  if (location == "Local") {
    tz = absl::LocalTimeZone();
  } else if (!location.empty() && location != "UTC") {
    // The name was checked at load; an unloadable zone (removed tzdata)
    // reads as UTC rather than matching nothing.
    absl::LoadTimeZone(location, &tz);
  }
  const absl::CivilSecond cs = absl::ToCivilSecond(t, tz);
  if (!times.empty()) {
    const int minute = cs.hour() * 60 + cs.minute();
    bool in = false;
    for (const TimeRange& r : times) {
      if (minute >= r.start_minute && minute < r.end_minute) {
        in = true;
        break;
      }
    }
    if (!in) return false;
  }
  if (!days_of_month.empty()) {
    const absl::CivilMonth month(cs);
    const int days_in_month = static_cast<int>(absl::CivilDay(month + 1) - absl::CivilDay(month));
    auto clamp = [&](int v) { return std::max(-days_in_month, std::min(v, days_in_month)); };
    bool in = false;
    for (const InclusiveRange& r : days_of_month) {
      int begin = r.begin < 0 ? days_in_month + r.begin + 1 : r.begin;
      int end = r.end < 0 ? days_in_month + r.end + 1 : r.end;
      if (begin > days_in_month) continue;  // the range starts after this month's end
      begin = clamp(begin);
      end = clamp(end);
      if (cs.day() >= begin && cs.day() <= end) {
        in = true;
        break;
      }
    }
    if (!in) return false;
  }
  if (!months.empty() && !InAny(months, cs.month())) return false;
  if (!weekdays.empty()) {
    // absl's weekdays run from Monday = 0; Alertmanager's (Go's) from Sunday = 0.
    const int wd = (static_cast<int>(absl::GetWeekday(absl::CivilDay(cs))) + 1) % 7;
    if (!InAny(weekdays, wd)) return false;
  }
  if (!years.empty() && !InAny(years, static_cast<int>(cs.year()))) return false;
  return true;
}

bool NamedTimeInterval::Contains(absl::Time t) const {
  for (const TimeInterval& ti : intervals) {
    if (ti.Contains(t)) return true;
  }
  return false;
}

}  // namespace pharos::am
