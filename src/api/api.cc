#include "api/api.h"

#include <re2/re2.h>

#include "api/internal/routes.h"
#include "api/query_handlers.h"

namespace pharos::api {

Api::Api(ApiOptions options, ApiDeps deps) : options_(std::move(options)), deps_(std::move(deps)) {
  if (options_.cors_origin != ".*") {
    cors_ = std::make_unique<re2::RE2>("^(?:" + options_.cors_origin + ")$");
  }
  if (deps_.appendable != nullptr) {
    remote_write_ = std::make_unique<remote::WriteReceiver>(deps_.appendable, options_.remote_write,
                                                            deps_.registry, options_.now);
  }
}

Api::~Api() = default;

void Api::SetCors(const http::Request& req, http::Response* res) const {
  std::string_view origin = req.Header("Origin");
  if (origin.empty()) return;
  res->SetHeader("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Origin");
  res->SetHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  res->SetHeader("Access-Control-Expose-Headers", "Date");
  res->SetHeader("Vary", "Origin");
  if (cors_ == nullptr) {
    res->SetHeader("Access-Control-Allow-Origin", "*");
  } else if (cors_->ok() && re2::RE2::FullMatch(re2::StringPiece(origin.data(), origin.size()), *cors_)) {
    res->SetHeader("Access-Control-Allow-Origin", origin);
  }
}

http::Handler Api::Wrap(ApiFunc f) const {
  return [this, f = std::move(f)](http::Request& req, http::Response& res) {
    SetCors(req, &res);
    if (!Ready()) {
      res.SetText(503, "Service Unavailable");
      return;
    }
    static constexpr std::string_view kPrefix = "{\"status\":\"success\",\"data\":";
    res.body.assign(kPrefix);
    JsonWriter data(&res.body);
    ApiResult r = f(req, data);
    if (r.error) {
      WriteApiError(*r.error, &res);
      return;
    }
    if (res.body.size() == kPrefix.size()) {
      res.status = 204;
      res.body.clear();
      return;
    }
    auto list = [&](std::string_view key, const std::vector<std::string>& items) {
      if (items.empty()) return;
      res.body.push_back(',');
      JsonWriter::AppendString(res.body, key);
      res.body.push_back(':');
      JsonWriter w(&res.body);
      w.BeginArray();
      for (const auto& s : items) w.String(s);
      w.EndArray();
    };
    list("warnings", r.warnings);
    list("infos", r.infos);
    res.body.push_back('}');
    res.status = 200;
    res.SetHeader("Content-Type", "application/json");
  };
}

void Api::Register(http::Router& router) const {
  internal::RegisterSeriesRoutes(*this, router);
  internal::RegisterTargetsRoutes(*this, router);
  internal::RegisterRulesRoutes(*this, router);
  internal::RegisterAlertmanagersRoute(*this, router);
  internal::RegisterMetadataRoute(*this, router);
  internal::RegisterStatusRoutes(*this, router);
  internal::RegisterLifecycleRoutes(*this, router);
  internal::RegisterRemoteWriteRoute(*this, router);
  internal::RegisterAlertmanagerRoutes(*this, router);
  RegisterQueryRoutes(*this, router);
  // Preflight requests for any API path (answered 204 with CORS headers).
  router.Handle("OPTIONS", "/api/v1/*path", Wrap([](const http::Request&, JsonWriter&) { return ApiResult::Ok(); }),
                {.metric_name = "/api/v1/*path"});
}

}  // namespace pharos::api
