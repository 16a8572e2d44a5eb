// Relabel rule defaults and Prometheus 2.53's validation per action.
#include "config/relabel_config.h"

#include <gtest/gtest.h>

#include <string>

#include "common/strings.h"

namespace pharos::config {
namespace {

absl::StatusOr<RelabelConfig> Parse(const std::string& yaml) {
  auto doc = YamlDocument::Parse(yaml, "r.yml");
  if (!doc.ok()) return doc.status();
  return ParseRelabelConfig(doc->root());
}

TEST(RelabelConfig, Defaults) {
  auto r = Parse("target_label: t");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->action, RelabelAction::kReplace);
  EXPECT_EQ(r->separator, ";");
  EXPECT_EQ(r->regex.pattern(), "(.*)");
  EXPECT_EQ(r->replacement, "$1");
  EXPECT_EQ(r->modulus, 0u);
  EXPECT_TRUE(r->source_labels.empty());
}

struct ValidationCase {
  const char* yaml;
  const char* error;  // "" when valid
};

void PrintTo(const ValidationCase& c, std::ostream* os) { *os << c.yaml; }

const ValidationCase kValidation[] = {
    // replace
    {"{target_label: t}", ""},
    {"{source_labels: [a]}", "r.yml:1:1: relabel configuration for replace action requires 'target_label' value"},
    {"{target_label: 'a-b'}", "r.yml:1:1: \"a-b\" is invalid 'target_label' for replace action"},
    {"{target_label: '${1}'}", ""},
    {"{target_label: 'x_${1}_$name'}", ""},
    {"{target_label: '${1}-x'}", "r.yml:1:1: \"${1}-x\" is invalid 'target_label' for replace action"},
    {"{target_label: '1abc'}", "r.yml:1:1: \"1abc\" is invalid 'target_label' for replace action"},
    // keep / drop need nothing
    {"{action: keep}", ""},
    {"{action: drop, source_labels: [a], regex: x}", ""},
    // hashmod
    {"{action: hashmod, target_label: t}", "r.yml:1:1: relabel configuration for hashmod requires non-zero modulus"},
    {"{action: hashmod, modulus: 2}", "r.yml:1:1: relabel configuration for hashmod action requires 'target_label' value"},
    {"{action: hashmod, modulus: 2, target_label: '$1'}", "r.yml:1:1: \"$1\" is invalid 'target_label' for hashmod action"},
    {"{action: hashmod, modulus: 2, target_label: t}", ""},
    // lowercase / uppercase
    {"{action: lowercase, source_labels: [a]}",
     "r.yml:1:1: relabel configuration for lowercase action requires 'target_label' value"},
    {"{action: uppercase, target_label: '${1}'}", "r.yml:1:1: \"${1}\" is invalid 'target_label' for uppercase action"},
    {"{action: lowercase, target_label: t, replacement: x}", "r.yml:1:1: 'replacement' can not be set for lowercase action"},
    {"{action: uppercase, source_labels: [a], target_label: t}", ""},
    // keepequal / dropequal
    {"{action: keepequal, source_labels: [a], target_label: b}", ""},
    {"{action: dropequal, source_labels: [a]}",
     "r.yml:1:1: relabel configuration for dropequal action requires 'target_label' value"},
    {"{action: keepequal, source_labels: [a], target_label: b, regex: '(.*)'}",
     "r.yml:1:1: keepequal action requires only 'source_labels' and `target_label`, and no other fields"},
    {"{action: dropequal, source_labels: [a], target_label: b, separator: ','}",
     "r.yml:1:1: dropequal action requires only 'source_labels' and `target_label`, and no other fields"},
    {"{action: keepequal, source_labels: [a], target_label: b, modulus: 3}",
     "r.yml:1:1: keepequal action requires only 'source_labels' and `target_label`, and no other fields"},
    {"{action: keepequal, source_labels: [a], target_label: b, separator: ';'}", ""},
    // labelmap
    {"{action: labelmap, regex: 'a(.*)'}", ""},
    {"{action: labelmap, regex: 'a(.*)', replacement: 'b-$1'}", "r.yml:1:1: \"b-$1\" is invalid 'replacement' for labelmap action"},
    // labeldrop / labelkeep
    {"{action: labeldrop, regex: tmp}", ""},
    {"{action: labelkeep, regex: tmp, source_labels: [a]}",
     "r.yml:1:1: labelkeep action requires only 'regex', and no other fields"},
    {"{action: labeldrop, regex: tmp, source_labels: []}",
     "r.yml:1:1: labeldrop action requires only 'regex', and no other fields"},
    {"{action: labeldrop, regex: tmp, source_labels: ~}", ""},
    {"{action: labeldrop, regex: tmp, target_label: x}",
     "r.yml:1:1: labeldrop action requires only 'regex', and no other fields"},
    {"{action: labelkeep, regex: tmp, replacement: x}",
     "r.yml:1:1: labelkeep action requires only 'regex', and no other fields"},
    // fields
    {"{action: ~}", "r.yml:1:2: relabel action cannot be empty"},
    {"{action: ''}", "r.yml:1:10: unknown relabel action \"\""},
    {"{source_labels: ['a b'], target_label: t}", "r.yml:1:18: \"a b\" is not a valid label name"},
    {"{source_labels: a, target_label: t}", "r.yml:1:17: cannot unmarshal !!str `a` into model.LabelNames"},
    {"{modulus: x, action: hashmod, target_label: t}", "r.yml:1:11: cannot unmarshal !!str `x` into uint"},
    {"{regex: '[', action: drop}", "r.yml:1:9: invalid regex \"[\": missing ]: ["},
    {"{targetlabel: t}", "r.yml:1:2: field targetlabel not found in type relabel_config"},
};

class RelabelValidation : public testing::TestWithParam<ValidationCase> {};

TEST_P(RelabelValidation, AsPrometheus) {
  auto r = Parse(GetParam().yaml);
  if (std::string_view(GetParam().error).empty()) {
    EXPECT_TRUE(r.ok()) << r.status();
  } else {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(SV(r.status().message()), GetParam().error);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, RelabelValidation, testing::ValuesIn(kValidation));

TEST(RelabelConfig, NullRegexMatchesOnlyEmpty) {
  auto r = Parse("{regex: ~, action: keep}");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->regex.pattern(), "");
  EXPECT_TRUE(r->regex.Matches(""));
  EXPECT_FALSE(r->regex.Matches("a"));
}

TEST(RelabelConfig, ActionNamesRoundTrip) {
  for (const char* name : {"replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap",
                           "labeldrop", "labelkeep", "lowercase", "uppercase"}) {
    auto a = ParseRelabelAction(name);
    ASSERT_TRUE(a.has_value()) << name;
    EXPECT_EQ(RelabelActionName(*a), name);
  }
  EXPECT_EQ(ParseRelabelAction("LabelMap"), RelabelAction::kLabelMap);
  EXPECT_FALSE(ParseRelabelAction("explode").has_value());
}

TEST(RelabelConfig, LabelNameRules) {
  EXPECT_TRUE(IsValidLabelName("_a1"));
  EXPECT_TRUE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName(""));
  EXPECT_FALSE(IsValidLabelName("1a"));
  EXPECT_FALSE(IsValidLabelName("a.b"));
  EXPECT_TRUE(IsValidRelabelTemplate("${1}_x"));
  EXPECT_FALSE(IsValidRelabelTemplate("$"));
}

}  // namespace
}  // namespace pharos::config
