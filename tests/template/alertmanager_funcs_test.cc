// Alertmanager 0.25's template functions and notification data, exercised
// with templates built like its default ones (subject line, alert lists,
// the HTML email).
#include <gtest/gtest.h>

#include "template/alertmanager_funcs.h"

namespace pharos::tmpl {
namespace {

AmData Sample() {
  AmData d;
  d.receiver = "team-x";
  d.status = "firing";
  d.external_url = "http://am.example.com:9093";
  AmAlert a;
  a.status = "firing";
  a.labels = {{"alertname", "HighLatency"}, {"job", "api"}, {"severity", "page"}, {"instance", "a:80"}};
  a.annotations = {{"summary", "latency > 1s"}};
  a.starts_at = absl::FromUnixSeconds(1435065584);
  a.generator_url = "http://prom/graph?g0.expr=up&g0.tab=1";
  a.fingerprint = "0123456789abcdef";
  AmAlert b = a;
  b.status = "resolved";
  b.labels["instance"] = "b:80";
  b.ends_at = absl::FromUnixSeconds(1435065600);
  d.alerts = {a, b};
  d.group_labels = {{"alertname", "HighLatency"}};
  d.common_labels = {{"alertname", "HighLatency"}, {"job", "api"}, {"severity", "page"}};
  d.common_annotations = {{"summary", "latency > 1s"}};
  return d;
}

std::string Expand(std::string_view text, const Value& dot, bool html = false) {
  TemplateOptions to;
  to.missing_key = MissingKey::kZero;
  to.html = html;
  TemplateSet set(to);
  AddAlertmanagerFuncs(set);
  auto st = set.Parse("t", text);
  if (!st.ok()) return "PARSE: " + std::string(st.message());
  auto r = set.ExecuteToString("t", dot);
  if (!r.ok()) return "EXEC: " + std::string(r.status().message());
  return *r;
}

TEST(AlertmanagerFuncs, Functions) {
  Value none;
  EXPECT_EQ(Expand("{{ \"hello WORLD\" | title }}", none), "Hello World");
  EXPECT_EQ(Expand("{{ toUpper \"a\" }}{{ toLower \"B\" }}", none), "Ab");
  EXPECT_EQ(Expand("[{{ trimSpace \"  x y \\n\" }}]", none), "[x y]");
  EXPECT_EQ(Expand("{{ stringSlice \"a\" \"b\" | join \", \" }}", none), "a, b");
  EXPECT_EQ(Expand("{{ join \"-\" (stringSlice) }}|{{ stringSlice }}", none), "|[]");
  EXPECT_EQ(Expand("{{ match \"^a\" \"abc\" }}", none), "true");
  EXPECT_EQ(Expand("{{ reReplaceAll \"(\\\\w+)@(\\\\w+)\" \"$2 at $1\" \"me@host\" }}", none), "host at me");
  EXPECT_EQ(Expand("{{ join \",\" . }}", Value::List({Value::Int(1)})),
            "EXEC: template: t:1:12: executing \"t\" at <.>: wrong type for value; expected []string; got "
            "[]interface {}");
}

TEST(AlertmanagerFuncs, DataFields) {
  Value d = AlertmanagerData(Sample());
  EXPECT_EQ(Expand("{{ .Receiver }} {{ .Status }} {{ len .Alerts }} {{ len .Alerts.Firing }} "
                   "{{ len .Alerts.Resolved }} {{ .ExternalURL }}",
                   d),
            "team-x firing 2 1 1 http://am.example.com:9093");
  EXPECT_EQ(Expand("{{ .CommonLabels }}|{{ .CommonLabels.SortedPairs }}|{{ .GroupLabels.Names }}", d),
            "alertname=HighLatency, job=api, severity=page|alertname=HighLatency, job=api, severity=page|[alertname]");
  EXPECT_EQ(Expand("{{ .CommonLabels.job }} {{ index .CommonLabels \"severity\" }} [{{ .CommonLabels.nope }}]", d),
            "api page []");
  EXPECT_EQ(Expand("{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}", d),
            "alertname=HighLatency;job=api;severity=page;");
  EXPECT_EQ(Expand("{{ range $k, $v := .CommonLabels }}{{ $k }}:{{ $v }} {{ end }}", d),
            "alertname:HighLatency job:api severity:page ");
  EXPECT_EQ(Expand("{{ (.CommonLabels.Remove .GroupLabels.Names).Values }}", d), "[api page]");
  EXPECT_EQ(Expand("{{ (.CommonLabels.Remove (stringSlice \"job\")).Names | join \",\" }}", d),
            "alertname,severity");
  EXPECT_EQ(Expand("{{ range .Alerts }}{{ .Status }} {{ .Labels.instance }} {{ .StartsAt }} {{ .EndsAt }}\n{{ end }}",
                   d),
            "firing a:80 2015-06-23 13:19:44 +0000 UTC 0001-01-01 00:00:00 +0000 UTC\n"
            "resolved b:80 2015-06-23 13:19:44 +0000 UTC 2015-06-23 13:20:00 +0000 UTC\n");
  EXPECT_EQ(Expand("{{ range .Alerts.Firing }}{{ .StartsAt.Format \"15:04 02.01.2006\" }} {{ .Fingerprint }}{{ end }}",
                   d),
            "13:19 23.06.2015 0123456789abcdef");
  EXPECT_EQ(Expand("{{ (index .Alerts 0).Labels.SortedPairs.Names }}", d), "[alertname instance job severity]");
  EXPECT_EQ(Expand("{{ .Nope }}", d),
            "EXEC: template: t:1:3: executing \"t\" at <.Nope>: can't evaluate field Nope in type *template.Data");
}

// Constructs of Alertmanager's default subject line.
constexpr std::string_view kSubject =
    "{{ define \"subject\" }}[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ .Alerts.Firing | len }}"
    "{{ end }}] {{ .GroupLabels.SortedPairs.Values | join \" \" }} "
    "{{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}"
    "{{ .Values | join \" \" }}{{ end }}){{ end }}{{ end }}"
    "{{ define \"list\" }}{{ range . }}Labels:\n{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}\n"
    "{{ end }}Annotations:\n{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}\n{{ end }}"
    "Source: {{ .GeneratorURL }}\n{{ end }}{{ end }}";

TEST(AlertmanagerFuncs, SubjectAndAlertList) {
  Value d = AlertmanagerData(Sample());
  EXPECT_EQ(Expand(std::string(kSubject) + "{{ template \"subject\" . }}", d), "[FIRING:1] HighLatency (api page)");
  EXPECT_EQ(Expand(std::string(kSubject) + "{{ template \"list\" .Alerts.Resolved }}", d),
            "Labels:\n - alertname = HighLatency\n - instance = b:80\n - job = api\n - severity = page\n"
            "Annotations:\n - summary = latency > 1s\nSource: http://prom/graph?g0.expr=up&g0.tab=1\n");
  AmData r = Sample();
  r.status = "resolved";
  r.common_labels = r.group_labels;
  EXPECT_EQ(Expand(std::string(kSubject) + "{{ template \"subject\" . }}", AlertmanagerData(r)),
            "[RESOLVED] HighLatency ");
}

TEST(AlertmanagerFuncs, HtmlEmail) {
  Value d = AlertmanagerData(Sample());
  std::string text =
      std::string(kSubject) +
      "<!-- a comment\n that html/template drops -->\n<html><head><title>{{ template \"subject\" . }}</title></head>"
      "<body><a href=\"{{ .ExternalURL }}/#/alerts\" style=\"color: #FFF;\">View</a>\n"
      "{{ range .Alerts.Firing }}<a href=\"{{ .GeneratorURL }}\">Source</a>"
      "{{ range .Annotations.SortedPairs }}{{ .Name }} = {{ .Value }}<br />{{ end }}{{ end }}"
      "{{ \"<b>x</b>\" | safeHtml }} <td title=\"{{ \"<i>t</i>\" | safeHtml }}\"></td></body></html>";
  EXPECT_EQ(Expand(text, d, true),
            "\n<html><head><title>[FIRING:1] HighLatency (api page)</title></head>"
            "<body><a href=\"http://am.example.com:9093/#/alerts\" style=\"color: #FFF;\">View</a>\n"
            "<a href=\"http://prom/graph?g0.expr=up&amp;g0.tab=1\">Source</a>summary = latency &gt; 1s<br />"
            "<b>x</b> <td title=\"t\"></td></body></html>");
}

}  // namespace
}  // namespace pharos::tmpl
