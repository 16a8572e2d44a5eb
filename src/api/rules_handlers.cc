// /api/v1/rules (type=alert|record filter) and /api/v1/alerts, in
// Prometheus 2.53's shape.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "api/go_format.h"
#include "api/internal/routes.h"
#include "common/strings.h"

namespace pharos::api::internal {
namespace {

// Go's strconv.FormatFloat(v, 'e', -1, 64): the shortest mantissa that
// reads back as v, with a two-digit exponent at least.
std::string FormatFloatE(double v) {
  char buf[40];
  for (int prec = 0; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*e", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;  // "inf"/"nan" cases: Go prints "+Inf"/"NaN"
}

std::string ValueString(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return FormatFloatE(v);
}

void WriteAlert(JsonWriter& w, const RuleAlert& a) {
  w.BeginObject();
  w.Key("labels");
  WriteLabelsJson(w, a.labels);
  w.Key("annotations");
  WriteLabelsJson(w, a.annotations);
  w.Key("state").String(a.state);
  w.Key("activeAt").String(FormatGoTime(a.active_at));
  w.Key("value").String(ValueString(a.value));
  w.EndObject();
}

ApiResult Rules(const Api& api, const http::Request& req, JsonWriter& w) {
  std::string_view type = req.Param("type");
  if (!type.empty() && type != "alert" && type != "record")
    return ApiResult::Error(ErrorType::kBadData, "unsupported type \"" + std::string(type) + "\"");
  bool alerts = type.empty() || type == "alert", records = type.empty() || type == "record";
  w.BeginObject();
  w.Key("groups").BeginArray();
  std::string num;
  for (const auto& g : api.deps().rules->RuleGroups()) {
    w.BeginObject();
    w.Key("name").String(g.name);
    w.Key("file").String(g.file);
    w.Key("rules").BeginArray();
    for (const auto& r : g.rules) {
      if ((r.alerting && !alerts) || (!r.alerting && !records)) continue;
      w.BeginObject();
      if (r.alerting) {
        std::string state = "inactive";
        for (const auto& a : r.alerts) {
          if (a.state == "firing") state = "firing";
          else if (a.state == "pending" && state != "firing") state = "pending";
        }
        w.Key("state").String(state);
      }
      w.Key("name").String(r.name);
      w.Key("query").String(r.query);
      if (r.alerting) {
        w.Key("duration").Int(r.duration_s);
        w.Key("keepFiringFor").Int(r.keep_firing_for_s);
      }
      w.Key("labels");
      WriteLabelsJson(w, r.labels);
      if (r.alerting) {
        w.Key("annotations");
        WriteLabelsJson(w, r.annotations);
        w.Key("alerts").BeginArray();
        for (const auto& a : r.alerts) WriteAlert(w, a);
        w.EndArray();
      }
      w.Key("health").String(r.health);
      w.Key("lastError").String(r.last_error);
      num.clear();
      AppendGoJsonFloat(&num, r.evaluation_time_s);
      w.Key("evaluationTime").Raw(num);
      w.Key("lastEvaluation").String(FormatGoTime(r.last_evaluation));
      w.Key("type").String(r.alerting ? "alerting" : "recording");
      w.EndObject();
    }
    w.EndArray();
    num.clear();
    AppendGoJsonFloat(&num, g.interval_s);
    w.Key("interval").Raw(num);
    w.Key("limit").Int(g.limit);
    num.clear();
    AppendGoJsonFloat(&num, g.evaluation_time_s);
    w.Key("evaluationTime").Raw(num);
    w.Key("lastEvaluation").String(FormatGoTime(g.last_evaluation));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return ApiResult::Ok();
}

ApiResult Alerts(const Api& api, JsonWriter& w) {
  w.BeginObject();
  w.Key("alerts").BeginArray();
  for (const auto& g : api.deps().rules->RuleGroups())
    for (const auto& r : g.rules)
      for (const auto& a : r.alerts) WriteAlert(w, a);
  w.EndArray();
  w.EndObject();
  return ApiResult::Ok();
}

}  // namespace

void RegisterRulesRoutes(const Api& api, http::Router& router) {
  if (api.deps().rules == nullptr) return;
  router.Get("/api/v1/rules", api.Wrap([&api](const http::Request& req, JsonWriter& w) { return Rules(api, req, w); }));
  router.Get("/api/v1/alerts", api.Wrap([&api](const http::Request&, JsonWriter& w) { return Alerts(api, w); }));
}

}  // namespace pharos::api::internal
