// Prometheus 2.53's template functions, with the outputs of Prometheus'
// own template tests.
#include <gtest/gtest.h>

#include <cmath>

#include "template/prometheus_funcs.h"

namespace pharos::tmpl {
namespace {

std::string Expand(std::string_view text, const Value& dot = Value(), PrometheusFuncsOptions opts = {},
                   bool html = false) {
  TemplateOptions to;
  to.missing_key = MissingKey::kZero;
  to.html = html;
  TemplateSet set(to);
  if (opts.external_url.empty()) opts.external_url = "http://example.com/path/prefix";
  AddPrometheusFuncs(set, opts);
  auto st = set.Parse("test", text);
  if (!st.ok()) return "PARSE: " + std::string(st.message());
  auto r = set.ExecuteToString("test", dot);
  if (!r.ok()) return "EXEC: " + std::string(r.status().message());
  return *r;
}

Value Floats(std::initializer_list<double> l) {
  ValueList out;
  for (double d : l) out.push_back(Value::Float(d));
  return Value::List(std::move(out));
}

TEST(PrometheusFuncs, Humanize) {
  EXPECT_EQ(Expand("{{ range . }}{{ humanize . }}:{{ end }}", Floats({0.0, 1.0, 1234567.0, .12})),
            "0:1:1.235M:120m:");
  EXPECT_EQ(Expand("{{ range . }}{{ humanize1024 . }}:{{ end }}", Floats({0.0, 1.0, 1048576.0, .12})),
            "0:1:1Mi:0.12:");
  EXPECT_EQ(Expand("{{ humanize 1234567 }}"), "1.235M");  // an int literal
  EXPECT_EQ(Expand("{{ humanize \"1234\" }}"), "1.234k");
  EXPECT_EQ(Expand("{{ humanize . }}", Value::Float(NAN)), "NaN");
  EXPECT_EQ(Expand("{{ humanize . }}", Value::Float(-INFINITY)), "-Inf");
  EXPECT_EQ(Expand("{{ humanize . }}", Value::Float(1e-30)), "1e-06y");
  EXPECT_EQ(Expand("{{ humanize . }}", Value::Float(-0.00123)), "-1.23m");
  EXPECT_EQ(Expand("{{ humanize . }}", Value::Float(1e27)), "1000Y");
  EXPECT_EQ(Expand("{{ humanize \"x\" }}"),
            "EXEC: template: test:1:3: executing \"test\" at <humanize \"x\">: error calling humanize: "
            "strconv.ParseFloat: parsing \"x\": invalid syntax");
  EXPECT_EQ(Expand("{{ humanize true }}"),
            "EXEC: template: test:1:3: executing \"test\" at <humanize true>: error calling humanize: can't convert "
            "bool to float");
}

TEST(PrometheusFuncs, HumanizeDuration) {
  EXPECT_EQ(Expand("{{ range . }}{{ humanizeDuration . }}:{{ end }}",
                   Floats({0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99})),
            "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:");
  EXPECT_EQ(Expand("{{ range . }}{{ humanizeDuration . }}:{{ end }}",
                   Floats({.1, .0001, .12345, 60.1, 60.5, 1.2345, 12.345})),
            "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:");
  EXPECT_EQ(Expand("{{ humanizeDuration 3661 }}"), "1h 1m 1s");
  EXPECT_EQ(Expand("{{ humanizeDuration \"3661\" }}"), "1h 1m 1s");
  EXPECT_EQ(Expand("{{ humanizeDuration . }}", Value::Float(INFINITY)), "+Inf");
}

TEST(PrometheusFuncs, HumanizePercentageAndTimestamp) {
  EXPECT_EQ(Expand("{{ range . }}{{ humanizePercentage . }}:{{ end }}", Floats({0, 0.1234567, 1, 1.5})),
            "0%:12.35%:100%:150%:");
  EXPECT_EQ(Expand("{{ 1435065584.128 | humanizeTimestamp }}"), "2015-06-23 13:19:44.128 +0000 UTC");
  EXPECT_EQ(Expand("{{ humanizeTimestamp 0 }}"), "1970-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(Expand("{{ humanizeTimestamp \"1435065584.128\" }}"), "2015-06-23 13:19:44.128 +0000 UTC");
  EXPECT_EQ(Expand("{{ humanizeTimestamp -1.5 }}"), "1969-12-31 23:59:58.5 +0000 UTC");
  EXPECT_EQ(Expand("{{ humanizeTimestamp . }}", Value::Float(NAN)), "NaN");
  EXPECT_EQ(Expand("{{ 1435065584.128 | toTime }}"), "2015-06-23 13:19:44.128 +0000 UTC");
  EXPECT_EQ(Expand("{{ (1435065584.128 | toTime).Format \"2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3PM\" }}"),
            "2015-06-23T13:19:44.128Z Tue Jun 23 1PM");
  EXPECT_EQ(Expand("{{ (toTime 1435065584).Unix }}"), "1435065584");
}

TEST(PrometheusFuncs, Strings) {
  EXPECT_EQ(Expand("{{ \"aa bb CC\" | title }}"), "Aa Bb CC");
  EXPECT_EQ(Expand("{{ \"aa bb CC\" | toUpper }}"), "AA BB CC");
  EXPECT_EQ(Expand("{{ \"aa bb CC\" | toLower }}"), "aa bb cc");
  EXPECT_EQ(Expand("{{ match \"a+\" \"xaa\" }} {{ match \"^a+$\" \"xaa\" }}"), "true false");
  EXPECT_EQ(Expand("{{ reReplaceAll \"(a)b\" \"x$1\" \"abab\" }}"), "xaxa");
  EXPECT_EQ(Expand("{{ reReplaceAll \"(?P<host>[^:]+):.*\" \"${host}\" \"node1:9100\" }}"), "node1");
  EXPECT_EQ(Expand("{{ reReplaceAll \"a*\" \"-\" \"baaac\" }}"), "-b-c-");
  EXPECT_EQ(Expand("{{ reReplaceAll \"x\" \"$$\" \"axb\" }}"), "a$b");
  EXPECT_NE(Expand("{{ reReplaceAll \"(\" \"\" \"x\" }}").find(
                "at <reReplaceAll \"(\" \"\" ...>: error calling reReplaceAll: regexp: Compile(`(`): error parsing regexp"),
            std::string::npos);
  EXPECT_EQ(Expand("{{ \"<b>\" | safeHtml }}"), "<b>");
  EXPECT_EQ(Expand("{{ toUpper 1 }}"),
            "EXEC: template: test:1:11: executing \"test\" at <1>: expected string; found 1");
}

TEST(PrometheusFuncs, HostPorts) {
  struct Case {
    const char* fn;
    const char* in;
    const char* want;
  } cases[] = {
      {"stripPort", "foo.example.com", "foo.example.com"},
      {"stripPort", "foo.example.com:12345", "foo.example.com"},
      {"stripPort", "192.0.2.1:12345", "192.0.2.1"},
      {"stripPort", "[2001:0DB8::1]:12345", "2001:0DB8::1"},
      {"stripPort", "2001:0DB8::1", "2001:0DB8::1"},
      {"stripDomain", "foo.example.com", "foo"},
      {"stripDomain", "foo.example.com:12345", "foo:12345"},
      {"stripDomain", "192.0.2.1", "192.0.2.1"},
      {"stripDomain", "192.0.2.1:12345", "192.0.2.1:12345"},
      {"stripDomain", "[2001:0DB8::1]:12345", "[2001:0DB8::1]:12345"},
      {"stripDomain", "localhost", "localhost"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Expand(std::string("{{ ") + c.fn + " \"" + c.in + "\" }}"), c.want) << c.fn << " " << c.in;
  }
}

TEST(PrometheusFuncs, UrlsAndDurations) {
  EXPECT_EQ(Expand("{{ externalURL }} {{ pathPrefix }}"), "http://example.com/path/prefix /path/prefix");
  EXPECT_EQ(Expand("{{ \"1h2m10ms\" | parseDuration }}"), "3720.01");
  EXPECT_EQ(Expand("{{ parseDuration \"5m\" | humanizeDuration }}"), "5m 0s");
  EXPECT_EQ(Expand("{{ parseDuration \"5x\" }}"),
            "EXEC: template: test:1:3: executing \"test\" at <parseDuration \"5x\">: error calling parseDuration: not a "
            "valid duration string: \"5x\"");
}

TEST(PrometheusFuncs, Query) {
  PrometheusFuncsOptions opts;
  std::vector<std::string> seen;
  opts.query = [&](std::string_view q) -> absl::StatusOr<std::vector<QuerySample>> {
    seen.emplace_back(q);
    if (q == "error") return absl::InvalidArgumentError("bad query");
    if (q == "none") return std::vector<QuerySample>{};
    return std::vector<QuerySample>{{{{"__name__", "metric"}, {"instance", "a"}, {"__value__", "sv"}}, 11},
                                    {{{"__name__", "metric"}, {"instance", "b"}}, 21}};
  };
  EXPECT_EQ(Expand("{{ query \"1.5\" | first | value }}", Value(), opts), "11");
  EXPECT_EQ(Expand("{{ range query \"metric\" }}{{ .Labels.instance }}:{{ .Value }}: {{ end }}", Value(), opts),
            "a:11: b:21: ");
  EXPECT_EQ(Expand("{{ with query \"metric\" }}{{ . | first | label \"instance\" }}{{ end }}", Value(), opts), "a");
  EXPECT_EQ(Expand("{{ query \"metric\" | first | strvalue }}", Value(), opts), "sv");
  EXPECT_EQ(Expand("{{ range sortByLabel \"instance\" (query \"metric\") }}{{ .Labels.instance }}{{ end }}",
                   Value(), opts),
            "ab");
  EXPECT_EQ(Expand("{{ query \"none\" | first }}", Value(), opts),
            "EXEC: template: test:1:18: executing \"test\" at <first>: error calling first: first() called on vector "
            "with no elements");
  EXPECT_EQ(Expand("{{ query \"error\" }}", Value(), opts),
            "EXEC: template: test:1:3: executing \"test\" at <query \"error\">: error calling query: bad query");
  EXPECT_EQ(Expand("{{ with query \"none\" }}x{{ else }}no data{{ end }}", Value(), opts), "no data");
  // The console/annotation idiom: build a query with printf, pipe it to query.
  EXPECT_EQ(Expand("{{ with printf \"up{instance='%s'}\" \"a\" | query }}{{ . | first | value | humanize }}{{ end }}",
                   Value(), opts),
            "11");
  EXPECT_EQ(seen.back(), "up{instance='a'}");
  EXPECT_EQ(Expand("{{ \"x\" | value }}", Value(), opts),
            "EXEC: template: test:1:9: executing \"test\" at <value>: wrong type for value; "
            "expected *template.sample; got string");
  EXPECT_GE(seen.size(), 5u);
}

TEST(PrometheusFuncs, QueryRebindOnClone) {
  TemplateSet set;
  AddPrometheusFuncs(set, {});
  ASSERT_TRUE(set.Parse("q", "{{ query \"x\" | first | value }}").ok());
  EXPECT_FALSE(set.ExecuteToString("q", Value()).ok());  // no query function bound
  TemplateSet eval = set.Clone();
  SetPrometheusQuery(eval, [](std::string_view) -> absl::StatusOr<std::vector<QuerySample>> {
    return std::vector<QuerySample>{{{}, 42}};
  });
  EXPECT_EQ(*eval.ExecuteToString("q", Value()), "42");
  EXPECT_FALSE(set.ExecuteToString("q", Value()).ok());
}

TEST(PrometheusFuncs, Args) {
  EXPECT_EQ(Expand("{{ define \"x\" }}{{ .arg0 }} {{ .arg1 }}{{ end }}{{ template \"x\" (args 1 \"two\") }}"),
            "1 two");
}

TEST(PrometheusFuncs, AlertTemplateData) {
  Value data = AlertTemplateData({{"instance", "host:9100"}, {"job", "node"}}, {{"cluster", "eu"}},
                                 "http://prom:9090", 0.953);
  TemplateOptions to;
  to.missing_key = MissingKey::kZero;
  TemplateSet set(to);
  AddPrometheusFuncs(set, {});
  std::string text = std::string(kAlertTemplateDefs) +
                     "{{ $labels.instance | stripPort }} of {{ $labels.job }} in {{ $externalLabels.cluster }}: "
                     "{{ $value | humanizePercentage }} [{{ $labels.missing }}] {{ $value }} {{ $externalURL }}";
  ASSERT_TRUE(set.Parse("alert", text).ok());
  auto r = set.ExecuteToString("alert", data);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "host of node in eu: 95.3% [] 0.953 http://prom:9090");
  // Errors in the user's part count columns from the start of the defs, as
  // Prometheus' messages do.
  ASSERT_TRUE(set.Parse("bad", std::string(kAlertTemplateDefs) + "{{ $value | toUpper }}").ok());
  auto bad = set.ExecuteToString("bad", data);
  EXPECT_EQ(std::string(bad.status().message()),
            "template: bad:1:124: executing \"bad\" at <toUpper>: wrong type for value; expected string; got float64");
  auto parse = set.Parse("p", std::string(kAlertTemplateDefs) + "{{ $valu }}");
  EXPECT_EQ(std::string(parse.message()), "template: p:1: undefined variable \"$valu\"");
}

}  // namespace
}  // namespace pharos::tmpl
