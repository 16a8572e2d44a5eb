// Process endpoints: /metrics, /-/healthy, /-/ready, /health,
// /health/detailed, /-/reload and the admin compaction.
#include "absl/strings/str_cat.h"
#include "api/go_format.h"
#include "api/internal/routes.h"
#include "common/metrics/registry.h"
#include "common/metrics/text_format.h"
#include "common/strings.h"

namespace pharos::api::internal {
namespace {

const http::RouteOptions kInline{.run_inline = true};

std::string Rfc3339Seconds(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

void HealthDetailed(const Api& api, http::Response& res) {
  std::vector<ComponentHealth> components;
  if (api.deps().health != nullptr) components = api.deps().health->CheckHealth();
  bool degraded = false;
  for (const auto& c : components) degraded |= c.state == ComponentState::kUnhealthy && c.critical;
  res.body.clear();
  JsonWriter w(&res.body);
  w.BeginObject();
  w.Key("status").String(degraded ? "degraded" : "healthy");
  w.Key("timestamp").String(Rfc3339Seconds(api.options().now()));
  w.Key("services").BeginObject();
  for (const auto& c : components) {
    w.Key(c.name);
    switch (c.state) {
      case ComponentState::kHealthy: w.String("healthy"); break;
      case ComponentState::kUnavailable: w.String("unavailable"); break;
      case ComponentState::kUnhealthy: w.String(absl::StrCat("unhealthy: ", c.reason)); break;
    }
  }
  w.EndObject();
  w.EndObject();
  res.status = degraded ? 503 : 200;
  res.SetHeader("Content-Type", "application/json");
}

}  // namespace

void RegisterLifecycleRoutes(const Api& api, http::Router& router) {
  if (api.deps().registry != nullptr) {
    router.Get("/metrics", [&api](http::Request&, http::Response& res) {
      res.body.clear();
      api.deps().registry->WriteText(&res.body);
      res.SetHeader("Content-Type", metrics::kTextContentType);
    });
  }

  router.Get(
      "/-/healthy",
      [&api](http::Request&, http::Response& res) { res.SetText(200, api.options().app_name + " is Healthy.\n"); },
      kInline);
  router.Get(
      "/-/ready",
      [&api](http::Request&, http::Response& res) {
        if (api.Ready()) {
          res.SetText(200, api.options().app_name + " is Ready.\n");
        } else {
          res.SetText(503, "Service Unavailable");
        }
      },
      kInline);

  // Liveness: the process answers.
  router.Get(
      "/health",
      [&api](http::Request&, http::Response& res) {
        JsonWriter w(&res.body);
        w.BeginObject();
        w.Key("status").String("healthy");
        w.Key("timestamp").String(Rfc3339Seconds(api.options().now()));
        w.EndObject();
        res.SetHeader("Content-Type", "application/json");
      },
      kInline);
  // Components may take a moment to check; run on a worker.
  router.Get("/health/detailed", [&api](http::Request&, http::Response& res) { HealthDetailed(api, res); });

  http::Handler reload = [&api](http::Request&, http::Response& res) {
    if (!api.options().enable_lifecycle) {
      res.SetText(403, "Lifecycle API is not enabled.");
      return;
    }
    absl::Status st = api.deps().reload ? api.deps().reload() : absl::UnimplementedError("reload is not wired");
    if (!st.ok()) {
      res.SetError(500, absl::StrCat("failed to reload config: ", AV(SV(st.message()))));
      return;
    }
    res.status = 200;
  };
  router.Post("/-/reload", reload);
  router.Handle("PUT", "/-/reload", reload);
  router.Get(
      "/-/reload", [](http::Request&, http::Response& res) { res.SetText(405, "Only POST or PUT requests allowed"); },
      kInline);

  ApiFunc compact = [&api](const http::Request&, JsonWriter&) {
    if (!api.options().enable_admin_api) return ApiResult::Error(ErrorType::kUnavailable, "admin APIs disabled");
    absl::Status st = api.deps().compact ? api.deps().compact() : absl::UnimplementedError("compaction is not wired");
    if (!st.ok()) return ApiResult::Error(ErrorType::kInternal, std::string(SV(st.message())));
    return ApiResult::Ok();  // nothing written: 204
  };
  router.Post("/api/v1/admin/tsdb/compact", api.Wrap(compact));
  router.Handle("PUT", "/api/v1/admin/tsdb/compact", api.Wrap(compact));
}

}  // namespace pharos::api::internal
