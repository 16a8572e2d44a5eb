#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "api/go_format.h"
#include "api/params.h"

namespace pharos::api {
namespace {

TEST(ApiParams, ParsesTimesLikePrometheus) {
  struct Case {
    const char* in;
    int64_t want;
  } ok[] = {
      {"0", 0},
      {"1700000000", 1700000000000},
      {"1700000000.123", 1700000000123},
      {"1700000000.1236", 1700000000124},
      {"-1.5", -1500},
      {"1.7e9", 1700000000000},
      {".5", 500},
      {"2024-05-01T10:00:00Z", 1714557600000},
      {"2024-05-01T10:00:00.5Z", 1714557600500},
      {"2024-05-01T10:00:00.123456789Z", 1714557600123},
      {"2024-05-01T12:00:00+02:00", 1714557600000},
      {"2024-05-01T05:30:00-04:30", 1714557600000},
      {"1969-12-31T23:59:59.999Z", -1},
      {"2024-02-29T00:00:00Z", 1709164800000},
      {"-292273086-05-16T16:47:06Z", kMinTimeMs},
      {"292277025-08-18T07:12:54.999999999Z", kMaxTimeMs},
  };
  for (const auto& c : ok) {
    auto t = ParseTimeMs(c.in);
    ASSERT_TRUE(t.ok()) << c.in << ": " << t.status();
    EXPECT_EQ(*t, c.want) << c.in;
  }
  for (const char* bad : {"", "abc", "1e", "2024-05-01", "2024-05-01T10:00:00", "2024-13-01T10:00:00Z",
                          "2023-02-29T00:00:00Z", "2024-05-01 10:00:00Z", "1e300", "NaN", "Inf", "0x10",
                          "2024-05-01T10:00:00+0200", "2024-05-01T10:00:00.Z"}) {
    auto t = ParseTimeMs(bad);
    EXPECT_FALSE(t.ok()) << bad;
  }
  EXPECT_EQ(ParseTimeMs("x").status().message(), "cannot parse \"x\" to a valid timestamp");
}

// Plain seconds with up to 3 fraction digits take an integer path; it must
// give what the float path (strtod, split, round) gives.
TEST(ApiParams, PlainSecondsAsTheFloatPathReadsThem) {
  auto check = [](const std::string& c) {
    double whole;
    double frac = std::modf(std::strtod(c.c_str(), nullptr), &whole);
    auto got = ParseTimeMs(c);
    ASSERT_TRUE(got.ok()) << c;
    ASSERT_EQ(*got, static_cast<int64_t>(whole) * 1000 + static_cast<int64_t>(std::round(frac * 1000))) << c;
  };
  const char* cases[] = {"5.", "0.001", "1.5", "1795759200", "1795759200.000", "1795759200.999", "999999999999.999",
                         "000000000001", "0000000000001", "1000000000000", "123456789012.5", "42.07"};
  for (const char* c : cases) check(c);
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    std::string c = std::to_string(x % 1000000000000ull);
    int frac = static_cast<int>(x >> 60) % 4;
    if (frac > 0) c += "." + std::to_string(1000 + (x >> 20) % 1000).substr(1, frac);
    check(c);
  }
}

TEST(ApiParams, TimeParamErrorsNameTheParameter) {
  http::Request req;
  req.params = {{"start", "yesterday"}};
  auto t = ParseTimeParam(req, "start", 5);
  EXPECT_EQ(t.status().message(),
            "invalid parameter \"start\": Invalid time value for 'start': cannot parse \"yesterday\" to a valid "
            "timestamp");
  EXPECT_EQ(*ParseTimeParam(req, "end", 5), 5);
}

TEST(ApiParams, ParsesLimits) {
  struct Case {
    const char* in;
    bool ok;
    size_t want;
    const char* err;
  } cases[] = {
      {"", true, 0, ""},
      {"10", true, 10, ""},
      {"+3", true, 3, ""},
      {"0", false, 0, "invalid parameter \"limit\": limit must be positive"},
      {"-1", false, 0, "invalid parameter \"limit\": limit must be positive"},
      {"ten", false, 0, "invalid parameter \"limit\": strconv.Atoi: parsing \"ten\": invalid syntax"},
      {"1.5", false, 0, "invalid parameter \"limit\": strconv.Atoi: parsing \"1.5\": invalid syntax"},
      {"99999999999999999999", false, 0,
       "invalid parameter \"limit\": strconv.Atoi: parsing \"99999999999999999999\": value out of range"},
  };
  for (const auto& c : cases) {
    http::Request req;
    if (*c.in) req.params = {{"limit", c.in}};
    auto l = ParseLimitParam(req);
    EXPECT_EQ(l.ok(), c.ok) << c.in;
    if (c.ok) {
      EXPECT_EQ(*l, c.want);
    } else {
      EXPECT_EQ(l.status().message(), c.err);
    }
  }
}

TEST(ApiParams, MatchersMustNotAllMatchEmpty) {
  auto ok = ParseMatchersParam({"up", "{job=\"a\"}"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
  auto bad = ParseMatchersParam({"{job=~\".*\"}"});
  EXPECT_EQ(bad.status().message(), "1:1: parse error: vector selector must contain at least one non-empty matcher");
}

TEST(GoFormat, FloatsLikeEncodingJson) {
  struct Case {
    double v;
    const char* want;
  } cases[] = {
      {0, "0"},           {1, "1"},         {0.5, "0.5"},          {0.000001, "0.000001"}, {1e-7, "1e-7"},
      {1.5e-10, "1.5e-10"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"}, {-2.25, "-2.25"},
      {0.0123456, "0.0123456"}, {1e-100, "1e-100"},
      {std::numeric_limits<double>::infinity(), "null"},
  };
  for (const auto& c : cases) {
    std::string out;
    AppendGoJsonFloat(&out, c.v);
    EXPECT_EQ(out, c.want) << c.v;
  }
}

TEST(GoFormat, TimesLikeTimeMarshalJson) {
  EXPECT_EQ(FormatGoTime(absl::FromUnixMillis(1714557600000)), "2024-05-01T10:00:00Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixNanos(1714557600123450000)), "2024-05-01T10:00:00.12345Z");
  EXPECT_EQ(FormatGoTime(absl::InfinitePast()), "0001-01-01T00:00:00Z");
}

}  // namespace
}  // namespace pharos::api
