// Template costs on the alerting paths: every rule evaluation expands each
// firing alert's annotations (parse once per rule load, execute per alert),
// and every notification renders Alertmanager's subject. Each benchmark
// checks its output.
#include <benchmark/benchmark.h>

#include "template/alertmanager_funcs.h"
#include "template/prometheus_funcs.h"

namespace pharos::tmpl {
namespace {

constexpr std::string_view kAnnotation =
    "{{ $labels.instance | stripPort }} of job {{ $labels.job }} has been down; value {{ $value | humanize }} "
    "({{ printf \"%.2f\" $value }}) in {{ $externalLabels.cluster }}";
constexpr std::string_view kWant = "host of job node has been down; value 1.235M (1234567.00) in eu";

TemplateSet PromSet() {
  TemplateOptions o;
  o.missing_key = MissingKey::kZero;
  TemplateSet set(o);
  AddPrometheusFuncs(set, {});
  return set;
}

void BM_ParseAnnotation(benchmark::State& state) {
  TemplateSet set = PromSet();
  std::string text = std::string(kAlertTemplateDefs) + std::string(kAnnotation);
  for (auto _ : state) {
    if (!set.Parse("a", text).ok()) state.SkipWithError("parse failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseAnnotation);

void BM_ExecuteAnnotation(benchmark::State& state) {
  TemplateSet set = PromSet();
  if (!set.Parse("a", std::string(kAlertTemplateDefs) + std::string(kAnnotation)).ok()) {
    state.SkipWithError("parse failed");
    return;
  }
  Value data = AlertTemplateData({{"instance", "host:9100"}, {"job", "node"}}, {{"cluster", "eu"}}, "", 1234567);
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!set.Execute("a", data, &out).ok() || out != kWant) state.SkipWithError("wrong output");
  }
}
BENCHMARK(BM_ExecuteAnnotation);

void BM_AlertmanagerSubject(benchmark::State& state) {
  TemplateOptions o;
  o.missing_key = MissingKey::kZero;
  TemplateSet set(o);
  AddAlertmanagerFuncs(set);
  std::string_view subject =
      "[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ .Alerts.Firing | len }}{{ end }}] "
      "{{ .GroupLabels.SortedPairs.Values | join \" \" }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}"
      "({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join \" \" }}{{ end }}){{ end }}";
  if (!set.Parse("s", subject).ok()) {
    state.SkipWithError("parse failed");
    return;
  }
  AmData d;
  d.status = "firing";
  for (int i = 0; i < state.range(0); ++i) {
    AmAlert a;
    a.status = "firing";
    a.labels = {{"alertname", "Down"}, {"job", "api"}, {"instance", "i" + std::to_string(i)}};
    d.alerts.push_back(a);
  }
  d.group_labels = {{"alertname", "Down"}};
  d.common_labels = {{"alertname", "Down"}, {"job", "api"}};
  Value data = AlertmanagerData(d);
  std::string want = "[FIRING:" + std::to_string(state.range(0)) + "] Down (api)";
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!set.Execute("s", data, &out).ok() || out != want) state.SkipWithError("wrong output");
  }
}
BENCHMARK(BM_AlertmanagerSubject)->Arg(1)->Arg(100);

}  // namespace
}  // namespace pharos::tmpl
