// Parse-time behaviour of Go's text/template: syntax accepted, and the
// errors (words and line numbers) Go reports before any execution.
#include <gtest/gtest.h>

#include "template/template.h"

namespace pharos::tmpl {
namespace {

std::string ParseError(std::string_view text) {
  TemplateSet set;
  auto st = set.Parse("t", text);
  return st.ok() ? "OK" : std::string(st.message());
}

TEST(TemplateParse, Errors) {
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {"{{end}}", "template: t:1: unexpected {{end}}"},
      {"{{else}}", "template: t:1: unexpected {{else}}"},
      {"{{if .X}}a", "template: t:1: unexpected EOF"},
      {"a\nb\n{{end}}", "template: t:3: unexpected {{end}}"},
      {"{{$x := 1}}{{$y}}", "template: t:1: undefined variable \"$y\""},
      {"{{nonexistent 1}}", "template: t:1: function \"nonexistent\" not defined"},
      {"{{", "template: t:1: unclosed action"},
      {"{{template}}", "template: t:1: unexpected \"}}\" in template clause"},
      {"{{template 1}}", "template: t:1: unexpected \"1\" in template clause"},
      {"{{define \"x\"}}a{{end}}{{define \"x\"}}b{{end}}",
       "template: t:1: template: multiple definition of template \"x\""},
      {"{{printf \"%d\" 1 | 2}}", "template: t:1: non executable command in pipeline stage 2"},
      {"{{range $i, $v, $z := .}}{{end}}", "template: t:1: too many declarations in range"},
      {"{{with $x, $y := .}}{{end}}", "template: t:1: too many declarations in with"},
      {"{{break}}", "template: t:1: {{break}} outside {{range}}"},
      {"{{continue}}", "template: t:1: {{continue}} outside {{range}}"},
      {"{{range .}}{{else}}{{break}}{{end}}", "template: t:1: {{break}} outside {{range}}"},
      {"{{\"x\".y}}", "template: t:1: unexpected . after term \"\\\"x\\\"\""},
      {"{{/* c */ }}", "template: t:1: comment ends before closing delimiter"},
      {"{{/* c ", "template: t:1: unclosed comment"},
      {"{{ 1x }}", "template: t:1: bad number syntax: \"1x\""},
      {"{{if}}{{end}}", "template: t:1: missing value for if"},
      {"{{ (.X }}", "template: t:1: unclosed left paren"},
      {"{{ .X) }}", "template: t:1: unexpected right paren"},
      {"{{ \"abc }}", "template: t:1: unterminated quoted string"},
      {"{{ `abc }}", "template: t:1: unterminated raw quoted string"},
      {"{{ 'ab' }}", "template: t:1: malformed character constant: 'ab'"},
      {"{{ .X # }}", "template: t:1: unexpected \"#\" in operand"},
      {"{{ .X ^ }}", "template: t:1: unexpected \"^\" in operand"},
      {"{{ .X\x01 }}", "template: t:1: bad character U+0001"},
      {"{{ if .X }}{{ else }}{{ else }}{{ end }}", "template: t:1: expected end; found {{else}}"},
      {"{{ define \"a\" }}", "template: t:1: unexpected EOF"},
      {"{{ define 1 }}{{ end }}", "template: t:1: unexpected \"1\" in define clause"},
      {"{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}", "template: t:1: undefined variable \"$x\""},
      {"x\n{{ 99999999999999999999 }}", "template: t:2: integer overflow: \"99999999999999999999\""},
      {"{{ .X | nil }}", "template: t:1: non executable command in pipeline stage 2"},
      {"{{ block \"b\" }}{{ end }}", "template: t:1: missing value for block clause"},
  };
  for (const auto& c : cases) EXPECT_EQ(ParseError(c.text), c.want) << c.text;
}

TEST(TemplateParse, Accepted) {
  const char* ok[] = {
      "",
      "plain text",
      "{{/* comment */}}",
      "{{- /* trimmed comment */ -}}",
      "{{ .A.B.C }}",
      "{{ $.A }}",
      "{{ $x := .A }}{{ $x.B }}",
      "{{ ( .A ).B }}",
      "{{ printf \"%d\" (len .) }}",
      "{{ range $i, $v := . }}{{ $i }}{{ $v }}{{ end }}",
      "{{ range $v := . }}{{ $v }}{{ else }}none{{ end }}",
      "{{ range . }}{{ if . }}{{ break }}{{ end }}{{ continue }}{{ end }}",
      "{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}",
      "{{ with .A }}a{{ else with .B }}b{{ else }}c{{ end }}",
      "{{ define \"x\" }}X{{ end }}{{ template \"x\" . }}",
      "{{ block \"b\" . }}B{{ end }}",
      "{{ 'a' }} {{ '\\n' }} {{ 0x1F }} {{ 1e3 }} {{ -1.5 }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }}",
      "{{ \"a\\tb\\u00e9\\x41\" }} {{ `raw\\n` }}",
      "{{ nil | print }}",
      "{{\n  .A\n}}",
      "{{ $x := 1 }}{{ $x = 2 }}",
  };
  for (const char* t : ok) EXPECT_EQ(ParseError(t), "OK") << t;
}

TEST(TemplateParse, ErrorInActionSpanningLines) {
  EXPECT_EQ(ParseError("{{ .A\n \"x }}"), "template: t:2: unterminated quoted string in action started at t:1");
}

TEST(TemplateParse, PredeclaredVariables) {
  TemplateSet set;
  EXPECT_TRUE(set.Parse("t", "{{ $labels.job }}", {"$labels"}).ok());
  EXPECT_FALSE(set.Parse("u", "{{ $labels.job }}").ok());
  // Not visible inside definitions, as Go's scoping.
  EXPECT_FALSE(set.Parse("v", "{{ define \"d\" }}{{ $labels }}{{ end }}", {"$labels"}).ok());
}

TEST(TemplateParse, LimitsAreErrors) {
  TemplateOptions opts;
  opts.limits.max_parse_depth = 50;
  TemplateSet set(opts);
  std::string deep = "{{ " + std::string(100, '(') + "1" + std::string(100, ')') + " }}";
  auto st = set.Parse("t", deep);
  EXPECT_EQ(std::string(st.message()), "template: t:1: max expression depth exceeded");
  opts.limits.max_text_bytes = 10;
  TemplateSet small(opts);
  EXPECT_FALSE(small.Parse("t", "01234567890").ok());
}

TEST(TemplateParse, RedefinitionAcrossParsesReplaces) {
  TemplateSet set;
  ASSERT_TRUE(set.Parse("a", "{{ define \"x\" }}one{{ end }}").ok());
  ASSERT_TRUE(set.Parse("b", "{{ define \"x\" }}two{{ end }}{{ template \"x\" }}").ok());
  EXPECT_EQ(*set.ExecuteToString("b", Value()), "two");
  // An empty redefinition does not replace a template.
  ASSERT_TRUE(set.Parse("x", "  ").ok());
  EXPECT_EQ(*set.ExecuteToString("x", Value()), "two");
}

}  // namespace
}  // namespace pharos::tmpl
