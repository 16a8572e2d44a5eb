#include <gtest/gtest.h>

#include "api/internal/routes.h"
#include "api/testing/api_server.h"

namespace pharos::api {
namespace {

using testing::ApiServer;
using testing::FakeTargets;

class TargetsApiTest : public ::testing::Test {
 protected:
  TargetsApiTest() {
    ActiveTarget self;
    self.scrape_pool = "prometheus";
    self.discovered_labels = Labels{{"__address__", "127.0.0.1:9090"},
                                    {"__metrics_path__", "/metrics"},
                                    {"__scheme__", "http"},
                                    {"job", "prometheus"}};
    self.labels = Labels{{"instance", "127.0.0.1:9090"}, {"job", "prometheus"}};
    self.scrape_url = "http://127.0.0.1:9090/metrics";
    self.last_scrape = absl::FromUnixNanos(1484662064723715405);
    self.last_scrape_duration = absl::Nanoseconds(50688943);
    self.health = TargetHealth::kUp;
    self.scrape_interval = "1m";
    self.scrape_timeout = "10s";

    ActiveTarget node;
    node.scrape_pool = "node";
    node.discovered_labels = Labels{{"__address__", "localhost:9100"}, {"job", "node"}};
    node.labels = Labels{{"instance", "localhost:9100"}, {"job", "node"}};
    node.scrape_url = "http://localhost:9100/metrics";
    node.last_error = "Get \"http://localhost:9100/metrics\": dial tcp: connection refused";
    node.last_scrape_duration = absl::Microseconds(1);
    node.health = TargetHealth::kDown;
    node.scrape_interval = "15s";
    node.scrape_timeout = "10s";

    ActiveTarget never;
    never.scrape_pool = "node";
    never.labels = Labels{{"instance", "b:9100"}, {"job", "node"}};
    never.scrape_url = "https://b:9100/metrics";
    never.scrape_interval = "15s";
    never.scrape_timeout = "10s";

    targets_.active = {node, self, never};  // sorted by pool in the answer
    targets_.dropped = {{"node", Labels{{"__address__", "c:9100"}, {"job", "node"}}}};
    targets_.dropped_counts = {{"node", 3}, {"prometheus", 0}};
    ApiDeps deps;
    deps.targets = &targets_;
    ApiOptions opts;
    opts.global_url = {":9090", "example-prometheus:9090", "http"};
    server_ = std::make_unique<ApiServer>(opts, std::move(deps));
  }

  FakeTargets targets_;
  std::unique_ptr<ApiServer> server_;
};

constexpr std::string_view kSelf =
    R"({"discoveredLabels":{"__address__":"127.0.0.1:9090","__metrics_path__":"/metrics","__scheme__":"http","job":"prometheus"},)"
    R"("labels":{"instance":"127.0.0.1:9090","job":"prometheus"},"scrapePool":"prometheus",)"
    R"("scrapeUrl":"http://127.0.0.1:9090/metrics","globalUrl":"http://example-prometheus:9090/metrics",)"
    R"("lastError":"","lastScrape":"2017-01-17T14:07:44.723715405Z","lastScrapeDuration":0.050688943,)"
    R"("health":"up","scrapeInterval":"1m","scrapeTimeout":"10s"})";
constexpr std::string_view kNode =
    R"({"discoveredLabels":{"__address__":"localhost:9100","job":"node"},"labels":{"instance":"localhost:9100","job":"node"},)"
    R"("scrapePool":"node","scrapeUrl":"http://localhost:9100/metrics","globalUrl":"http://example-prometheus:9100/metrics",)"
    R"("lastError":"Get \"http://localhost:9100/metrics\": dial tcp: connection refused",)"
    R"("lastScrape":"0001-01-01T00:00:00Z","lastScrapeDuration":0.000001,"health":"down",)"
    R"("scrapeInterval":"15s","scrapeTimeout":"10s"})";
constexpr std::string_view kNever =
    R"({"discoveredLabels":{},"labels":{"instance":"b:9100","job":"node"},"scrapePool":"node",)"
    R"("scrapeUrl":"https://b:9100/metrics","globalUrl":"https://b:9100/metrics","lastError":"",)"
    R"("lastScrape":"0001-01-01T00:00:00Z","lastScrapeDuration":0,"health":"unknown","scrapeInterval":"15s",)"
    R"("scrapeTimeout":"10s"})";
constexpr std::string_view kDropped = R"({"discoveredLabels":{"__address__":"c:9100","job":"node"}})";

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts) s += p;
  return s;
}

TEST_F(TargetsApiTest, ListsActiveAndDroppedTargetsInPrometheusShape) {
  auto r = server_->Get("/api/v1/targets");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, Cat({R"({"status":"success","data":{"activeTargets":[)", kNode, ",", kNever, ",", kSelf,
                         R"(],"droppedTargets":[)", kDropped,
                         R"(],"droppedTargetCounts":{"node":3,"prometheus":0}}})"}));
}

TEST_F(TargetsApiTest, FiltersByStateAndScrapePool) {
  EXPECT_EQ(server_->Get("/api/v1/targets?state=active").body,
            Cat({R"({"status":"success","data":{"activeTargets":[)", kNode, ",", kNever, ",", kSelf,
                 R"(],"droppedTargets":[],"droppedTargetCounts":null}})"}));
  EXPECT_EQ(server_->Get("/api/v1/targets?state=Dropped").body,
            Cat({R"({"status":"success","data":{"activeTargets":[],"droppedTargets":[)", kDropped,
                 R"(],"droppedTargetCounts":{"node":3,"prometheus":0}}})"}));
  EXPECT_EQ(server_->Get("/api/v1/targets?scrapePool=prometheus").body,
            Cat({R"({"status":"success","data":{"activeTargets":[)", kSelf,
                 R"(],"droppedTargets":[],"droppedTargetCounts":{"prometheus":0}}})"}));
  EXPECT_EQ(server_->Get("/api/v1/targets?state=any&scrapePool=node").body,
            Cat({R"({"status":"success","data":{"activeTargets":[)", kNode, ",", kNever,
                 R"(],"droppedTargets":[)", kDropped, R"(],"droppedTargetCounts":{"node":3}}})"}));
}

TEST(GlobalUrl, RewritesLocalTargetsLikePrometheus) {
  GlobalUrlOptions o{":9090", "prom.example.com:443", "https"};
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"http://localhost:9090/metrics", "https://prom.example.com:443/metrics"},
      {"http://127.0.0.1:9100/metrics?x=1", "http://prom.example.com:9100/metrics?x=1"},
      {"http://[::1]:9100/metrics", "http://prom.example.com:9100/metrics"},
      {"http://user:pw@localhost:9100/m", "http://user:pw@prom.example.com:9100/m"},
      {"http://node-1:9100/metrics", "http://node-1:9100/metrics"},
      {"not a url", "not a url"},
  };
  for (const auto& c : cases) EXPECT_EQ(internal::GlobalUrl(c.in, o), c.want) << c.in;
  EXPECT_EQ(internal::GlobalUrl("http://localhost:9090/m", GlobalUrlOptions{}), "http://localhost:9090/m");
}

}  // namespace
}  // namespace pharos::api
