#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/config.h"

namespace pharos::config {
namespace {

const std::string kTestdata = std::string(PHAROS_SOURCE_DIR) + "/tests/config/testdata/";

TEST(DumpYaml, SeedConfigShowsEffectiveValues) {
  auto cfg = LoadFile(kTestdata + "seed_prometheus.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(DumpYaml(*cfg), R"(global:
  scrape_interval: 15s
  scrape_timeout: 10s
  scrape_protocols:
  - OpenMetricsText1.0.0
  - OpenMetricsText0.0.1
  - PrometheusText0.0.4
  evaluation_interval: 15s
scrape_configs:
- job_name: autodealgenie-backend
  honor_timestamps: true
  track_timestamps_staleness: false
  scrape_interval: 15s
  scrape_timeout: 10s
  scrape_protocols:
  - OpenMetricsText1.0.0
  - OpenMetricsText0.0.1
  - PrometheusText0.0.4
  metrics_path: /metrics
  scheme: http
  enable_compression: true
  follow_redirects: true
  enable_http2: true
  static_configs:
  - targets:
    - backend:8000
- job_name: postgres
  honor_timestamps: true
  track_timestamps_staleness: false
  scrape_interval: 15s
  scrape_timeout: 10s
  scrape_protocols:
  - OpenMetricsText1.0.0
  - OpenMetricsText0.0.1
  - PrometheusText0.0.4
  metrics_path: /metrics
  scheme: http
  enable_compression: true
  follow_redirects: true
  enable_http2: true
  static_configs:
  - targets:
    - postgres-exporter:9187
- job_name: redis
  honor_timestamps: true
  track_timestamps_staleness: false
  scrape_interval: 15s
  scrape_timeout: 10s
  scrape_protocols:
  - OpenMetricsText1.0.0
  - OpenMetricsText0.0.1
  - PrometheusText0.0.4
  metrics_path: /metrics
  scheme: http
  enable_compression: true
  follow_redirects: true
  enable_http2: true
  static_configs:
  - targets:
    - redis-exporter:9121
)");
}

TEST(DumpYaml, SecretsAreMasked) {
  auto cfg = LoadString(R"(
scrape_configs:
  - job_name: basic
    basic_auth: {username: user, password: hunter2}
  - job_name: bearer
    bearer_token: tok-secret-1
  - job_name: authz
    authorization: {credentials: tok-secret-2}
    tls_config:
      cert: CERT
      key: PRIVATE-KEY
alerting:
  alertmanagers:
    - basic_auth: {username: am, password: am-secret}
      static_configs: [{targets: ['am:9093']}]
)",
                        "s.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  std::string out = DumpYaml(*cfg);
  for (const char* secret : {"hunter2", "tok-secret-1", "tok-secret-2", "PRIVATE-KEY", "am-secret"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " leaked:\n" << out;
  }
  EXPECT_NE(out.find("  basic_auth:\n    username: user\n    password: <secret>\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  authorization:\n    type: Bearer\n    credentials: <secret>\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    key: <secret>\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    cert: CERT\n"), std::string::npos) << out;
}

TEST(DumpYaml, RelabelAlertingStorageAndQuoting) {
  auto cfg = LoadString(R"(
global:
  external_labels: {region: 'eu west', num: '1', empty: ''}
  body_size_limit: 1536B
rule_files: [a.yml]
alerting:
  alertmanagers:
    - static_configs: [{targets: ['am:9093']}]
scrape_configs:
  - job_name: j
    params: {module: [http_2xx]}
    relabel_configs:
      - source_labels: [__address__, job]
        regex: '(.*):\d+;(.*)'
        target_label: host
        replacement: '$1: $2'
      - action: hashmod
        source_labels: [host]
        modulus: 4
        target_label: shard
    file_sd_configs:
      - files: [t.json]
storage:
  tsdb: {out_of_order_time_window: 1h}
)",
                        "r.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  std::string out = DumpYaml(*cfg);
  EXPECT_NE(out.find("  external_labels:\n    empty: \"\"\n    num: \"1\"\n    region: eu west\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  body_size_limit: 1KiB512B\n"), std::string::npos) << out;
  EXPECT_NE(out.find(R"(alerting:
  alertmanagers:
  - follow_redirects: true
    enable_http2: true
    scheme: http
    timeout: 10s
    api_version: v2
    static_configs:
    - targets:
      - am:9093
rule_files:
- a.yml
)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(R"(  params:
    module:
    - http_2xx
)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(R"(  relabel_configs:
  - source_labels: [__address__, job]
    separator: ;
    regex: (.*):\d+;(.*)
    target_label: host
    replacement: '$1: $2'
    action: replace
  - source_labels: [host]
    separator: ;
    regex: (.*)
    modulus: 4
    target_label: shard
    replacement: $1
    action: hashmod
  file_sd_configs:
  - files:
    - t.json
    refresh_interval: 5m
storage:
  tsdb:
    out_of_order_time_window: 1h
)"),
            std::string::npos)
      << out;
}

TEST(DumpYaml, OutputLoadsBackToTheSameConfig) {
  auto cfg = LoadString(R"(
global: {scrape_interval: 20s, external_labels: {a: 'true'}}
scrape_configs:
  - job_name: 'x: y'
    metrics_path: '/m #1'
    static_configs: [{targets: ['h:1', 'h:2'], labels: {k: '[v]'}}]
    metric_relabel_configs:
      - {source_labels: [__name__], regex: 'go_.*', action: drop}
)",
                        "rt.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  std::string once = DumpYaml(*cfg);
  auto again = LoadString(once, "dump.yml");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << once;
  EXPECT_EQ(DumpYaml(*again), once);
  EXPECT_EQ(again->scrape_configs[0].job_name, "x: y");
  EXPECT_EQ(again->scrape_configs[0].metrics_path, "/m #1");
  EXPECT_EQ(again->scrape_configs[0].static_configs[0].labels.Get("k"), "[v]");
  EXPECT_EQ(again->global.external_labels.Get("a"), "true");
}

}  // namespace
}  // namespace pharos::config

namespace pharos::config {
namespace {

TEST(DumpYaml, EveryLoadableCorpusConfigRoundTrips) {
  const std::string dir = std::string(PHAROS_SOURCE_DIR) + "/fuzz/corpus/config";
  int loaded = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    auto cfg = LoadString(text.str(), e.path().filename().string());
    if (!cfg.ok()) continue;
    ++loaded;
    std::string once = DumpYaml(*cfg);
    auto again = LoadString(once, "dump.yml");
    ASSERT_TRUE(again.ok()) << e.path() << ": " << again.status() << "\n" << once;
    EXPECT_EQ(DumpYaml(*again), once) << e.path();
  }
  EXPECT_GE(loaded, 3);
}

}  // namespace
}  // namespace pharos::config
