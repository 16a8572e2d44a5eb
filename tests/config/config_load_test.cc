#include "config/config.h"

#include <gtest/gtest.h>

#include <string>

#include "common/strings.h"

namespace pharos::config {
namespace {

const std::string kTestdata = std::string(PHAROS_SOURCE_DIR) + "/tests/config/testdata/";

TEST(ConfigLoad, SeedPrometheusYmlLoadsWithDefaults) {
  auto cfg = LoadFile(kTestdata + "seed_prometheus.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->global.scrape_interval_ms, 15'000);
  EXPECT_EQ(cfg->global.scrape_timeout_ms, 10'000);
  EXPECT_EQ(cfg->global.evaluation_interval_ms, 15'000);
  ASSERT_EQ(cfg->scrape_configs.size(), 3u);
  const ScrapeConfig& backend = cfg->scrape_configs[0];
  EXPECT_EQ(backend.job_name, "autodealgenie-backend");
  EXPECT_EQ(backend.metrics_path, "/metrics");
  EXPECT_EQ(backend.scheme, "http");
  EXPECT_TRUE(backend.honor_timestamps);
  EXPECT_FALSE(backend.honor_labels);
  EXPECT_EQ(backend.scrape_interval_ms, 15'000);
  EXPECT_EQ(backend.scrape_timeout_ms, 10'000);
  EXPECT_EQ(backend.scrape_protocols, DefaultScrapeProtocols());
  ASSERT_EQ(backend.static_configs.size(), 1u);
  ASSERT_EQ(backend.static_configs[0].targets.size(), 1u);
  EXPECT_EQ(backend.static_configs[0].targets[0].Get("__address__"), "backend:8000");
  EXPECT_EQ(cfg->scrape_configs[1].static_configs[0].targets[0].Get("__address__"), "postgres-exporter:9187");
  EXPECT_EQ(cfg->scrape_configs[2].job_name, "redis");
  EXPECT_NE(cfg->FindJob("redis"), nullptr);
  EXPECT_EQ(cfg->FindJob("nope"), nullptr);
}

TEST(ConfigLoad, EmptyDocumentIsAllDefaults) {
  for (const char* text : {"", "# nothing\n", "global:\n", "global: {}\n"}) {
    auto cfg = LoadString(text, "empty.yml");
    ASSERT_TRUE(cfg.ok()) << text << ": " << cfg.status();
    EXPECT_EQ(cfg->global.scrape_interval_ms, 60'000) << text;
    EXPECT_EQ(cfg->global.scrape_timeout_ms, 10'000) << text;
    EXPECT_EQ(cfg->global.evaluation_interval_ms, 60'000) << text;
    EXPECT_EQ(cfg->global.scrape_protocols, DefaultScrapeProtocols()) << text;
    EXPECT_TRUE(cfg->scrape_configs.empty());
  }
}

TEST(ConfigLoad, ScrapeConfigsInheritFromGlobal) {
  auto cfg = LoadString(R"(
scrape_configs:
  - job_name: a
  - job_name: b
    scrape_interval: 5s
  - job_name: c
    scrape_interval: 2m
    scrape_timeout: 1m
    sample_limit: 7
    scrape_protocols: [PrometheusText0.0.4]
global:
  scrape_interval: 30s
  scrape_timeout: 20s
  sample_limit: 100
  label_limit: 3
  body_size_limit: 10MB
  scrape_protocols: [OpenMetricsText1.0.0, PrometheusProto]
)",
                        "inherit.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& a = cfg->scrape_configs[0];
  EXPECT_EQ(a.scrape_interval_ms, 30'000);
  EXPECT_EQ(a.scrape_timeout_ms, 20'000);
  EXPECT_EQ(a.limits.sample_limit, 100u);
  EXPECT_EQ(a.limits.label_limit, 3u);
  EXPECT_EQ(a.limits.body_size_limit, 10 << 20);
  EXPECT_EQ(a.scrape_protocols, (std::vector<std::string>{"OpenMetricsText1.0.0", "PrometheusProto"}));
  // A shorter interval caps the inherited timeout.
  const auto& b = cfg->scrape_configs[1];
  EXPECT_EQ(b.scrape_interval_ms, 5'000);
  EXPECT_EQ(b.scrape_timeout_ms, 5'000);
  const auto& c = cfg->scrape_configs[2];
  EXPECT_EQ(c.scrape_timeout_ms, 60'000);
  EXPECT_EQ(c.limits.sample_limit, 7u);
  EXPECT_EQ(c.scrape_protocols, (std::vector<std::string>{"PrometheusText0.0.4"}));
}

TEST(ConfigLoad, GlobalIntervalBelowDefaultTimeoutCapsIt) {
  auto cfg = LoadString("global:\n  scrape_interval: 5s\n", "g.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->global.scrape_timeout_ms, 5'000);
}

TEST(ConfigLoad, FullScrapeConfig) {
  auto cfg = LoadString(R"(
scrape_configs:
  - job_name: full
    honor_labels: true
    honor_timestamps: false
    track_timestamps_staleness: true
    params:
      module: [http_2xx]
      target: [a, b]
    metrics_path: /probe
    scheme: https
    enable_compression: false
    basic_auth:
      username: u
      password_file: secrets/pw
    tls_config:
      ca_file: ca.pem
      cert_file: c.pem
      key_file: k.pem
      server_name: example
      insecure_skip_verify: true
      min_version: TLS12
    proxy_url: http://proxy:3128
    follow_redirects: false
    enable_http2: false
    label_name_length_limit: 10
    label_value_length_limit: 20
    target_limit: 5
    keep_dropped_targets: 9
    static_configs:
      - targets: [a:1, b:2]
        labels: {env: prod, team: x}
    file_sd_configs:
      - files: [targets/*.json, more.yml]
        refresh_interval: 1m
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
    metric_relabel_configs:
      - action: labeldrop
        regex: tmp_.*
)",
                        "full.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const ScrapeConfig& c = cfg->scrape_configs[0];
  EXPECT_TRUE(c.honor_labels);
  EXPECT_FALSE(c.honor_timestamps);
  EXPECT_TRUE(c.track_timestamps_staleness);
  EXPECT_EQ(c.params.at("target"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.metrics_path, "/probe");
  EXPECT_EQ(c.scheme, "https");
  EXPECT_FALSE(c.enable_compression);
  ASSERT_TRUE(c.http_client.basic_auth.has_value());
  EXPECT_EQ(c.http_client.basic_auth->username, "u");
  EXPECT_EQ(c.http_client.basic_auth->password_file, "secrets/pw");  // LoadString keeps paths
  EXPECT_EQ(c.http_client.tls_config.min_version, "TLS12");
  EXPECT_TRUE(c.http_client.tls_config.insecure_skip_verify);
  EXPECT_EQ(c.http_client.proxy_url, "http://proxy:3128");
  EXPECT_FALSE(c.http_client.follow_redirects);
  EXPECT_FALSE(c.http_client.enable_http2);
  EXPECT_EQ(c.limits.label_name_length_limit, 10u);
  EXPECT_EQ(c.limits.keep_dropped_targets, 9u);
  ASSERT_EQ(c.static_configs.size(), 1u);
  EXPECT_EQ(c.static_configs[0].labels, (Labels{{"env", "prod"}, {"team", "x"}}));
  EXPECT_EQ(c.static_configs[0].source, "0");
  ASSERT_EQ(c.file_sd_configs.size(), 1u);
  EXPECT_EQ(c.file_sd_configs[0].refresh_interval_ms, 60'000);
  ASSERT_EQ(c.relabel_configs.size(), 1u);
  EXPECT_EQ(c.relabel_configs[0].target_label, "__param_target");
  ASSERT_EQ(c.metric_relabel_configs.size(), 1u);
  EXPECT_EQ(c.metric_relabel_configs[0].action, RelabelAction::kLabelDrop);
}

TEST(ConfigLoad, LegacyBearerTokenBecomesAuthorization) {
  auto cfg = LoadString("scrape_configs:\n  - job_name: a\n    bearer_token: tok\n", "b.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& auth = cfg->scrape_configs[0].http_client.authorization;
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->type, "Bearer");
  EXPECT_EQ(auth->credentials, "tok");
  auto file = LoadString("scrape_configs:\n  - job_name: a\n    bearer_token_file: /t\n", "b.yml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->scrape_configs[0].http_client.authorization->credentials_file, "/t");
  auto typed = LoadString("scrape_configs:\n  - job_name: a\n    authorization: {type: ' Token ', credentials: x}\n",
                          "b.yml");
  ASSERT_TRUE(typed.ok()) << typed.status();
  EXPECT_EQ(typed->scrape_configs[0].http_client.authorization->type, "Token");
}

TEST(ConfigLoad, AlertingAndRuleFilesAndStorage) {
  auto cfg = LoadString(R"(
rule_files: [alerts.yml, 'rules/*.yml']
alerting:
  alert_relabel_configs:
    - action: labeldrop
      regex: replica
  alertmanagers:
    - static_configs:
        - targets: ['am:9093']
      path_prefix: /am
      timeout: 5s
storage:
  tsdb:
    out_of_order_time_window: 30m
  exemplars:
    max_exemplars: 5
global:
  external_labels: {region: eu, cluster: c1}
  query_log_file: q.log
  rule_query_offset: 1m
)",
                        "a.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->rule_files, (std::vector<std::string>{"alerts.yml", "rules/*.yml"}));
  ASSERT_EQ(cfg->alerting.alertmanagers.size(), 1u);
  const auto& am = cfg->alerting.alertmanagers[0];
  EXPECT_EQ(am.scheme, "http");
  EXPECT_EQ(am.api_version, "v2");
  EXPECT_EQ(am.timeout_ms, 5'000);
  EXPECT_EQ(am.path_prefix, "/am");
  EXPECT_EQ(am.static_configs[0].targets[0].Get("__address__"), "am:9093");
  EXPECT_EQ(cfg->alerting.alert_relabel_configs.size(), 1u);
  ASSERT_TRUE(cfg->storage.tsdb.has_value());
  EXPECT_EQ(cfg->storage.tsdb->out_of_order_time_window_ms, 30 * 60'000);
  EXPECT_EQ(cfg->storage.exemplars->max_exemplars, 5);
  EXPECT_EQ(cfg->global.external_labels, (Labels{{"cluster", "c1"}, {"region", "eu"}}));
  EXPECT_EQ(cfg->global.rule_query_offset_ms, 60'000);
  auto defaults = LoadString("alerting:\n  alertmanagers:\n  - static_configs: [{targets: [a:1]}]\n", "a.yml");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->alerting.alertmanagers[0].timeout_ms, 10'000);
}

TEST(ConfigLoad, LoadFileResolvesRelativePaths) {
  auto cfg = LoadFile(kTestdata + "paths.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const std::string dir = std::string(PHAROS_SOURCE_DIR) + "/tests/config/testdata";
  EXPECT_EQ(cfg->base_dir, dir);
  EXPECT_EQ(cfg->rule_files, (std::vector<std::string>{dir + "/rules/*.yml", "/abs/alerts.yml"}));
  const ScrapeConfig& sc = cfg->scrape_configs[0];
  EXPECT_EQ(sc.file_sd_configs[0].files[0], dir + "/file_sd/*.json");
  EXPECT_EQ(sc.http_client.tls_config.ca_file, dir + "/certs/ca.pem");
  EXPECT_EQ(sc.http_client.authorization->credentials_file, dir + "/token");
  EXPECT_EQ(cfg->global.query_log_file, dir + "/q.log");
}

TEST(ConfigLoad, MissingFileIsNotFound) {
  auto cfg = LoadFile(kTestdata + "does-not-exist.yml");
  EXPECT_TRUE(absl::IsNotFound(cfg.status())) << cfg.status();
  EXPECT_NE(cfg.status().message().find("does-not-exist.yml"), absl::string_view::npos);
}

}  // namespace
}  // namespace pharos::config
