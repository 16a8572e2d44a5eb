#include <gtest/gtest.h>

#include "api/series_selector.h"

namespace pharos::api {
namespace {

std::string Render(const Matchers& ms) {
  std::string out;
  for (const auto& m : ms) {
    if (!out.empty()) out += ", ";
    out += m.ToString();
  }
  return out;
}

TEST(SeriesSelector, ParsesPromqlSelectors) {
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
    auto ms = ParseSeriesSelector(c.in);
    ASSERT_TRUE(ms.ok()) << c.in << ": " << ms.status();
    EXPECT_EQ(Render(*ms), c.want) << c.in;
  }
}

TEST(SeriesSelector, ReportsErrorsLikePrometheus) {
  struct Case {
    const char* in;
    const char* err;
  } cases[] = {
      {"{", "1:2: parse error: unexpected end of input inside braces"},
      {"}", "1:1: parse error: unexpected character: '}'"},
      {"some{", "1:6: parse error: unexpected end of input inside braces"},
      {"some}", "1:5: parse error: unexpected character: '}'"},
      {"some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, expected string"},
      {"some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'"},
      {"foo{a*\"b\"}", "1:6: parse error: unexpected character inside braces: '*'"},
      {"foo{a>=\"b\"}", "1:6: parse error: unexpected character inside braces: '>'"},
      {"some_metric{a=\"\xff\"}", "1:15: parse error: invalid UTF-8 rune"},
      {"foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator"},
      {"foo{1}", "1:5: parse error: unexpected character inside braces: '1'"},
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x!~\".+\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x!=\"a\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""},
      {"foo{__name__= =}", "1:15: parse error: unexpected \"=\" in label matching, expected string"},
      {"foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\""},
      {"foo{__name__ == \"bar\"}", "1:15: parse error: unexpected \"=\" in label matching, expected string"},
      {"foo{__name__=\"bar\" lol}",
       "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\""},
      {"x{a=\"unterminated}", "1:5: parse error: unterminated quoted string"},
      {"x{a=\"\\q\"}", "1:6: parse error: unknown escape sequence"},
      {"x{a=\"\\uD800\"}", "1:12: parse error: escape sequence is an invalid Unicode code point"},
      {"", "1:1: parse error: unexpected end of input"},
      {"up[5m]", "1:3: parse error: range selectors are not series selectors"},
      {"up{a=\"1\"} x", "1:11: parse error: unexpected character: 'x'"},
      {"x{a=~\"(\"}", ""},
  };
  for (const auto& c : cases) {
    auto ms = ParseSeriesSelector(c.in);
    ASSERT_FALSE(ms.ok()) << c.in;
    if (*c.err) {
      EXPECT_EQ(ms.status().message(), c.err) << c.in;
    }
  }
  EXPECT_FALSE(ParseSeriesSelector(std::string(70000, 'a')).ok());
}

}  // namespace
}  // namespace pharos::api
