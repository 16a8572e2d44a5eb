// HTML mode: html/template's escaping of action output by context.
#include <gtest/gtest.h>

#include "template/template.h"

namespace pharos::tmpl {
namespace {

std::string Html(std::string_view text, const Value& dot) {
  TemplateOptions o;
  o.html = true;
  o.missing_key = MissingKey::kZero;
  TemplateSet set(o);
  set.AddFunc("safe", Function{.params = {ArgType::kString},
                               .fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
                                 return Value::String(a[0].AsString(), StringKind::kHTML);
                               }});
  auto st = set.Parse("h", text);
  if (!st.ok()) return "PARSE: " + std::string(st.message());
  auto r = set.ExecuteToString("h", dot);
  if (!r.ok()) return "EXEC: " + std::string(r.status().message());
  return *r;
}

Value S(std::string s) { return Value::String(std::move(s)); }

TEST(TemplateHtml, TextNodes) {
  EXPECT_EQ(Html("<p>{{ . }}</p>", S("<script>a&b \"q\" 'x' 1+1</script>")),
            "<p>&lt;script&gt;a&amp;b &#34;q&#34; &#39;x&#39; 1&#43;1&lt;/script&gt;</p>");
  EXPECT_EQ(Html("<p>{{ safe . }}</p>", S("<b>bold</b>")), "<p><b>bold</b></p>");
  EXPECT_EQ(Html("<p>[{{ .x }}]</p>", Value::Map({})), "<p>[]</p>");
  EXPECT_EQ(Html("{{ . }}", Value::Float(1234567)), "1.234567e&#43;06");
  // Template text passes through, except HTML comments.
  EXPECT_EQ(Html("<!DOCTYPE html><!-- gone -->a<!--\nmulti\nline-->b", Value()), "<!DOCTYPE html>ab");
  EXPECT_EQ(Html("<!-- {{ . }} -->x", S("hidden")), "x");
}

TEST(TemplateHtml, Rcdata) {
  EXPECT_EQ(Html("<title>{{ . }}</title>{{ . }}", S("a<b")), "<title>a&lt;b</title>a&lt;b");
  EXPECT_EQ(Html("<TEXTAREA>{{ safe . }}</TEXTAREA>", S("<i>&amp;</i>")), "<TEXTAREA>&lt;i&gt;&amp;&lt;/i&gt;</TEXTAREA>");
}

TEST(TemplateHtml, Attributes) {
  EXPECT_EQ(Html("<td title=\"{{ . }}\">", S("a\"b'c<d>&")), "<td title=\"a&#34;b&#39;c&lt;d&gt;&amp;\">");
  EXPECT_EQ(Html("<td title='{{ . }}'>", S("it's")), "<td title='it&#39;s'>");
  EXPECT_EQ(Html("<td title={{ . }}>", S("a b=c")), "<td title=a&#32;b&#61;c>");
  EXPECT_EQ(Html("<td title=\"{{ safe . }}\">", S("<b>x</b> &amp;")), "<td title=\"x &amp;\">");
  EXPECT_EQ(Html("<td class=\"x {{ . }} y\" id=z>{{ . }}", S("<")), "<td class=\"x &lt; y\" id=z>&lt;");
}

TEST(TemplateHtml, Urls) {
  EXPECT_EQ(Html("<a href=\"{{ . }}\">", S("http://h/p?a=1&b=2 3")), "<a href=\"http://h/p?a=1&amp;b=2%203\">");
  EXPECT_EQ(Html("<a href=\"{{ . }}\">", S("javascript:alert(1)")), "<a href=\"#ZgotmplZ\">");
  EXPECT_EQ(Html("<a href=\"{{ . }}\">", S("MAILTO:x@y")), "<a href=\"MAILTO:x@y\">");
  EXPECT_EQ(Html("<a href=\"/search?q={{ . }}\">", S("a&b c/é")), "<a href=\"/search?q=a%26b%20c%2f%c3%a9\">");
  EXPECT_EQ(Html("<img src=\"{{ . }}/x.png\">", S("/static dir")), "<img src=\"/static%20dir/x.png\">");
  EXPECT_EQ(Html("<a data-url=\"{{ . }}\">", S("javascript:x")), "<a data-url=\"#ZgotmplZ\">");
  EXPECT_EQ(Html("<a href=\"{{ . }}\">", S("http://h/%41%zz")), "<a href=\"http://h/%41%25zz\">");
}

TEST(TemplateHtml, ScriptAndStyle) {
  EXPECT_EQ(Html("<script>var x = {{ . }};</script>", S("a\"</script>")),
            "<script>var x = \"a\\\"\\u003c/script\\u003e\";</script>");
  EXPECT_EQ(Html("<script>var n = {{ . }};</script>", Value::Int(5)), "<script>var n =  5 ;</script>");
  EXPECT_EQ(Html("<button onclick=\"f({{ . }})\">", S("x'y")), "<button onclick=\"f(&#34;x&#39;y&#34;)\">");
  EXPECT_EQ(Html("<p style=\"color: {{ . }}\">", S("red")), "<p style=\"color: red\">");
  EXPECT_EQ(Html("<p style=\"color: {{ . }}\">", S("expression(alert(1))")), "<p style=\"color: ZgotmplZ\">");
  EXPECT_EQ(Html("<p>{{ . }}</p>", S("after script")), "<p>after script</p>");
}

TEST(TemplateHtml, CalledTemplatesContinueTheContext) {
  EXPECT_EQ(Html("{{ define \"u\" }}{{ . }}/#/alerts{{ end }}<a href=\"{{ template \"u\" . }}\">{{ template \"u\" . }}</a>",
                 S("http://am:9093/a b")),
            "<a href=\"http://am:9093/a%20b/#/alerts\">http://am:9093/a b/#/alerts</a>");
}

}  // namespace
}  // namespace pharos::tmpl
