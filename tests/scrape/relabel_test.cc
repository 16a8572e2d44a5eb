// The relabeling engine, action by action, on cases in the spirit of
// Prometheus' own relabel tests (same inputs and expected outputs where the
// behaviour is pinned by them, e.g. hashmod's numbers).
#include "scrape/relabel/relabel.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "config/relabel_config.h"
#include "config/yaml_node.h"

namespace pharos::relabel {
namespace {

std::vector<config::RelabelConfig> Rules(const std::string& yaml) {
  auto doc = config::YamlDocument::Parse(yaml, "rules.yml");
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto rules = config::ParseRelabelConfigs(doc->root(), "null rule");
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : std::vector<config::RelabelConfig>{};
}

struct Case {
  const char* name;
  Labels in;
  const char* rules;
  std::optional<Labels> out;  // nullopt: dropped
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const Case kCases[] = {
    {"replace with group", {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}},
     "- {source_labels: [a], regex: 'f(.*)', target_label: d, replacement: 'ch${1}-ch${1}'}",
     Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "choo-choo"}}},
    {"replace joins sources with separator", {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}},
     "- {source_labels: [a, b], regex: 'f(.*);(.*)r', target_label: a, replacement: 'b${1}${2}m'}\n"
     "- {source_labels: [c, a], regex: '(b).*b(.*)ba(.*)', target_label: d, replacement: '$1$2$2$3'}",
     Labels{{"a", "boobam"}, {"b", "bar"}, {"c", "baz"}, {"d", "boooom"}}},
    {"replace custom separator", {{"a", "x"}, {"b", "y"}},
     "- {source_labels: [a, b], separator: '-', target_label: c}", Labels{{"a", "x"}, {"b", "y"}, {"c", "x-y"}}},
    {"replace without match leaves labels", {{"a", "foo"}},
     "- {source_labels: [a], regex: '(b).*', target_label: d}", Labels{{"a", "foo"}}},
    {"replace missing source reads empty", {{"a", "foo"}},
     "- {source_labels: [nope], regex: '(.*)', target_label: d, replacement: 'x$1'}",
     Labels{{"a", "foo"}, {"d", "x"}}},
    {"replace default regex on empty value sets literal", {{"a", "foo"}},
     "- {target_label: env, replacement: prod}", Labels{{"a", "foo"}, {"env", "prod"}}},
    {"replace with empty result deletes", {{"a", "foo"}, {"b", "bar"}},
     "- {source_labels: [a], regex: 'f(.*)', target_label: b, replacement: ''}", Labels{{"a", "foo"}}},
    {"replace target from template", {{"a", "some-name-value"}},
     "- {source_labels: [a], regex: 'some-([^-]+)-([^,]+)', target_label: '${1}', replacement: '${2}'}",
     Labels{{"a", "some-name-value"}, {"name", "value"}}},
    {"replace skips invalid expanded target", {{"a", "some-name-0"}},
     "- {source_labels: [a], regex: 'some-([^-]+)-([^,]+)', target_label: '${3}', replacement: '${1}'}\n"
     "- {source_labels: [a], regex: 'some-([^-]+)-([^,]+)', target_label: '${2}', replacement: '${1}'}",
     Labels{{"a", "some-name-0"}}},
    {"replace $1x reads a group named 1x", {{"a", "foo"}},
     "- {source_labels: [a], regex: '(f)oo', target_label: b, replacement: '$1x'}\n"
     "- {source_labels: [a], regex: '(f)oo', target_label: c, replacement: '${1}x'}",
     Labels{{"a", "foo"}, {"c", "fx"}}},
    {"replace named groups and $$", {{"a", "k=v"}},
     "- {source_labels: [a], regex: '(?P<key>[a-z]+)=(?P<val>.*)', target_label: '$key', replacement: '$$${val}'}",
     Labels{{"a", "k=v"}, {"k", "$v"}}},
    {"regex is anchored", {{"a", "foo"}},
     "- {source_labels: [a], regex: 'o+', target_label: b, replacement: hit}", Labels{{"a", "foo"}}},
    {"dot does not match newline", {{"a", "x\ny"}},
     "- {source_labels: [a], regex: '.*', target_label: b, replacement: hit}", Labels{{"a", "x\ny"}}},
    {"drop on match", {{"a", "foo"}}, "- {source_labels: [a], regex: '.*o.*', action: drop}", std::nullopt},
    {"drop without match keeps", {{"a", "foo"}}, "- {source_labels: [a], regex: 'bar', action: drop}",
     Labels{{"a", "foo"}}},
    {"keep without match drops", {{"a", "foo"}}, "- {source_labels: [a], regex: 'no-match', action: keep}",
     std::nullopt},
    {"keep on match keeps", {{"a", "foo"}}, "- {source_labels: [a], regex: 'f.*', action: keep}",
     Labels{{"a", "foo"}}},
    {"keep empty against missing label", {{"a", "foo"}}, "- {source_labels: [b], regex: '', action: keep}",
     Labels{{"a", "foo"}}},
    {"action is case-insensitive", {{"a", "foo"}}, "- {source_labels: [a], regex: 'foo', action: DROP}",
     std::nullopt},
    {"keepequal keeps equal", {{"__tmp_port", "1234"}, {"__port1", "1234"}},
     "- {source_labels: [__tmp_port], target_label: __port1, action: keepequal}",
     Labels{{"__tmp_port", "1234"}, {"__port1", "1234"}}},
    {"keepequal drops different", {{"__tmp_port", "1234"}, {"__port2", "5678"}},
     "- {source_labels: [__tmp_port], target_label: __port2, action: keepequal}", std::nullopt},
    {"dropequal drops equal", {{"__tmp_port", "1234"}, {"__port1", "1234"}},
     "- {source_labels: [__tmp_port], target_label: __port1, action: dropequal}", std::nullopt},
    {"dropequal keeps different", {{"__tmp_port", "1234"}, {"__port2", "5678"}},
     "- {source_labels: [__tmp_port], target_label: __port2, action: dropequal}",
     Labels{{"__tmp_port", "1234"}, {"__port2", "5678"}}},
    {"hashmod", {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}},
     "- {source_labels: [c], target_label: d, modulus: 1000, action: hashmod}",
     Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", "976"}}},
    {"hashmod of joined sources", {{"a", "foo"}, {"b", "bar"}},
     "- {source_labels: [a, b], target_label: h, modulus: 1000, action: hashmod}",
     Labels{{"a", "foo"}, {"b", "bar"}, {"h", "750"}}},
    {"hashmod address sharding", {{"__address__", "10.0.0.1:9100"}},
     "- {source_labels: [__address__], target_label: __tmp_hash, modulus: 3, action: hashmod}\n"
     "- {source_labels: [__tmp_hash], regex: '2', action: keep}",
     Labels{{"__address__", "10.0.0.1:9100"}, {"__tmp_hash", "2"}}},
    {"labelmap", {{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}},
     "- {regex: '(b.*)', replacement: 'bar_${1}', action: labelmap}",
     Labels{{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}, {"bar_b1", "bar"}, {"bar_b2", "baz"}}},
    {"labelmap meta labels", {{"__meta_my_bar", "aaa"}, {"__meta_my_baz", "bbb"}, {"__meta_other", "ccc"}},
     "- {regex: '__meta_(my.*)', replacement: '${1}', action: labelmap}",
     Labels{{"__meta_my_bar", "aaa"}, {"__meta_my_baz", "bbb"}, {"__meta_other", "ccc"}, {"my_bar", "aaa"},
            {"my_baz", "bbb"}}},
    {"labelmap default replacement", {{"__meta_k8s_app", "web"}},
     "- {regex: '__meta_k8s_(.+)', action: labelmap}", Labels{{"__meta_k8s_app", "web"}, {"app", "web"}}},
    {"labeldrop", {{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}}, "- {regex: 'b.*', action: labeldrop}",
     Labels{{"a", "foo"}}},
    {"labeldrop nothing matches", {{"a", "foo"}}, "- {regex: 'z', action: labeldrop}", Labels{{"a", "foo"}}},
    {"labelkeep", {{"a", "foo"}, {"b1", "bar"}, {"b2", "baz"}}, "- {regex: 'b.*', action: labelkeep}",
     Labels{{"b1", "bar"}, {"b2", "baz"}}},
    {"lowercase", {{"foo", "bAr123Foo"}}, "- {source_labels: [foo], target_label: foo_lower, action: lowercase}",
     Labels{{"foo", "bAr123Foo"}, {"foo_lower", "bar123foo"}}},
    {"uppercase", {{"foo", "bAr123Foo"}}, "- {source_labels: [foo], target_label: foo_upper, action: uppercase}",
     Labels{{"foo", "bAr123Foo"}, {"foo_upper", "BAR123FOO"}}},
    {"uppercase unicode", {{"foo", "größe"}}, "- {source_labels: [foo], target_label: up, action: uppercase}",
     Labels{{"foo", "größe"}, {"up", "GRÖßE"}}},
    {"lowercase unicode", {{"foo", "ÄÖÜ Σ"}}, "- {source_labels: [foo], target_label: low, action: lowercase}",
     Labels{{"foo", "ÄÖÜ Σ"}, {"low", "äöü σ"}}},
    {"rules apply in order on the changed labels", {{"a", "foo"}},
     "- {source_labels: [a], target_label: b, replacement: 'x-$1'}\n"
     "- {source_labels: [b], regex: 'x-(.*)', target_label: c}\n"
     "- {regex: 'a', action: labeldrop}",
     Labels{{"b", "x-foo"}, {"c", "foo"}}},
    {"drop after changes", {{"a", "foo"}},
     "- {source_labels: [a], target_label: b}\n- {source_labels: [b], regex: foo, action: drop}", std::nullopt},
};

class RelabelActions : public testing::TestWithParam<Case> {};

TEST_P(RelabelActions, Process) {
  const Case& c = GetParam();
  auto rules = Rules(c.rules);
  ASSERT_FALSE(rules.empty());
  LabelsBuilder out;
  bool kept = Process(c.in, rules, &out);
  if (!c.out) {
    EXPECT_FALSE(kept) << out.Build().ToString();
    return;
  }
  ASSERT_TRUE(kept);
  EXPECT_EQ(out.Build(), *c.out) << out.Build().ToString();
  // The builder form gives the same result.
  LabelsBuilder lb(c.in);
  ASSERT_TRUE(ProcessBuilder(rules, &lb));
  EXPECT_EQ(lb.Build(), *c.out);
}

INSTANTIATE_TEST_SUITE_P(Table, RelabelActions, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string n;
                           for (const char* p = info.param.name; *p; ++p) {
                             n.push_back(std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_');
                           }
                           return n;
                         });

TEST(RelabelApply, ReportsUnchangedWithoutTouchingScratch) {
  auto rules = Rules(
      "- {source_labels: [job], regex: 'node', action: keep}\n"
      "- {source_labels: [a], target_label: a}\n"  // sets a to its own value
      "- {regex: 'zzz', action: labeldrop}\n"
      "- {source_labels: [a], target_label: a, action: lowercase}");
  Labels in{{"job", "node"}, {"a", "x"}};
  LabelsBuilder scratch;
  EXPECT_EQ(Apply(in, rules, &scratch), Outcome::kUnchanged);
  EXPECT_TRUE(scratch.pairs().empty());
  Labels upper{{"job", "node"}, {"a", "X"}};
  EXPECT_EQ(Apply(upper, rules, &scratch), Outcome::kChanged);
  EXPECT_EQ(scratch.Build(), (Labels{{"job", "node"}, {"a", "x"}}));
  EXPECT_EQ(Apply(Labels{{"job", "other"}}, rules, &scratch), Outcome::kDropped);
}

TEST(RelabelApply, NoRulesKeepsEverything) {
  LabelsBuilder out;
  Labels in{{"a", "1"}};
  EXPECT_TRUE(Process(in, {}, &out));
  EXPECT_EQ(out.Build(), in);
}

TEST(RelabelHashMod, MatchesPrometheusNumbers) {
  // md5(s)[8:16] big-endian, modulo.
  EXPECT_EQ(HashMod("baz", 1000), 976u);
  EXPECT_EQ(HashMod("foo", 1000), 696u);
  EXPECT_EQ(HashMod("", 7), 1u);
}

}  // namespace
}  // namespace pharos::relabel
