#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "common/duration.h"
#include "common/float_format.h"
#include "common/json_writer.h"

namespace pharos {
namespace {

TEST(FormatFloatGo, MatchesStrconvF) {
  EXPECT_EQ(FormatFloatGo(1), "1");
  EXPECT_EQ(FormatFloatGo(0.1), "0.1");
  EXPECT_EQ(FormatFloatGo(1e21), "1000000000000000000000");
  EXPECT_EQ(FormatFloatGo(1.5e-7), "0.00000015");
  EXPECT_EQ(FormatFloatGo(-2.5), "-2.5");
  EXPECT_EQ(FormatFloatGo(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatFloatGo(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatFloatGo(std::nan("")), "NaN");
}

TEST(FormatFloatGoG, MatchesStrconvG) {
  EXPECT_EQ(FormatFloatGoG(1), "1");
  EXPECT_EQ(FormatFloatGoG(1e21), "1e+21");
  EXPECT_EQ(FormatFloatGoG(123456), "123456");
  EXPECT_EQ(FormatFloatGoG(0.0001), "0.0001");
  EXPECT_EQ(FormatFloatGoG(0.00001), "1e-05");
}

TEST(Duration, ParsesPrometheusNotation) {
  EXPECT_EQ(*ParseDurationMs("15s"), 15000);
  EXPECT_EQ(*ParseDurationMs("1h30m"), 5400000);
  EXPECT_EQ(*ParseDurationMs("100ms"), 100);
  EXPECT_EQ(*ParseDurationMs("1y"), 365LL * 86400000);
  EXPECT_EQ(*ParseDurationMs("0"), 0);
  EXPECT_FALSE(ParseDurationMs("").ok());
  EXPECT_FALSE(ParseDurationMs("1m1h").ok());  // out of order
  EXPECT_FALSE(ParseDurationMs("-1s").ok());
  EXPECT_FALSE(ParseDurationMs("1.5s").ok());
  EXPECT_FALSE(ParseDurationMs("99999999999999999999y").ok());
}

TEST(Duration, FormatsLikeModelDuration) {
  EXPECT_EQ(FormatDurationMs(5400000), "1h30m");
  EXPECT_EQ(FormatDurationMs(0), "0s");
  EXPECT_EQ(FormatDurationMs(1500), "1s500ms");
  EXPECT_EQ(FormatDurationMs(14 * 86400000LL), "2w");
}

TEST(JsonWriter, EscapesLikeGo) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("a").String("x<y>&\"\n\x01").Key("b").BeginArray().Int(1).Double(0.5).Null().EndArray().EndObject();
  EXPECT_EQ(out, R"({"a":"x\u003cy\u003e\u0026\"\n\u0001","b":[1,0.5,null]})");
}

TEST(JsonWriter, ReplacesInvalidUtf8) {
  std::string out;
  JsonWriter::AppendString(out, "a\xff" "b\xc3\xa9");
  EXPECT_EQ(out, "\"a\\ufffdb\xc3\xa9\"");
}

}  // namespace
}  // namespace pharos
