#include "promql/parser.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/strings.h"

namespace pharos::promql {
namespace {

std::string Fmt(std::string_view q) {
  auto e = ParseExpr(q);
  if (!e.ok()) return "ERROR: " + std::string(SV(e.status().message()));
  return Format(**e);
}

double Num(std::string_view q) {
  auto e = ParseExpr(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status();
  if (!e.ok() || (*e)->kind != ExprKind::kNumber) return -12345;
  return static_cast<const NumberLiteral&>(**e).value;
}

TEST(Parser, NumberLiterals) {
  EXPECT_EQ(Num("1"), 1);
  EXPECT_EQ(Num(".5"), 0.5);
  EXPECT_EQ(Num("5."), 5);
  EXPECT_EQ(Num("5e-3"), 0.005);
  EXPECT_EQ(Num("0x1F"), 31);
  EXPECT_EQ(Num("010"), 8);  // Go's ParseInt with base 0: octal
  EXPECT_EQ(Num("-1"), -1);
  EXPECT_EQ(Num("+Inf"), INFINITY);
  EXPECT_EQ(Num("-inf"), -INFINITY);
  EXPECT_TRUE(std::isnan(Num("NaN")));
}

TEST(Parser, StringsAndEscapes) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {R"("a\nb")", "a\nb"},
      {R"('a"b')", "a\"b"},
      {R"("\x41\101\u00e9\U0001F600")", "AA\xc3\xa9\xf0\x9f\x98\x80"},
      {"`raw\\n`", "raw\\n"},
      {R"("\t\\")", "\t\\"},
  };
  for (const auto& c : cases) {
    auto e = ParseExpr(c.in);
    ASSERT_TRUE(e.ok()) << c.in << ": " << e.status();
    ASSERT_EQ((*e)->kind, ExprKind::kString);
    EXPECT_EQ(static_cast<const StringLiteral&>(**e).value, c.want) << c.in;
  }
}

TEST(Parser, FormatsLikePrometheus) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"foo", "foo"},
      {"foo{b=\"2\", a=~\"1\"}", "foo{a=~\"1\",b=\"2\"}"},
      {"{__name__=\"foo\"}", "{__name__=\"foo\"}"},
      {"123456789", "1.23456789e+08"},
      {"0.00001", "1e-05"},
      {"100000", "100000"},
      {"-0.5", "-0.5"},
      {"foo offset 1h30m", "foo offset 1h30m"},
      {"foo offset -5m", "foo offset -5m"},
      {"foo @ 10", "foo @ 10.000"},
      {"foo offset 5m @ start()", "foo @ start() offset 5m"},
      {"rate(foo[90s])", "rate(foo[1m30s])"},
      {"foo[5m:]", "foo[5m:]"},
      {"rate(foo[5m])[1h:1m] @ end()", "rate(foo[5m])[1h:1m] @ end()"},
      {"sum by(job)(foo)", "sum by (job) (foo)"},
      {"sum(foo) without(a,b)", "sum without (a, b) (foo)"},
      {"topk(3, foo)", "topk(3, foo)"},
      {"count_values(\"v\", foo)", "count_values(\"v\", foo)"},
      {"a + on(x) group_left(y) b", "a + on (x) group_left (y) b"},
      {"a > bool ignoring(x) b", "a > bool ignoring (x) b"},
      {"a and b", "a and b"},
      {"1 + 2 * 3", "1 + 2 * 3"},
      {"(1 + 2) * 3", "(1 + 2) * 3"},
      {"-foo", "-foo"},
      {"2 ^ 3 ^ 2", "2 ^ 3 ^ 2"},
      {"1000000", "1e+06"},
      {"label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")", "label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")"},
  };
  for (const auto& c : cases) EXPECT_EQ(Fmt(c.in), c.want) << c.in;
}

TEST(Parser, Precedence) {
  auto e = ParseExpr("2 ^ 3 ^ 2");
  ASSERT_TRUE(e.ok());
  const auto& b = static_cast<const BinaryExpr&>(**e);
  EXPECT_EQ(b.lhs->kind, ExprKind::kNumber);  // right-associative
  e = ParseExpr("-2 ^ 2");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->kind, ExprKind::kUnary);  // -(2^2)
  e = ParseExpr("a or b and c");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(static_cast<const BinaryExpr&>(**e).op, BinOp::kOr);
  e = ParseExpr("a - b - c");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(static_cast<const BinaryExpr&>(**e).lhs->kind, ExprKind::kBinary);
}

TEST(Parser, Errors) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"", "1:1: parse error: no expression found in input"},
      {"foo{", "1:5: parse error: unexpected end of input inside braces"},
      {"sum(foo", "1:8: parse error: unclosed left parenthesis"},
      {"foo bar", "1:5: parse error: unexpected identifier \"bar\""},
      {"(1))", "1:4: parse error: unexpected right parenthesis ')'"},
      {"((1)", "1:5: parse error: unclosed left parenthesis"},
      {"*1", "1:1: parse error: unexpected <op:*>"},
      {"1+", "1:3: parse error: unexpected end of input"},
      {"1 !~ 1", "1:3: parse error: unexpected character after '!': '~'"},
      {"a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>"},
      {"100..4", "1:5: parse error: unexpected number \".4\""},
      {"sum(foo) by (a) by (b)", "1:17: parse error: unexpected <by>"},
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{a=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""},
      {"nosuchfn(foo)", "1:1: parse error: unknown function with name \"nosuchfn\""},
      {"rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"},
      {"rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2"},
      {"round()", "1:1: parse error: expected at least 1 argument(s) in call to \"round\", got 0"},
      {"sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector"},
      {"topk(foo)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"},
      {"1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"},
      {"a + bool b", "1:3: parse error: bool modifier can only be used on comparison operators"},
      {"1 and a", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"},
      {"a and on(x) group_left b", "1:3: parse error: no grouping allowed for \"and\" operation"},
      {"(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"},
      {"foo offset 5m offset 1m", "1:15: parse error: offset may not be set multiple times"},
      {"foo @ 1 @ 2", "1:9: parse error: @ <timestamp> may not be set multiple times"},
      {"1 offset 5m", "1:3: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"},
      {"foo{a=~\"(\"}", "1:5: parse error:"},
      {"\"abc", "1:1: parse error: unterminated quoted string"},
      {"\"\\q\"", "1:1: parse error: unknown escape sequence"},
      {"foo\n  bar", "2:3: parse error: unexpected identifier \"bar\""},
      {"-\"a\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\""},
      {"1.5x", "1:1: parse error: bad number or duration syntax: \"1.5x\""},
  };
  for (const auto& c : cases) {
    auto e = ParseExpr(c.in);
    ASSERT_FALSE(e.ok()) << c.in;
    EXPECT_TRUE(SV(e.status().message()).starts_with(c.want)) << c.in << "\n got: " << e.status().message();
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(Parser, RefusesDeepNesting) {
  std::string deep(10000, '(');
  deep += "1";
  deep += std::string(10000, ')');
  auto e = ParseExpr(deep);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("nested too deeply"), absl::string_view::npos);
  std::string chain = "1";
  for (int i = 0; i < 5000; ++i) chain += " + 1";
  EXPECT_FALSE(ParseExpr(chain).ok());
  std::string unary(5000, '-');
  EXPECT_FALSE(ParseExpr(unary + "1").ok());
}

TEST(Parser, KeywordsAsLabelNamesAndCaseInsensitiveOperators) {
  EXPECT_EQ(Fmt("foo{on=\"a\", by=\"b\"}"), "foo{by=\"b\",on=\"a\"}");
  EXPECT_EQ(Fmt("SUM BY (job) (foo) AND bar"), "sum by (job) (foo) and bar");
  EXPECT_EQ(Fmt("foo:bar:rate5m"), "foo:bar:rate5m");
}

TEST(Parser, Prettify) {
  auto e = ParseExpr("sum by (job) (rate(x[5m]))");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Prettify(**e), "sum by (job) (rate(x[5m]))");
  e = ParseExpr(
      "sum by (job, instance) (rate(http_requests_total{job=\"api-server\", handler=~\"/api/.*\"}[5m])) / "
      "on(job) group_left sum by (job) (rate(http_requests_total[5m]))");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Prettify(**e),
            "  sum by (job, instance) (rate(http_requests_total{handler=~\"/api/.*\",job=\"api-server\"}[5m]))\n"
            "/ on (job) group_left ()\n"
            "  sum by (job) (rate(http_requests_total[5m]))");
  e = ParseExpr(
      "histogram_quantile(0.9, rate(a_very_long_metric_name_for_the_request_duration_seconds_bucket{job=\"x\"}[5m]))");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Prettify(**e),
            "histogram_quantile(\n"
            "  0.9,\n"
            "  rate(a_very_long_metric_name_for_the_request_duration_seconds_bucket{job=\"x\"}[5m])\n"
            ")");
}

TEST(Parser, MetricSelector) {
  auto vs = ParseMetricSelector("up{job=\"a\"}");
  ASSERT_TRUE(vs.ok());
  EXPECT_EQ((*vs)->matchers.size(), 2u);
  EXPECT_FALSE(ParseMetricSelector("rate(up[5m])").ok());
}

}  // namespace
}  // namespace pharos::promql
