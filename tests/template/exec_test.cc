// Execution semantics of Go's text/template: printing, truth, variables,
// control structures, builtins, and Go's execution error messages.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "template/template.h"

namespace pharos::tmpl {
namespace {

std::string Exec(std::string_view text, const Value& dot = Value(), TemplateOptions opts = {}) {
  TemplateSet set(opts);
  auto st = set.Parse("t", text);
  if (!st.ok()) return "PARSE: " + std::string(st.message());
  auto r = set.ExecuteToString("t", dot);
  if (!r.ok()) return "EXEC: " + std::string(r.status().message());
  return *r;
}

Value Data() {
  ValueMap m;
  m["S"] = Value::String("str");
  m["I"] = Value::Int(17);
  m["F"] = Value::Float(1.5);
  m["B"] = Value::Bool(true);
  m["Empty"] = Value::String("");
  m["L"] = Value::List({Value::String("a"), Value::String("b"), Value::String("c")}, ElemType::kString);
  m["M"] = Value::StringMap({{"z", "26"}, {"a", "1"}, {"m", "13"}});
  m["N"] = Value();
  m["Nested"] = Value::Map({{"Inner", Value::Map({{"X", Value::Int(1)}})}});
  return Value::Map(std::move(m));
}

TEST(TemplateExec, Printing) {
  EXPECT_EQ(Exec("{{ 1 }} {{ 1.5 }} {{ \"s\" }} {{ true }} {{ 'a' }} {{ 0x10 }} {{ 1e3 }} {{ -0.0 }}"),
            "1 1.5 s true 97 16 1000 -0");
  EXPECT_EQ(Exec("{{ . }}", Value::Float(1234567)), "1.234567e+06");
  EXPECT_EQ(Exec("{{ . }}", Value::Float(123456)), "123456");
  EXPECT_EQ(Exec("{{ . }}", Value::Float(0.0001)), "0.0001");
  EXPECT_EQ(Exec("{{ . }}", Value::Float(0.00001)), "1e-05");
  EXPECT_EQ(Exec("{{ . }}", Value::Float(1e21)), "1e+21");
  EXPECT_EQ(Exec("{{ . }}", Value::Float(1.0 / 0.0)), "+Inf");
  EXPECT_EQ(Exec("{{ . }}", Value::Float(-1.0 / 0.0)), "-Inf");
  EXPECT_EQ(Exec("{{ . }}", Value()), "<no value>");
  EXPECT_EQ(Exec("{{ .L }} {{ .M }}", Data()), "[a b c] map[a:1 m:13 z:26]");
  EXPECT_EQ(Exec("{{ .Missing }}", Data()), "<no value>");
  EXPECT_EQ(Exec("{{ .Nested.Inner.X }} {{ .Nested.Missing.X }}", Data()), "1 <no value>");
  EXPECT_EQ(Exec("{{ $ }}", Value::Int(3)), "3");
}

TEST(TemplateExec, MissingKeyOptions) {
  TemplateOptions zero;
  zero.missing_key = MissingKey::kZero;
  EXPECT_EQ(Exec("[{{ .M.nope }}]", Data(), zero), "[]");
  EXPECT_EQ(Exec("[{{ .nope }}]", Data(), zero), "[<no value>]");
  EXPECT_EQ(Exec("[{{ .M.nope }}]", Data()), "[<no value>]");
  TemplateOptions err;
  err.missing_key = MissingKey::kError;
  EXPECT_EQ(Exec("{{ .nope }}", Data(), err),
            "EXEC: template: t:1:3: executing \"t\" at <.nope>: map has no entry for key \"nope\"");
}

TEST(TemplateExec, TrimMarkers) {
  EXPECT_EQ(Exec("a  {{- 1 -}}  b"), "a1b");
  EXPECT_EQ(Exec("a \n {{- 1 }} \n b"), "a1 \n b");
  EXPECT_EQ(Exec("a {{ 1 -}} \n\t b"), "a 1b");
  EXPECT_EQ(Exec("a {{- /* c */ -}} b"), "ab");
  EXPECT_EQ(Exec("{{ -1 }}"), "-1");
  EXPECT_EQ(Exec("{{-3 -}}"), "-3");
}

TEST(TemplateExec, Truth) {
  EXPECT_EQ(Exec("{{ if 0 }}t{{ else }}f{{ end }}"), "f");
  EXPECT_EQ(Exec("{{ if 0.0 }}t{{ else }}f{{ end }}"), "f");
  EXPECT_EQ(Exec("{{ if \"\" }}t{{ else }}f{{ end }}"), "f");
  EXPECT_EQ(Exec("{{ if .L }}t{{ else }}f{{ end }}", Data()), "t");
  EXPECT_EQ(Exec("{{ if .N }}t{{ else }}f{{ end }}", Data()), "f");
  EXPECT_EQ(Exec("{{ if .Missing }}t{{ else }}f{{ end }}", Data()), "f");
  EXPECT_EQ(Exec("{{ if .Empty }}t{{ else if .I }}i{{ else }}f{{ end }}", Data()), "i");
  EXPECT_EQ(Exec("{{ with .S }}{{ . }}{{ end }}", Data()), "str");
  EXPECT_EQ(Exec("{{ with .Empty }}x{{ else with .I }}{{ . }}{{ else }}n{{ end }}", Data()), "17");
  EXPECT_EQ(Exec("{{ with .Empty }}x{{ else }}{{ .S }}{{ end }}", Data()), "str");
}

TEST(TemplateExec, Variables) {
  EXPECT_EQ(Exec("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}"), "2");
  EXPECT_EQ(Exec("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}"), "21");
  EXPECT_EQ(Exec("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}"), "2");
  EXPECT_EQ(Exec("{{ $x := .M }}{{ $x.a }}{{ $.I }}", Data()), "117");
  EXPECT_EQ(Exec("{{ with $x := .S }}{{ $x }}{{ . }}{{ end }}", Data()), "strstr");
  // Assignment to an undeclared variable parses (Go records the name) and
  // fails when executed.
  EXPECT_EQ(Exec("{{ $x = 1 }}"), "EXEC: template: t:1:8: executing \"t\" at <1>: undefined variable: $x");
  EXPECT_EQ(Exec("{{ range $i, $v := .L }}{{ end }}{{ $i := 5 }}{{ $i }}", Data()), "5");
}

TEST(TemplateExec, Range) {
  EXPECT_EQ(Exec("{{ range .L }}<{{ . }}>{{ end }}", Data()), "<a><b><c>");
  EXPECT_EQ(Exec("{{ range $i, $v := .L }}{{ $i }}={{ $v }},{{ end }}", Data()), "0=a,1=b,2=c,");
  EXPECT_EQ(Exec("{{ range $v := .L }}{{ $v }}{{ end }}", Data()), "abc");
  EXPECT_EQ(Exec("{{ range $k, $v := .M }}{{ $k }}={{ $v }};{{ end }}", Data()), "a=1;m=13;z=26;");
  EXPECT_EQ(Exec("{{ range .N }}x{{ else }}empty{{ end }}", Data()), "empty");
  EXPECT_EQ(Exec("{{ range .Missing }}x{{ else }}empty{{ end }}", Data()), "empty");
  EXPECT_EQ(Exec("{{ range 3 }}{{ . }}{{ end }}"), "012");
  EXPECT_EQ(Exec("{{ range .L }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}", Data()), "a");
  EXPECT_EQ(Exec("{{ range .L }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}", Data()), "ac");
  EXPECT_EQ(Exec("{{ $i := 0 }}{{ range .L }}{{ $i = . }}{{ end }}{{ $i }}", Data()), "c");
  EXPECT_EQ(Exec("{{ range .S }}{{ end }}", Data()),
            "EXEC: template: t:1:9: executing \"t\" at <{{range .S}}{{end}}>: range can't iterate over str");
}

TEST(TemplateExec, DefineTemplateBlock) {
  EXPECT_EQ(Exec("{{ define \"T\" }}[{{ . }}]{{ end }}{{ template \"T\" \"x\" }}{{ template \"T\" }}"),
            "[x][<no value>]");
  EXPECT_EQ(Exec("{{ block \"B\" .S }}<{{ . }}>{{ end }}", Data()), "<str>");
  TemplateSet set;
  ASSERT_TRUE(set.Parse("page", "{{ block \"body\" . }}default{{ end }}").ok());
  EXPECT_EQ(*set.ExecuteToString("page", Value()), "default");
  TemplateSet other = set.Clone();
  ASSERT_TRUE(other.Parse("over", "{{ define \"body\" }}custom{{ end }}").ok());
  EXPECT_EQ(*other.ExecuteToString("page", Value()), "custom");
  EXPECT_EQ(*set.ExecuteToString("page", Value()), "default");
  // Variables do not cross into called templates; $ is the new dot.
  EXPECT_EQ(Exec("{{ define \"T\" }}{{ $ }}{{ end }}{{ $x := 1 }}{{ template \"T\" 5 }}"), "5");
}

TEST(TemplateExec, Builtins) {
  EXPECT_EQ(Exec("{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 \"\" \"x\" }} {{ or 0 \"\" }}"), "0 2 x ");
  EXPECT_EQ(Exec("{{ or true (index .L 99) }}", Data()), "true");  // short-circuit
  EXPECT_EQ(Exec("{{ not 0 }} {{ not .S }}", Data()), "true false");
  EXPECT_EQ(Exec("{{ len \"abc\" }} {{ len .L }} {{ len .M }}", Data()), "3 3 3");
  EXPECT_EQ(Exec("{{ index .L 1 }} {{ index .M \"z\" }} {{ index .Nested \"Inner\" \"X\" }} {{ index \"ab\" 1 }}",
                 Data()),
            "b 26 1 98");
  EXPECT_EQ(Exec("[{{ index .M \"nope\" }}]", Data()), "[]");
  EXPECT_EQ(Exec("{{ slice \"abcdef\" 1 3 }} {{ slice .L 1 }} {{ slice .L }}", Data()), "bc [b c] [a b c]");
  EXPECT_EQ(Exec("{{ print 1 2 \"a\" \"b\" 3 }}"), "1 2ab3");
  EXPECT_EQ(Exec("{{ println 1 \"a\" }}"), "1 a\n");
  EXPECT_EQ(Exec("{{ print nil }}"), "<nil>");
  EXPECT_EQ(Exec("{{ html \"<a href='x'>&\\\"\" }}"), "&lt;a href=&#39;x&#39;&gt;&amp;&#34;");
  EXPECT_EQ(Exec("{{ js \"a'b<=\\n\" }}"), "a\\'b\\u003C\\u003D\\u000A");
  EXPECT_EQ(Exec("{{ urlquery \"a b&c/é\" }}"), "a+b%26c%2F%C3%A9");
  EXPECT_EQ(Exec("{{ html .Missing }}", Data()), "&lt;no value&gt;");
  EXPECT_EQ(Exec("{{ \"x\" | printf \"%s-%s\" \"y\" }}"), "y-x");
  EXPECT_EQ(Exec("{{ .S | len }}", Data()), "3");
}

TEST(TemplateExec, Comparisons) {
  EXPECT_EQ(Exec("{{ eq 1 1 }} {{ eq 1 2 3 1 }} {{ eq \"a\" \"b\" }} {{ ne 1 2 }} {{ eq .I 17 }}", Data()),
            "true true false true true");
  EXPECT_EQ(Exec("{{ lt 1 2 }} {{ le 2 2 }} {{ gt 1.5 2.5 }} {{ ge \"b\" \"a\" }}"), "true true false true");
  EXPECT_EQ(Exec("{{ eq .Missing \"x\" }}", Data()), "false");
  EXPECT_EQ(Exec("{{ eq 1 1.0 }}"),
            "EXEC: template: t:1:3: executing \"t\" at <eq 1 1.0>: error calling eq: incompatible types for comparison");
  EXPECT_EQ(Exec("{{ gt .F 1 }}", Data()),
            "EXEC: template: t:1:3: executing \"t\" at <gt .F 1>: error calling gt: incompatible types for comparison");
  EXPECT_EQ(Exec("{{ lt true false }}"),
            "EXEC: template: t:1:3: executing \"t\" at <lt true false>: error calling lt: invalid type for comparison");
  EXPECT_EQ(Exec("{{ lt .L .L }}", Data()),
            "EXEC: template: t:1:3: executing \"t\" at <lt .L .L>: error calling lt: invalid type for comparison");
  EXPECT_EQ(Exec("{{ eq 1 }}"),
            "EXEC: template: t:1:3: executing \"t\" at <eq 1>: error calling eq: missing argument for comparison");
}

TEST(TemplateExec, Printf) {
  EXPECT_EQ(Exec("{{ printf \"%5.2f|%-4d|%q|%x|%v|%t|%X\" 3.14159 7 \"hi\" 255 .5 true \"hi\" }}"),
            " 3.14|7   |\"hi\"|ff|0.5|true|6869");
  EXPECT_EQ(Exec("{{ printf \"%d %d\" 1 }}"), "1 %!d(MISSING)");
  EXPECT_EQ(Exec("{{ printf \"%d\" 1 2 }}"), "1%!(EXTRA int=2)");
  EXPECT_EQ(Exec("{{ printf \"%d\" \"x\" }}"), "%!d(string=x)");
  EXPECT_EQ(Exec("{{ printf \"%s\" 1.5 }}"), "%!s(float64=1.5)");
  EXPECT_EQ(Exec("{{ printf \"%05d|%+d|%e|%g|%.3g|%8.3s|%%\" 42 5 1234.5678 1e6 0.00012345 \"abcdef\" }}"),
            "00042|+5|1.234568e+03|1e+06|0.000123|     abc|%");
  EXPECT_EQ(Exec("{{ printf \"%v %s\" .L .M }}", Data()), "[a b c] map[a:1 m:13 z:26]");
  EXPECT_EQ(Exec("{{ printf \"%.2f%%\" 12.345 }}"), "12.35%");
  EXPECT_EQ(Exec("{{ printf \"%6.2f|%-8.3e|\" -1.005 100.0 }}"), " -1.00|1.000e+02|");
  EXPECT_EQ(Exec("{{ printf \"%v\" nil }} {{ printf \"%d\" nil }}"), "<nil> %!d(<nil>)");
  EXPECT_EQ(Exec("{{ printf \"%c|%U|%o|%b|%#x\" 65 65 8 5 255 }}"), "A|U+0041|10|101|0xff");
  EXPECT_EQ(Exec("{{ printf \"%*d|%-*d|\" 4 1 3 2 }}"), "   1|2  |");
  EXPECT_EQ(Exec("{{ printf \"%.4g\" . }}", Value::Float(1.0 / 0.0)), "+Inf");
  EXPECT_EQ(Exec("{{ printf \"%!\" }}"), "%!!(MISSING)");
}

TEST(TemplateExec, ErrorMessages) {
  EXPECT_EQ(Exec("x{{ index .L 5 }}", Data()),
            "EXEC: template: t:1:4: executing \"t\" at <index .L 5>: error calling index: index out of range: 5");
  EXPECT_EQ(Exec("{{ .S.Foo }}", Data()),
            "EXEC: template: t:1:3: executing \"t\" at <.S.Foo>: can't evaluate field Foo in type string");
  EXPECT_EQ(Exec("{{ .M 1 }}", Data()),
            "EXEC: template: t:1:3: executing \"t\" at <.M>: M is not a method but has arguments");
  EXPECT_EQ(Exec("{{ 1 2 }}"), "EXEC: template: t:1:3: executing \"t\" at <1>: can't give argument to non-function 1");
  EXPECT_EQ(Exec("{{ nil }}"), "EXEC: template: t:1:3: executing \"t\" at <nil>: nil is not a command");
  EXPECT_EQ(Exec("a\n  {{ template \"nope\" }}"),
            "EXEC: template: t:2:14: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined");
  EXPECT_EQ(Exec("{{ len 3 }}"), "EXEC: template: t:1:3: executing \"t\" at <len 3>: error calling len: len of type int");
  EXPECT_EQ(Exec("{{ index nil 1 }}"),
            "EXEC: template: t:1:3: executing \"t\" at <index nil 1>: error calling index: index of untyped nil");
  EXPECT_EQ(Exec("{{ printf 1 }}"), "EXEC: template: t:1:10: executing \"t\" at <1>: expected string; found 1");
  EXPECT_EQ(Exec("{{ printf .I }}", Data()),
            "EXEC: template: t:1:10: executing \"t\" at <.I>: wrong type for value; expected string; got int");
  EXPECT_EQ(Exec("{{ not 1 2 }}"), "EXEC: template: t:1:3: executing \"t\" at <not>: wrong number of args for not: want 1 got 2");
  EXPECT_EQ(Exec("{{ and }}"), "EXEC: template: t:1:3: executing \"t\" at <and>: wrong number of args for and: want at least 1 got 0");
  EXPECT_EQ(Exec("{{ define \"inner\" }}{{ .X.Y }}{{ end }}{{ template \"inner\" 1 }}"),
            "EXEC: template: t:1:23: executing \"inner\" at <.X.Y>: can't evaluate field X in type int");
  EXPECT_EQ(Exec("{{ \"a very long string literal indeed\" 1 }}"),
            "EXEC: template: t:1:3: executing \"t\" at <\"a very long string ...>: can't give argument to non-function "
            "\"a very long string literal indeed\"");
}

TEST(TemplateExec, Limits) {
  TemplateOptions opts;
  opts.limits.max_call_depth = 50;
  EXPECT_EQ(Exec("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}", Value(), opts),
            "EXEC: template: t:1:28: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (50)");
  opts.limits.max_output_bytes = 10;
  EXPECT_EQ(Exec("{{ range 100 }}x{{ end }}", Value(), opts).substr(0, 5), "EXEC:");
  opts.limits.max_output_bytes = 1 << 20;
  opts.limits.max_range_iterations = 1000;
  std::string r = Exec("{{ range 1000000 }}{{ end }}", Value(), opts);
  EXPECT_NE(r.find("range iterations exceed the limit of 1000"), std::string::npos) << r;

  opts.limits.max_output_bytes = 1000;
  r = Exec("{{ range 100 }}{{ $x := printf \"%500d\" 1 }}{{ end }}", Value(), opts);
  EXPECT_NE(r.find("template functions produced more than 16000 bytes"), std::string::npos) << r;

  TemplateSet set(opts);
  ASSERT_TRUE(set.Parse("t", "{{ range 2000 }}{{ end }}").ok());
  std::string out;
  EXPECT_EQ(set.Execute("t", Value(), &out).code(), absl::StatusCode::kResourceExhausted);
}

TEST(TemplateExec, ExecuteUnknownAndVars) {
  TemplateSet set;
  EXPECT_EQ(set.Execute("nope", Value(), nullptr).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(set.Parse("t", "{{ $value }} {{ $labels.job }}", {"$value", "$labels"}).ok());
  auto r = set.ExecuteToString("t", Value(), {{"$value", Value::Float(0.5)}, {"$labels", Value::StringMap({{"job", "api"}})}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "0.5 api");
  EXPECT_EQ(set.Names(), std::vector<std::string>{"t"});
}

TEST(TemplateExec, ConcurrentExecuteSharesNothingMutable) {
  TemplateSet set;
  ASSERT_TRUE(set.Parse("t", "{{ range . }}{{ . }}{{ end }}").ok());
  Value v = Value::List({Value::Int(1), Value::Int(2)});
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 200; ++j) {
        auto r = set.ExecuteToString("t", v);
        if (!r.ok() || *r != "12") ++bad;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace pharos::tmpl
