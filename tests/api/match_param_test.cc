#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/params.h"
#include "common/strings.h"

namespace pharos::api {
namespace {

// The matchers sorted, so the test does not depend on where the parser puts
// the metric name's matcher.
std::string SortedJoin(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

std::string Render(const Matchers& ms) {
  std::vector<std::string> parts;
  for (const auto& m : ms) parts.push_back(m.ToString());
  return SortedJoin(std::move(parts));
}

absl::StatusOr<Matchers> ParseOne(std::string_view in) {
  auto sets = ParseMatchersParam({in});
  if (!sets.ok()) return sets.status();
  return (*sets)[0];
}

std::string SortedWant(const char* want) {
  std::vector<std::string> parts;
  std::string_view w(want);
  // Splits on ", " outside quotes.
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < w.size(); ++i) {
    char c = w[i];
    if (c == '\\' && quoted && i + 1 < w.size()) {
      cur += c;
      cur += w[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted && c == ',' && i + 1 < w.size() && w[i + 1] == ' ') {
      parts.push_back(cur);
      cur.clear();
      ++i;
      continue;
    }
    cur += c;
  }
  if (!cur.empty()) parts.push_back(cur);
  return SortedJoin(std::move(parts));
}

TEST(MatchParam, ParsesPromqlSelectors) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"up", "__name__=\"up\""},
      {"  up  ", "__name__=\"up\""},
      {"foo:bar{a=\"bc\"}", "a=\"bc\", __name__=\"foo:bar\""},
      {"foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\",}",
       "a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\", __name__=\"foo\""},
      {"{__name__=~\"http_.*\",code!=\"200\"}", "__name__=~\"http_.*\", code!=\"200\""},
      {"foo{NaN='bc'}", "NaN=\"bc\", __name__=\"foo\""},
      {"foo{bar='}'}", "bar=\"}\", __name__=\"foo\""},
      {"x{by=\"a\",on='b'}", "by=\"a\", on=\"b\", __name__=\"x\""},
      {"x{a=`raw\\n`}", "a=\"raw\\\\n\", __name__=\"x\""},
      {"x{a=\"tab\\tq\\\"\\x41\\101\\u00e9\\U0001F600\"}",
       "a=\"tab\tq\\\"AA\xc3\xa9\xf0\x9f\x98\x80\", __name__=\"x\""},
      {"x{a='it\\'s'}", "a=\"it's\", __name__=\"x\""},
      {"x # a comment\n{a=\"1\"}", "a=\"1\", __name__=\"x\""},
      {"{job=\"node\"}", "job=\"node\""},
      {"up{}", "__name__=\"up\""},
  };
  for (const auto& c : cases) {
    auto ms = ParseOne(c.in);
    ASSERT_TRUE(ms.ok()) << c.in << ": " << ms.status();
    EXPECT_EQ(Render(*ms), SortedWant(c.want)) << c.in;
  }
}

TEST(MatchParam, ReportsErrorsLikePrometheus) {
  struct Case {
    const char* in;
    const char* err;
  } cases[] = {
      {"{", "1:2: parse error: unexpected end of input inside braces"},
      {"}", ""},  // 1:1: parse error: unexpected character: '}' (wording differs: docs/http-api.md)
      {"some{", "1:6: parse error: unexpected end of input inside braces"},
      {"some}", ""},  // 1:5: parse error: unexpected character: '}' (wording differs: docs/http-api.md)
      {"some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, expected string"},
      {"some_metric{a:b=\"b\"}", ""},  // 1:14: parse error: unexpected character inside braces: ':' (wording differs: docs/http-api.md)
      {"foo{a*\"b\"}", ""},  // 1:6: parse error: unexpected character inside braces: '*' (wording differs: docs/http-api.md)
      {"foo{a>=\"b\"}", ""},  // 1:6: parse error: unexpected character inside braces: '>' (wording differs: docs/http-api.md)
      {"some_metric{a=\"\xff\"}", ""},  // Prometheus: 1:15: parse error: invalid UTF-8 rune (wording differs: docs/http-api.md)
      {"foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator"},
      {"foo{1}", ""},  // Prometheus: 1:5: parse error: unexpected character inside braces: '1' (wording differs: docs/http-api.md)
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x!~\".+\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x!=\"a\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""},
      {"foo{__name__= =}", "1:15: parse error: unexpected \"=\" in label matching, expected string"},
      {"foo{,}", ""},  // Prometheus: 1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\" (wording differs: docs/http-api.md)
      {"foo{__name__ == \"bar\"}", ""},  // Prometheus: 1:15: parse error: unexpected \"=\" in label matching, expected string (wording differs: docs/http-api.md)
      {"foo{__name__=\"bar\" lol}",
       "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\""},
      {"x{a=\"unterminated}", "1:5: parse error: unterminated quoted string"},
      {"x{a=\"\\q\"}", ""},  // Prometheus: 1:6: parse error: unknown escape sequence (wording differs: docs/http-api.md)
      {"x{a=\"\\uD800\"}", ""},  // Prometheus: 1:12: parse error: escape sequence is an invalid Unicode code point (wording differs: docs/http-api.md)
      {"", ""},  // Prometheus: 1:1: parse error: unexpected end of input (wording differs: docs/http-api.md)
      {"up[5m]", ""},  // Prometheus: 1:3: parse error: range selectors are not series selectors (wording differs: docs/http-api.md)
      {"up{a=\"1\"} x", ""},  // Prometheus: 1:11: parse error: unexpected character: 'x' (wording differs: docs/http-api.md)
      {"x{a=~\"(\"}", ""},
  };
  for (const auto& c : cases) {
    auto ms = ParseOne(c.in);
    ASSERT_FALSE(ms.ok()) << c.in;
    if (*c.err) {
      EXPECT_EQ(std::string(SV(ms.status().message())), c.err) << c.in;
    }
  }
  // Bounded by the PromQL parser's limit on query text (promql::kMaxQueryBytes).
  EXPECT_FALSE(ParseOne(std::string(2 << 20, 'a')).ok());
}

}  // namespace
}  // namespace pharos::api
