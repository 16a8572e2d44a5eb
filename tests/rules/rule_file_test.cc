#include "rules/rule_file.h"

#include <filesystem>
#include <string>

#include "common/strings.h"
#include "gtest/gtest.h"

namespace pharos::rules {
namespace {

namespace fs = std::filesystem;

std::string Conf(const std::string& rel) { return std::string(PHAROS_CONFORMANCE_DIR) + "/rules/" + rel; }

TEST(RuleFileTest, ConformanceRulefmtBadFilesAreRejectedAndGoodAccepted) {
  fs::path dir = Conf("rulefmt");
  if (!fs::exists(dir)) GTEST_SKIP() << "no conformance dir " << dir;
  int bad = 0, good = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    auto r = ParseRuleFileAt(e.path().string());
    if (name.find(".bad.") != std::string::npos) {
      EXPECT_FALSE(r.ok()) << name;
      if (!r.ok()) EXPECT_NE(r.status().message().find(e.path().string() + ":"), absl::string_view::npos) << r.status();
      ++bad;
    } else {
      EXPECT_TRUE(r.ok()) << name << ": " << r.status();
      ++good;
    }
  }
  EXPECT_EQ(bad, 12);
  EXPECT_EQ(good, 1);
}

TEST(RuleFileTest, ConformanceCheckFiles) {
  if (!fs::exists(Conf("check"))) GTEST_SKIP();
  auto bad = ParseRuleFileAt(Conf("check/rules-bad.yml"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("undefined variable \"$label\""), absl::string_view::npos) << bad.status();
  for (const char* f : {"check/rules.yml", "check/rules_duplicates.yml", "check/prometheus-rules.lint.yml"}) {
    auto r = ParseRuleFileAt(Conf(f));
    EXPECT_TRUE(r.ok()) << f << ": " << r.status();
  }
  auto dup = ParseRuleFileAt(Conf("check/rules_duplicates.yml"));
  ASSERT_TRUE(dup.ok());
  auto d = FindDuplicateRules(*dup);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].name, "job:test:count_over_time1m");
  auto lint = ParseRuleFileAt(Conf("check/prometheus-rules.lint.yml"));
  ASSERT_TRUE(lint.ok());
  auto d2 = FindDuplicateRules(*lint);
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_EQ(d2[0].name, "HighRequestLatency");
}

TEST(RuleFileTest, MessagesCarryPositionGroupAndRule) {
  auto r = ParseRuleFile(
      "groups:\n- name: g\n  rules:\n  - record: 'bad name'\n    expr: up\n  - alert: A\n    expr: 'up +'\n", "f.yml");
  ASSERT_FALSE(r.ok());
  auto errs = SplitErrors(SV(r.status().message()));
  ASSERT_EQ(errs.size(), 2u) << r.status();
  EXPECT_EQ(errs[0], "f.yml:4:13: group \"g\", rule 1, \"bad name\": invalid recording rule name: bad name");
  EXPECT_EQ(errs[1].rfind("f.yml:7:11: group \"g\", rule 2, \"A\": could not parse expression: ", 0), 0u) << errs[1];
}

TEST(RuleFileTest, UnknownFieldAndDuplicateGroup) {
  auto r = ParseRuleFile("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotation: {}\n", "f.yml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("f.yml:6:5: field annotation not found in type rulefmt.RuleNode"),
            absl::string_view::npos)
      << r.status();
  auto d = ParseRuleFile("groups:\n- name: g\n  rules: []\n- name: g\n  rules: []\n", "f.yml");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "f.yml:4:3: groupname: \"g\" is repeated in the same file");
}

TEST(RuleFileTest, ValidFileFields) {
  auto r = ParseRuleFile(
      "groups:\n- name: g\n  interval: 30s\n  limit: 3\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n"
      "    keep_firing_for: 1m\n    labels: {severity: page}\n    annotations: {summary: '{{ $labels.job }}'}\n",
      "f.yml");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->groups.size(), 1u);
  const auto& g = r->groups[0];
  EXPECT_EQ(g.interval_ms, 30000);
  EXPECT_EQ(g.limit, 3);
  ASSERT_EQ(g.rules.size(), 1u);
  EXPECT_EQ(g.rules[0].for_ms, 300000);
  EXPECT_EQ(g.rules[0].keep_firing_for_ms, 60000);
  EXPECT_EQ(g.rules[0].labels[0].second, "page");
}

}  // namespace
}  // namespace pharos::rules
