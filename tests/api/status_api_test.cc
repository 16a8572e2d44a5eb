#include <atomic>

#include <gtest/gtest.h>

#include "api/testing/api_server.h"
#include "common/metrics/registry.h"
#include "storage/memory_storage.h"

namespace pharos::api {
namespace {

using testing::ApiServer;
using testing::FakeHealth;

class StatusApiTest : public ::testing::Test {
 protected:
  ApiServer& Server(ApiOptions opts = {}) {
    if (!server_) {
      ApiDeps deps;
      deps.registry = &registry_;
      deps.health = &health_;
      deps.build_info = {"0.1.0", "abc123", "main", "ci@builder", "20240501-10:00:00", "g++ 12.2.0"};
      deps.flags = {{"web.listen-address", ":9090"}, {"config.file", "pharos.yml"},
                    {"storage.tsdb.retention.time", "15d"}};
      deps.config_yaml = [] { return std::string("global:\n  scrape_interval: 15s\n"); };
      deps.runtime_info = [] {
        RuntimeInfo r;
        r.start_time = absl::FromUnixSeconds(1714557600);
        r.cwd = "/var/lib/pharos";
        r.reload_config_success = true;
        r.last_config_time = absl::FromUnixMillis(1714557601500);
        r.corruption_count = 0;
        r.goroutine_count = 12;
        r.gomaxprocs = 2;
        r.gomemlimit = 9223372036854775807;
        r.storage_retention = "15d";
        return r;
      };
      deps.ready = [this] { return ready_.load(); };
      deps.reload = [this] {
        ++reloads_;
        return reload_status_;
      };
      deps.compact = [this] {
        ++compactions_;
        return compact_status_;
      };
      opts.now = [] { return absl::FromUnixSeconds(1714557600); };
      server_ = std::make_unique<ApiServer>(std::move(opts), std::move(deps));
    }
    return *server_;
  }

  metrics::Registry registry_;
  FakeHealth health_;
  std::atomic<bool> ready_{true};
  std::atomic<int> reloads_{0}, compactions_{0};
  absl::Status reload_status_, compact_status_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(StatusApiTest, BuildInfoFlagsRuntimeInfoAndConfig) {
  EXPECT_EQ(Server().Get("/api/v1/status/buildinfo").body,
            R"({"status":"success","data":{"version":"0.1.0","revision":"abc123","branch":"main",)"
            R"("buildUser":"ci@builder","buildDate":"20240501-10:00:00","goVersion":"g++ 12.2.0"}})");
  EXPECT_EQ(Server().Get("/api/v1/status/flags").body,
            R"({"status":"success","data":{"config.file":"pharos.yml","storage.tsdb.retention.time":"15d",)"
            R"("web.listen-address":":9090"}})");
  EXPECT_EQ(Server().Get("/api/v1/status/runtimeinfo").body,
            R"({"status":"success","data":{"startTime":"2024-05-01T10:00:00Z","CWD":"/var/lib/pharos",)"
            R"("reloadConfigSuccess":true,"lastConfigTime":"2024-05-01T10:00:01.5Z","corruptionCount":0,)"
            R"("goroutineCount":12,"GOMAXPROCS":2,"GOMEMLIMIT":9223372036854775807,"GOGC":"","GODEBUG":"",)"
            R"("storageRetention":"15d"}})");
  EXPECT_EQ(Server().Get("/api/v1/status/config").body,
            R"({"status":"success","data":{"yaml":"global:\n  scrape_interval: 15s\n"}})");
}

TEST_F(StatusApiTest, MetricsRendersTheRegistry) {
  registry_.NewCounter("pharos_test_total", "A test counter.")->Inc(3);
  auto r = Server().Get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("# HELP pharos_test_total A test counter.\n# TYPE pharos_test_total counter\n"
                        "pharos_test_total 3\n"),
            std::string::npos);
  // The server's own request metrics are there after a request.
  r = Server().Get("/metrics");
  EXPECT_NE(r.body.find("pharos_http_requests_total{handler=\"/metrics\",code=\"200\"} 1\n"), std::string::npos)
      << r.body;
}

TEST_F(StatusApiTest, HealthyAndReadyProbes) {
  auto healthy = Server().Get("/-/healthy");
  EXPECT_EQ(healthy.status, 200);
  EXPECT_EQ(healthy.body, "Pharos is Healthy.\n");
  EXPECT_EQ(healthy.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(Server().Do("HEAD", "/-/healthy").status, 200);
  auto ready = Server().Get("/-/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "Pharos is Ready.\n");
  ready_ = false;
  ready = Server().Get("/-/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, "Service Unavailable");
  EXPECT_EQ(Server().Get("/-/healthy").status, 200);
  EXPECT_EQ(Server().Get("/api/v1/status/buildinfo").status, 503);
}

TEST_F(StatusApiTest, HealthEndpointsReportComponents) {
  health_.components = {{"storage", ComponentState::kHealthy, ""},
                        {"wal", ComponentState::kHealthy, ""},
                        {"scraping", ComponentState::kUnavailable, ""}};
  auto live = Server().Get("/health");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.body, R"({"status":"healthy","timestamp":"2024-05-01T10:00:00Z"})");
  auto detailed = Server().Get("/health/detailed");
  EXPECT_EQ(detailed.status, 200);
  EXPECT_EQ(detailed.content_type, "application/json");
  EXPECT_EQ(detailed.body,
            R"({"status":"healthy","timestamp":"2024-05-01T10:00:00Z","services":)"
            R"({"storage":"healthy","wal":"healthy","scraping":"unavailable"}})");
  health_.components[1] = {"wal", ComponentState::kUnhealthy, "no space left on device"};
  detailed = Server().Get("/health/detailed");
  EXPECT_EQ(detailed.status, 503);
  EXPECT_EQ(detailed.body,
            R"({"status":"degraded","timestamp":"2024-05-01T10:00:00Z","services":)"
            R"({"storage":"healthy","wal":"unhealthy: no space left on device","scraping":"unavailable"}})");
  EXPECT_EQ(Server().Get("/health").status, 200);  // liveness is unaffected
}

TEST_F(StatusApiTest, ReloadNeedsTheLifecycleApi) {
  auto r = Server().Do("POST", "/-/reload");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "Lifecycle API is not enabled.");
  EXPECT_EQ(reloads_, 0);
}

TEST_F(StatusApiTest, ReloadCallsTheCallback) {
  ApiOptions o;
  o.enable_lifecycle = true;
  Server(o);
  auto r = Server().Do("POST", "/-/reload");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  r = Server().Do("PUT", "/-/reload");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(reloads_, 2);
  reload_status_ = absl::InvalidArgumentError("pharos.yml:3:5: unknown field \"scrape_intervall\"");
  r = Server().Do("POST", "/-/reload");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "failed to reload config: pharos.yml:3:5: unknown field \"scrape_intervall\"\n");
  r = Server().Get("/-/reload");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, "Only POST or PUT requests allowed");
}

TEST_F(StatusApiTest, CompactionNeedsTheAdminApi) {
  auto r = Server().Do("POST", "/api/v1/admin/tsdb/compact");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"status":"error","errorType":"unavailable","error":"admin APIs disabled"})");
  EXPECT_EQ(compactions_, 0);
}

TEST_F(StatusApiTest, CompactionRunsAndAnswersNoContent) {
  ApiOptions o;
  o.enable_admin_api = true;
  Server(o);
  auto r = Server().Do("POST", "/api/v1/admin/tsdb/compact");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(compactions_, 1);
  compact_status_ = absl::UnavailableError("write 000123: no space left on device");
  r = Server().Do("PUT", "/api/v1/admin/tsdb/compact");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body,
            R"({"status":"error","errorType":"internal","error":"write 000123: no space left on device"})");
}

TEST_F(StatusApiTest, CorsRestrictedToConfiguredOrigins) {
  ApiOptions o;
  o.cors_origin = "https?://(grafana|ui)\\.example\\.com";
  Server(o);
  auto ok = Server().Get("/api/v1/status/buildinfo", {{"Origin", "https://grafana.example.com"}});
  EXPECT_EQ(ok.Header("Access-Control-Allow-Origin"), "https://grafana.example.com");
  auto other = Server().Get("/api/v1/status/buildinfo", {{"Origin", "https://evil.example.org"}});
  EXPECT_EQ(other.Header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(other.Header("Vary"), "Origin");
  auto none = Server().Get("/api/v1/status/buildinfo");
  EXPECT_EQ(none.Header("Vary"), "");
}

}  // namespace
}  // namespace pharos::api
