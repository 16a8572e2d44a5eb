// /api/v1/alertmanagers: the external Alertmanagers that alerts are sent to
// (activeAlertmanagers) and those dropped by relabel_configs, in Prometheus
// 2.53's shape. Without a provider both lists are empty.
#include "api/internal/routes.h"

namespace pharos::api::internal {
namespace {

void WriteUrls(JsonWriter& w, const std::vector<std::string>& urls) {
  w.BeginArray();
  for (const auto& u : urls) {
    w.BeginObject();
    w.Key("url").String(u);
    w.EndObject();
  }
  w.EndArray();
}

ApiResult Alertmanagers(const Api& api, JsonWriter& w) {
  AlertmanagerUrls urls;
  if (api.deps().alertmanagers) urls = api.deps().alertmanagers();
  w.BeginObject();
  w.Key("activeAlertmanagers");
  WriteUrls(w, urls.active);
  w.Key("droppedAlertmanagers");
  WriteUrls(w, urls.dropped);
  w.EndObject();
  return ApiResult::Ok();
}

}  // namespace

void RegisterAlertmanagersRoute(const Api& api, http::Router& router) {
  router.Get("/api/v1/alertmanagers",
             api.Wrap([&api](const http::Request&, JsonWriter& w) { return Alertmanagers(api, w); }));
}

}  // namespace pharos::api::internal
