// Route registration of each endpoint family of the Api (internal).
#pragma once

#include "api/api.h"
#include "http/router.h"

namespace pharos::api::internal {

// /api/v1/series, /api/v1/labels, /api/v1/label/:name/values
void RegisterSeriesRoutes(const Api& api, http::Router& router);
// /api/v1/targets
void RegisterTargetsRoutes(const Api& api, http::Router& router);
// /api/v1/rules, /api/v1/alerts
void RegisterRulesRoutes(const Api& api, http::Router& router);
// /api/v1/alertmanagers
void RegisterAlertmanagersRoute(const Api& api, http::Router& router);
// Alertmanager API v2 over deps.alertmanager
void RegisterAlertmanagerRoutes(const Api& api, http::Router& router);
// /api/v1/metadata
void RegisterMetadataRoute(const Api& api, http::Router& router);
// /api/v1/status/{buildinfo,flags,runtimeinfo,config}
void RegisterStatusRoutes(const Api& api, http::Router& router);
// /metrics, /-/healthy, /-/ready, /health, /health/detailed, /-/reload,
// /api/v1/admin/tsdb/compact
void RegisterLifecycleRoutes(const Api& api, http::Router& router);
// POST /api/v1/write (remote write 1.0 receive)
void RegisterRemoteWriteRoute(const Api& api, http::Router& router);

// The globalUrl of a target (Prometheus' getGlobalURL).
std::string GlobalUrl(const std::string& scrape_url, const GlobalUrlOptions& opts);

}  // namespace pharos::api::internal
