// Replacement templates expand exactly as Go's regexp.Expand does.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/relabel_config.h"
#include "scrape/relabel/relabel.h"

namespace pharos::relabel {
namespace {

struct ExpandCase {
  const char* tmpl;
  const char* want;
};

void PrintTo(const ExpandCase& c, std::ostream* os) { *os << '"' << c.tmpl << '"'; }

// Against regex "(?P<first>a+)(b*)(?P<opt>x)?" matching "aab".
const ExpandCase kExpand[] = {
    {"$1", "aa"},
    {"${1}", "aa"},
    {"$2", "b"},
    {"$0", "aab"},
    {"${first}", "aa"},
    {"$first", "aa"},
    {"$opt", ""},        // group did not take part
    {"$3", ""},
    {"$4", ""},          // no such group
    {"$nope", ""},       // no such name
    {"$1x", ""},         // the name is "1x"
    {"${1}x", "aax"},
    {"$1-$2", "aa-b"},
    {"$$1", "$1"},
    {"$$", "$"},
    {"a$", "a$"},        // malformed: literal
    {"$-", "$-"},
    {"${", "${"},
    {"${1", "${1"},
    {"${}", "${}"},
    {"${1 }", "${1 }"},
    {"$01", ""},         // leading zero: a name, not a number
    {"${01}", ""},
    {"$100000000", ""},  // too large to be a number
    {"pre-${2}-post", "pre-b-post"},
    {"no refs", "no refs"},
    {"", ""},
    {"$é", ""},          // a letter continues the name
    {"$1é", ""},
    {"$1·", "aa·"},      // U+00B7 is not a letter
};

class ExpandTemplateCases : public testing::TestWithParam<ExpandCase> {};

TEST_P(ExpandTemplateCases, MatchesGoExpand) {
  auto re = config::RelabelRegex::Compile("(?P<first>a+)(b*)(?P<opt>x)?");
  ASSERT_TRUE(re.ok()) << re.status();
  std::vector<std::string_view> groups(re->NumGroups() + 1);
  ASSERT_TRUE(re->Match("aab", groups.data(), static_cast<int>(groups.size())));
  std::string out;
  ExpandTemplate(GetParam().tmpl, *re, groups.data(), static_cast<int>(groups.size()), &out);
  EXPECT_EQ(out, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Table, ExpandTemplateCases, testing::ValuesIn(kExpand));

TEST(RelabelRegex, FastPathsAgreeWithTheRegexEngine) {
  auto any = config::RelabelRegex::Compile("(.*)");
  auto lit = config::RelabelRegex::Compile("node_exporter");
  auto gen = config::RelabelRegex::Compile("node_.*");
  ASSERT_TRUE(any.ok() && lit.ok() && gen.ok());
  for (const char* s : {"", "node_exporter", "node_exporterx", "a\nb", "node_"}) {
    EXPECT_EQ(any->Matches(s), std::string_view(s).find('\n') == std::string_view::npos) << s;
    EXPECT_EQ(lit->Matches(s), std::string_view(s) == "node_exporter") << s;
  }
  EXPECT_TRUE(gen->Matches("node_x"));
  EXPECT_FALSE(gen->Matches("xnode_x"));
}

TEST(RelabelRegex, EveryFastShapeAgreesWithItsGeneralForm) {
  // Each pattern next to an equivalent the fast paths do not recognise.
  const std::pair<const char*, const char*> pairs[] = {
      {".*", "(?:.*)"},          {"(.*)", "((?:.*))"},       {"abc", "(?:abc)"},       {"", "(?:)"},
      {"a|bc|", "(?:a|bc|)"},    {"(prod|staging)", "((?:prod|staging))"},           {"go_.*", "(?:go_).*"},
      {"(go_.*)", "((?:go_).*)"},
  };
  const char* inputs[] = {"", "a", "bc", "abc", "abcd", "prod", "staging", "prodx", "go_", "go_gc", "go_\n",
                          "xgo_", "a\nb", "node"};
  for (const auto& [fast, general] : pairs) {
    auto f = config::RelabelRegex::Compile(fast);
    auto g = config::RelabelRegex::Compile(general);
    ASSERT_TRUE(f.ok() && g.ok()) << fast;
    ASSERT_EQ(f->NumGroups(), g->NumGroups()) << fast;
    for (const char* in : inputs) {
      EXPECT_EQ(f->Matches(in), g->Matches(in)) << fast << " on " << in;
      std::vector<std::string_view> fg(f->NumGroups() + 1), gg(g->NumGroups() + 1);
      bool fm = f->Match(in, fg.data(), static_cast<int>(fg.size()));
      bool gm = g->Match(in, gg.data(), static_cast<int>(gg.size()));
      ASSERT_EQ(fm, gm) << fast << " on " << in;
      if (fm) {
        for (size_t i = 0; i < fg.size(); ++i) EXPECT_EQ(fg[i], gg[i]) << fast << " group " << i << " on " << in;
      }
    }
  }
}

TEST(RelabelCase, InvalidUtf8BecomesReplacementCharacter) {
  std::string out;
  AppendLower("A\xffZ", &out);
  EXPECT_EQ(out, "a\xEF\xBF\xBDz");
}

}  // namespace
}  // namespace pharos::relabel
