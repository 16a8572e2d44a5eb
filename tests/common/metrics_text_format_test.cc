#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "common/metrics/text_format.h"

namespace pharos::metrics {
namespace {

TEST(MetricsTextFormat, FormatsFloatsLikeGoStrconvG) {
  struct Case {
    double v;
    const char* want;
  } cases[] = {
      {0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-1, "-1"},
      {0.5, "0.5"},
      {123456, "123456"},
      {1234567, "1.234567e+06"},
      {1e6, "1e+06"},
      {1e21, "1e+21"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {1.5e-7, "1.5e-07"},
      {1.7e308, "1.7e+308"},
      {0.1 + 0.2, "0.30000000000000004"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::nan(""), "NaN"},
  };
  for (const auto& c : cases) {
    std::string out;
    AppendExpositionFloat(&out, c.v);
    EXPECT_EQ(out, c.want) << c.v;
  }
}

TEST(MetricsTextFormat, UntypedAndEmptyHelp) {
  FamilySnapshot f;
  f.name = "x";
  f.type = MetricType::kUntyped;
  f.metrics.push_back({{}, 3});
  std::string out;
  AppendTextFormat({f}, &out);
  EXPECT_EQ(out, "# TYPE x untyped\nx 3\n");
}

}  // namespace
}  // namespace pharos::metrics
