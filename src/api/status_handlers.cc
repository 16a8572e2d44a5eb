// /api/v1/status/{buildinfo,flags,runtimeinfo,config}.
#include "api/go_format.h"
#include "api/internal/routes.h"

namespace pharos::api::internal {
namespace {

ApiResult BuildInfoFn(const Api& api, const http::Request&, JsonWriter& w) {
  const BuildInfo& b = api.deps().build_info;
  w.BeginObject();
  w.Key("version").String(b.version);
  w.Key("revision").String(b.revision);
  w.Key("branch").String(b.branch);
  w.Key("buildUser").String(b.build_user);
  w.Key("buildDate").String(b.build_date);
  w.Key("goVersion").String(b.go_version);
  w.EndObject();
  return ApiResult::Ok();
}

ApiResult Flags(const Api& api, const http::Request&, JsonWriter& w) {
  w.BeginObject();
  for (const auto& [k, v] : api.deps().flags) w.Key(k).String(v);  // sorted, as Go marshals maps
  w.EndObject();
  return ApiResult::Ok();
}

ApiResult Runtime(const Api& api, const http::Request&, JsonWriter& w) {
  RuntimeInfo r = api.deps().runtime_info();
  w.BeginObject();
  w.Key("startTime").String(FormatGoTime(r.start_time));
  w.Key("CWD").String(r.cwd);
  w.Key("reloadConfigSuccess").Bool(r.reload_config_success);
  w.Key("lastConfigTime").String(FormatGoTime(r.last_config_time));
  w.Key("corruptionCount").Int(r.corruption_count);
  w.Key("goroutineCount").Int(r.goroutine_count);
  w.Key("GOMAXPROCS").Int(r.gomaxprocs);
  w.Key("GOMEMLIMIT").Int(r.gomemlimit);
  w.Key("GOGC").String(r.gogc);
  w.Key("GODEBUG").String(r.godebug);
  w.Key("storageRetention").String(r.storage_retention);
  w.EndObject();
  return ApiResult::Ok();
}

ApiResult Config(const Api& api, const http::Request&, JsonWriter& w) {
  w.BeginObject();
  w.Key("yaml").String(api.deps().config_yaml());
  w.EndObject();
  return ApiResult::Ok();
}

}  // namespace

void RegisterStatusRoutes(const Api& api, http::Router& router) {
  auto bind = [&api](auto fn) {
    return api.Wrap([&api, fn](const http::Request& req, JsonWriter& w) { return fn(api, req, w); });
  };
  router.Get("/api/v1/status/buildinfo", bind(BuildInfoFn));
  router.Get("/api/v1/status/flags", bind(Flags));
  if (api.deps().runtime_info) router.Get("/api/v1/status/runtimeinfo", bind(Runtime));
  if (api.deps().config_yaml) router.Get("/api/v1/status/config", bind(Config));
}

}  // namespace pharos::api::internal
