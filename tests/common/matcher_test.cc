#include "common/matcher.h"

#include <gtest/gtest.h>

#include "common/labels.h"

namespace pharos {
namespace {

struct Case {
  MatchType type;
  std::string value;
  std::string input;
  bool want;
};

TEST(Matcher, TableOfMatches) {
  const Case cases[] = {
      {MatchType::kEqual, "a", "a", true},
      {MatchType::kEqual, "a", "b", false},
      {MatchType::kNotEqual, "a", "b", true},
      {MatchType::kRegexMatch, "a.*", "abc", true},
      {MatchType::kRegexMatch, "b", "abc", false},  // anchored
      {MatchType::kRegexMatch, "a|bc", "bc", true},
      {MatchType::kRegexMatch, "a|bc", "b", false},
      {MatchType::kRegexMatch, ".*", "", true},
      {MatchType::kRegexMatch, ".+", "", false},
      {MatchType::kRegexMatch, "a.c", "a\nc", true},  // dot matches newline
      {MatchType::kRegexMatch, "5..", "503", true},
      {MatchType::kRegexNoMatch, "5..", "200", true},
      {MatchType::kRegexMatch, "", "", true},
      {MatchType::kRegexMatch, "", "x", false},
      {MatchType::kRegexMatch, "(a|b)+", "abab", true},
  };
  for (const auto& c : cases) {
    auto m = Matcher::Make(c.type, "l", c.value);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->Matches(c.input), c.want) << m->ToString() << " on " << c.input;
  }
}

TEST(Matcher, BadRegexIsAnError) {
  auto m = Matcher::Make(MatchType::kRegexMatch, "l", "a(");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("a("), std::string::npos);
}

TEST(Matcher, SetFastPath) {
  auto m = Matcher::MustMake(MatchType::kRegexMatch, "l", "b|a|b");
  EXPECT_EQ(m.SetMatches(), (std::vector<std::string>{"a", "b"}));
}

TEST(Matcher, MatchesAllTreatsMissingAsEmpty) {
  Matchers ms = {Matcher::MustMake(MatchType::kEqual, "job", "")};
  EXPECT_TRUE(MatchesAll(ms, Labels{{"a", "1"}}));
  EXPECT_FALSE(MatchesAll(ms, Labels{{"job", "x"}}));
}

}  // namespace
}  // namespace pharos
