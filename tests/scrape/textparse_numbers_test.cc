// Numbers as Prometheus reads them: Go's strconv.ParseFloat without hex and
// underscores, decimal int64 timestamps, seconds to milliseconds.
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "scrape/textparse/internal/go_float.h"

namespace pharos::scrape::textparse::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(GoFloat, AcceptsWhatGoAccepts) {
  struct {
    const char* in;
    double want;
  } cases[] = {
      {"0", 0},
      {"-0", -0.0},
      {"1", 1},
      {"+1", 1},
      {"-17", -17},
      {"123456789012345", 123456789012345.0},
      {"9223372036854775808", 9223372036854775808.0},
      {"1.5", 1.5},
      {".5", 0.5},
      {"5.", 5},
      {"-.5e1", -5},
      {"1e3", 1000},
      {"1E+3", 1000},
      {"2.5e-3", 0.0025},
      {"0000000000000000000000000000000000000000001.2e-1", 0.12},
      {"0.1", 0.1},
      {"1.7976931348623157e308", 1.7976931348623157e308},
      {"4.9e-324", 4.9e-324},
      {"1e-400", 0},
      {"-1e-400", -0.0},
      {"Inf", kInf},
      {"+Inf", kInf},
      {"-Inf", -kInf},
      {"inf", kInf},
      {"INF", kInf},
      {"infinity", kInf},
      {"+Infinity", kInf},
      {"-iNfInItY", -kInf},
  };
  for (const auto& c : cases) {
    double got = 12345;
    ASSERT_TRUE(ParseGoFloat(c.in, &got)) << c.in;
    EXPECT_EQ(got, c.want) << c.in;
    EXPECT_EQ(std::signbit(got), std::signbit(c.want)) << c.in;
  }
}

// The plain-decimal fast path must give the double std::from_chars (a
// correctly rounded reader, as Go's is) gives, on both sides of its limits
// (19 digits, 2^53, 22 decimals).
TEST(GoFloat, PlainDecimalsRoundLikeTheGeneralReader) {
  std::mt19937_64 rng(7);
  auto check = [](const std::string& in) {
    double want = 0;
    auto r = std::from_chars(in.data() + (in[0] == '-' ? 1 : 0), in.data() + in.size(), want);
    ASSERT_EQ(r.ptr, in.data() + in.size()) << in;
    if (in[0] == '-') want = -want;
    double got = 12345;
    ASSERT_TRUE(ParseGoFloat(in, &got)) << in;
    EXPECT_EQ(got, want) << in;
    EXPECT_EQ(std::signbit(got), std::signbit(want)) << in;
  };
  for (const char* in : {"9007199254740992", "9007199254740993", "9007199254740991.5", "900719925474099.3",
                         "0.0000000000000000000001", "0.00000000000000000000001", "1234567890123456789",
                         "12345678901234567890", "-0.0", "0.1", "0.3", "2.675", "1699980508.02",
                         "392.7217050222141", "3577.658871341703"}) {
    check(in);
  }
  for (int i = 0; i < 200000; ++i) {
    int digits = 1 + static_cast<int>(rng() % 20);
    std::string d;
    for (int k = 0; k < digits; ++k) d += static_cast<char>('0' + rng() % 10);
    size_t point = rng() % (d.size() + 1);
    std::string in = (rng() % 4 == 0 ? "-" : "") + d.substr(0, point);
    if (point == 0) in += "0";
    if (point < d.size()) in += "." + d.substr(point);
    check(in);
  }
}

TEST(GoFloat, PlainDecimalStopsAtWhatItDoesNotRead) {
  double v = 0;
  std::string in = "12.5e3 x";
  const char* end = ParsePlainDecimal(in.data(), in.data() + in.size(), &v);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(*end, 'e');  // the caller then reads the whole value
  for (const char* bad : {"", "-", ".5", "5.", "+.", "x1", "e5"}) {
    EXPECT_EQ(ParsePlainDecimal(bad, bad + std::strlen(bad), &v), nullptr) << bad;
  }
}

TEST(GoFloat, NaNIsPrometheusNormalNaN) {
  for (const char* in : {"NaN", "nan", "nAn"}) {
    double got = 0;
    ASSERT_TRUE(ParseGoFloat(in, &got)) << in;
    uint64_t bits;
    std::memcpy(&bits, &got, sizeof bits);
    EXPECT_EQ(bits, kNormalNaNBits) << in;
  }
}

TEST(GoFloat, RejectsWhatPrometheusRejects) {
  for (const char* in : {"", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "+-1", "--1", "++1", "1_000",
                         "0x1", "0x1p3", "0X1P-3", "0b1", "0o7", "1f", "1 ", " 1", "1\t",
                         "+nan", "-nan", "nan(1)", "infin", "infinityx", "in", "1e400", "-1e400",
                         "1.7976931348623159e308", "true"}) {
    double got = 0;
    EXPECT_FALSE(ParseGoFloat(in, &got)) << '"' << in << '"';
  }
}

TEST(DecimalInt64, ParsesDigitsOnly) {
  int64_t v = 0;
  EXPECT_TRUE(ParseDecimalInt64("0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(ParseDecimalInt64("000123", &v));
  EXPECT_EQ(v, 123);
  EXPECT_TRUE(ParseDecimalInt64("9223372036854775807", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(ParseDecimalInt64("9223372036854775808", &v));
  EXPECT_FALSE(ParseDecimalInt64("99999999999999999999", &v));
  EXPECT_FALSE(ParseDecimalInt64("", &v));
  EXPECT_FALSE(ParseDecimalInt64("-1", &v));
  EXPECT_FALSE(ParseDecimalInt64("1a", &v));
}

TEST(SecondsToMillis, TruncatesTowardZeroAndSaturates) {
  EXPECT_EQ(SecondsToMillis(1.5), 1500);
  EXPECT_EQ(SecondsToMillis(1.1), 1100);
  EXPECT_EQ(SecondsToMillis(1.0019), 1001);
  EXPECT_EQ(SecondsToMillis(-1.0019), -1001);
  EXPECT_EQ(SecondsToMillis(1e-10), 0);
  EXPECT_EQ(SecondsToMillis(1.7e9), 1700000000000);
  EXPECT_EQ(SecondsToMillis(1e300), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(SecondsToMillis(-1e300), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(SecondsToMillis(kInf), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace pharos::scrape::textparse::internal
