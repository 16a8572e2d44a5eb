// Fuzzes the template engine: any input must parse or fail with a status,
// and a template that parses must execute (in text or HTML mode, against
// Prometheus' alert data and Alertmanager's notification data) or fail with
// a status, within the output, depth and iteration limits; never crash or
// hang. The first byte picks the mode and the data.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "template/alertmanager_funcs.h"
#include "template/prometheus_funcs.h"
#include "template/template.h"

namespace {

using namespace pharos::tmpl;

Value PromData() {
  return AlertTemplateData({{"instance", "host:9100"}, {"job", "node"}}, {{"cluster", "eu"}}, "http://prom:9090",
                           0.953);
}

Value AmDataValue() {
  AmData d;
  d.receiver = "r";
  d.status = "firing";
  AmAlert a;
  a.status = "firing";
  a.labels = {{"alertname", "A"}, {"job", "j"}};
  a.annotations = {{"summary", "s <b>"}};
  d.alerts = {a, a};
  d.alerts[1].status = "resolved";
  d.group_labels = {{"alertname", "A"}};
  d.common_labels = a.labels;
  return AlertmanagerData(d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data[0];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  TemplateOptions opts;
  opts.html = (mode & 1) != 0;
  opts.missing_key = (mode & 2) != 0 ? MissingKey::kZero : MissingKey::kDefault;
  opts.limits.max_output_bytes = 1 << 16;
  opts.limits.max_call_depth = 100;
  opts.limits.max_range_iterations = 10000;
  opts.limits.max_parse_depth = 200;
  TemplateSet set(opts);
  bool am = (mode & 4) != 0;
  if (am) {
    AddAlertmanagerFuncs(set);
  } else {
    PrometheusFuncsOptions po;
    po.external_url = "http://prom:9090/prefix";
    po.query = [](std::string_view q) -> absl::StatusOr<std::vector<QuerySample>> {
      if (q.empty()) return absl::InvalidArgumentError("empty query");
      return std::vector<QuerySample>{{{{"__name__", "up"}, {"instance", std::string(q.substr(0, 8))}}, 1}};
    };
    AddPrometheusFuncs(set, po);
  }
  if (!set.Parse("fuzz", text, {"$value"}).ok()) return 0;
  std::string out;
  Value dot = am ? AmDataValue() : PromData();
  (void)set.Execute("fuzz", dot, &out, {{"$value", pharos::tmpl::Value::Float(1.5)}});
  if (out.size() > opts.limits.max_output_bytes) __builtin_trap();
  for (const auto& name : set.Names()) {
    std::string o2;
    (void)set.Execute(name, dot, &o2, {{"$value", pharos::tmpl::Value::Float(1.5)}});
  }
  return 0;
}
