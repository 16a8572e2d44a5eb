#include "rules/unit_test.h"

#include <filesystem>
#include <map>
#include <sstream>

#include "gtest/gtest.h"

namespace pharos::rules {
namespace {

namespace fs = std::filesystem;

std::string Conf(const std::string& rel) { return std::string(PHAROS_CONFORMANCE_DIR) + "/rules/" + rel; }

TEST(ExpandSeriesValuesTest, Notation) {
  auto v = ExpandSeriesValues("1+2x2 _ 5 -1-1x1 _x2 3x1", 10);
  ASSERT_TRUE(v.ok()) << v.status();
  std::vector<storage::Sample> want = {{0, 1}, {10, 3}, {20, 5}, {40, 5}, {50, -1}, {60, -2}, {90, 3}, {100, 3}};
  EXPECT_EQ(*v, want);
  auto st = ExpandSeriesValues("0 stale", 1000);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->size(), 2u);
  EXPECT_TRUE(storage::IsStaleNaN((*st)[1].v));
  EXPECT_FALSE(ExpandSeriesValues("1+x", 1).ok());
  EXPECT_FALSE(ExpandSeriesValues("abc", 1).ok());
}

// Debian promtool 2.42's verdicts on the conformance files (README.md of
// ../shared/conformance/rules, obtained with `promtool test rules FILE`):
// true = passes. unittest.yml needs native histograms (2.47) and
// no-test-group-interval.yml the 2.49 interval default: 2.42 fails both.
const std::map<std::string, bool> kPromtool242 = {
    {"unittest.yml", false},          {"long-period.yml", true},          {"at-modifier-test.yml", true},
    {"negative-offset-test.yml", true}, {"no-test-group-interval.yml", false}, {"rules_run.yml", false},
    {"failing.yml", false},           {"bad-input-series.yml", false},    {"bad-promql.yml", false},
    {"bad-rules-syntax-test.yml", false}, {"bad-rules-error-test.yml", false},
};

TEST(RuleUnitTestConformance, SameVerdictsAsPromtool242) {
  if (!fs::exists(Conf("unittest"))) GTEST_SKIP();
  int agree = 0;
  for (const auto& [file, pass] : kPromtool242) {
    auto errs = RunRuleUnitTestFile(Conf("unittest/" + file));
    std::string joined;
    for (const auto& e : errs) joined += e + "\n";
    if (file == "no-test-group-interval.yml") {
      // We apply 2.49's default (interval = evaluation_interval), so it passes.
      EXPECT_TRUE(errs.empty()) << file << "\n" << joined;
      continue;
    }
    if (file == "unittest.yml") {
      EXPECT_FALSE(errs.empty()) << file;
      continue;
    }
    EXPECT_EQ(errs.empty(), pass) << file << "\n" << joined;
    if (errs.empty() == pass) ++agree;
  }
  EXPECT_EQ(agree, 9);
}

TEST(CheckRuleFilesTest, OutputAndExitCodes) {
  if (!fs::exists(Conf("check"))) GTEST_SKIP();
  std::ostringstream out, err;
  EXPECT_EQ(CheckRuleFiles({Conf("check/rules.yml")}, false, true, out, err), 0);
  EXPECT_NE(out.str().find("  SUCCESS: "), std::string::npos) << out.str();
  std::ostringstream o2, e2;
  EXPECT_EQ(CheckRuleFiles({Conf("check/rules-bad.yml")}, false, true, o2, e2), 1);
  EXPECT_NE(e2.str().find("  FAILED:"), std::string::npos);
  std::ostringstream o3, e3;
  EXPECT_EQ(CheckRuleFiles({Conf("check/prometheus-rules.lint.yml")}, true, true, o3, e3), 3);
  EXPECT_NE(e3.str().find("HighRequestLatency"), std::string::npos) << e3.str();
  std::ostringstream o4, e4;
  EXPECT_EQ(CheckRuleFiles({Conf("check/prometheus-rules.lint.yml")}, false, true, o4, e4), 0);
  for (const auto& e : fs::directory_iterator(Conf("rulefmt"))) {
    std::ostringstream o, er;
    bool bad = e.path().filename().string().find(".bad.") != std::string::npos;
    EXPECT_EQ(CheckRuleFiles({e.path().string()}, false, true, o, er), bad ? 1 : 0) << e.path();
  }
}

}  // namespace
}  // namespace pharos::rules

namespace pharos::rules {
namespace {

// The guide's alerts.yml (tests/rules/testdata) with promtool-format tests
// that make each of its five alerts fire, and stay quiet.
TEST(GuideAlertsTest, EachAlertFiresOnItsDataAndStaysQuietOtherwise) {
  std::string dir = std::string(PHAROS_SOURCE_DIR) + "/tests/rules/testdata/";
  std::ostringstream out, err;
  EXPECT_EQ(CheckRuleFiles({dir + "alerts.yml"}, true, true, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("  SUCCESS: 5 rules found"), std::string::npos) << out.str();
  auto errs = RunRuleUnitTestFile(dir + "alerts_test.yml");
  std::string joined;
  for (const auto& e : errs) joined += e + "\n";
  EXPECT_TRUE(errs.empty()) << joined;
}

}  // namespace
}  // namespace pharos::rules
