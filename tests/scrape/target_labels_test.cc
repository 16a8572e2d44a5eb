#include "scrape/relabel/target_labels.h"
#include "common/host_port.h"

#include <gtest/gtest.h>

#include <string>

#include "common/strings.h"
#include "config/config.h"

namespace pharos::relabel {
namespace {

config::ScrapeConfig Job(const std::string& body) {
  auto cfg = config::LoadString("scrape_configs:\n  - job_name: node\n" + body, "t.yml");
  EXPECT_TRUE(cfg.ok()) << cfg.status();
  return cfg.ok() ? cfg->scrape_configs[0] : config::ScrapeConfig();
}

Labels Addr(std::string_view a) { return Labels{{"__address__", a}}; }

TEST(TargetLabels, StaticTargetGetsPrometheusDefaults) {
  config::ScrapeConfig job = Job("    scrape_interval: 30s\n");
  auto t = PopulateLabels(Addr("host:9100"), Labels{{"env", "prod"}}, job);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->labels, (Labels{{"__address__", "host:9100"},
                               {"__metrics_path__", "/metrics"},
                               {"__scheme__", "http"},
                               {"__scrape_interval__", "30s"},
                               {"__scrape_timeout__", "10s"},
                               {"env", "prod"},
                               {"instance", "host:9100"},
                               {"job", "node"}}));
  EXPECT_EQ(t->discovered, (Labels{{"__address__", "host:9100"},
                                   {"__metrics_path__", "/metrics"},
                                   {"__scheme__", "http"},
                                   {"__scrape_interval__", "30s"},
                                   {"__scrape_timeout__", "10s"},
                                   {"env", "prod"},
                                   {"job", "node"}}));
  EXPECT_EQ(t->interval_ms, 30'000);
  EXPECT_EQ(t->timeout_ms, 10'000);
  EXPECT_EQ(PublicLabels(t->labels), (Labels{{"env", "prod"}, {"instance", "host:9100"}, {"job", "node"}}));
  EXPECT_EQ(TargetUrl(t->labels, job), "http://host:9100/metrics");
}

TEST(TargetLabels, TargetLabelsWinOverGroupLabels) {
  config::ScrapeConfig job = Job("");
  auto t = PopulateLabels(Labels{{"__address__", "a:1"}, {"env", "target"}}, Labels{{"env", "group"}, {"x", "g"}}, job);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->labels.Get("env"), "target");
  EXPECT_EQ(t->labels.Get("x"), "g");
}

TEST(TargetLabels, DefaultPortByScheme) {
  struct Case {
    std::string scheme, addr, want;
  } cases[] = {
      {"http", "host", "host:80"},        {"https", "host", "host:443"}, {"http", "host:8080", "host:8080"},
      {"http", "[::1]", "[::1]:80"},      {"https", "[::1]:9", "[::1]:9"}, {"http", "::1", "::1"},
  };
  for (const Case& c : cases) {
    config::ScrapeConfig job = Job("    scheme: " + c.scheme + "\n");
    auto t = PopulateLabels(Addr(c.addr), {}, job);
    ASSERT_TRUE(t.ok()) << c.addr << ": " << t.status();
    EXPECT_EQ(t->labels.Get("__address__"), c.want) << c.addr;
    EXPECT_EQ(t->labels.Get("instance"), c.want) << c.addr;
  }
}

TEST(TargetLabels, NoDefaultPortOption) {
  config::ScrapeConfig job = Job("");
  TargetOptions opts{.no_default_port = true};
  auto bare = PopulateLabels(Addr("host"), {}, job, opts);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->labels.Get("__address__"), "host");
  auto dflt = PopulateLabels(Addr("host:80"), {}, job, opts);
  ASSERT_TRUE(dflt.ok());
  EXPECT_EQ(dflt->labels.Get("__address__"), "host");
  EXPECT_EQ(dflt->labels.Get("instance"), "host:80");
}

TEST(TargetLabels, RelabelingShapesTheTarget) {
  // The blackbox exporter pattern: the discovered address becomes a parameter.
  config::ScrapeConfig job = Job(R"(    metrics_path: /probe
    params:
      module: [http_2xx]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:9115
      - source_labels: [__meta_team]
        target_label: team
)");
  auto t = PopulateLabels(Labels{{"__address__", "https://example.org"}}, Labels{{"__meta_team", "web"}}, job);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->labels.Get("__address__"), "127.0.0.1:9115");
  EXPECT_EQ(t->labels.Get("instance"), "https://example.org");
  EXPECT_EQ(t->labels.Get("team"), "web");
  EXPECT_FALSE(t->labels.Has("__meta_team"));
  EXPECT_EQ(t->discovered.Get("__param_module"), "http_2xx");
  EXPECT_EQ(t->discovered.Get("__meta_team"), "web");
  EXPECT_EQ(TargetUrl(t->labels, job),
            "http://127.0.0.1:9115/probe?module=http_2xx&target=https%3A%2F%2Fexample.org");
}

TEST(TargetLabels, DroppedTargetKeepsDiscoveredLabels) {
  config::ScrapeConfig job = Job("    relabel_configs:\n      - {source_labels: [env], regex: dev, action: drop}\n");
  auto t = PopulateLabels(Addr("a:1"), Labels{{"env", "dev"}}, job);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->dropped());
  EXPECT_EQ(t->discovered.Get("env"), "dev");
  EXPECT_EQ(t->discovered.Get("job"), "node");
}

TEST(TargetLabels, PerTargetIntervalOverride) {
  config::ScrapeConfig job = Job(
      "    relabel_configs:\n      - {target_label: __scrape_interval__, replacement: 2m}\n"
      "      - {target_label: __scrape_timeout__, replacement: 90s}\n");
  auto t = PopulateLabels(Addr("a:1"), {}, job);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->interval_ms, 120'000);
  EXPECT_EQ(t->timeout_ms, 90'000);
}

TEST(TargetLabels, Errors) {
  struct Case {
    std::string relabel;
    Labels target;
    std::string error;
  } cases[] = {
      {"- {target_label: __address__, replacement: ''}", Addr("a:1"), "no address"},
      {"- {target_label: __address__, replacement: 'a/b'}", Addr("a:1"), "\"a/b:80\" is not a valid hostname"},
      {"- {target_label: __scheme__, replacement: ftp}", Addr("a"), "invalid scheme: \"http\""},
      {"- {target_label: __scrape_interval__, replacement: soon}", Addr("a:1"),
       "error parsing scrape interval: not a valid duration string: \"soon\""},
      {"- {target_label: __scrape_interval__, replacement: '0'}", Addr("a:1"), "scrape interval cannot be 0"},
      {"- {target_label: __scrape_timeout__, replacement: '0s'}", Addr("a:1"), "scrape timeout cannot be 0"},
      {"- {target_label: __scrape_timeout__, replacement: 2m}", Addr("a:1"),
       "scrape timeout cannot be greater than scrape interval (\"2m\" > \"1m\")"},
      {"- {target_label: other, replacement: x}", Labels{{"__address__", "a:1"}, {"bad", "\xff"}},
       "invalid label value for \"bad\": \"\\xff\""},
  };
  for (const Case& c : cases) {
    config::ScrapeConfig job = Job("    relabel_configs:\n      " + c.relabel + "\n");
    auto t = PopulateLabels(c.target, {}, job);
    ASSERT_FALSE(t.ok()) << c.relabel;
    EXPECT_EQ(SV(t.status().message()), c.error) << c.relabel;
  }
}

TEST(TargetLabels, TargetsFromGroupCollectsFailures) {
  config::ScrapeConfig job = Job(
      "    relabel_configs:\n      - {source_labels: [__address__], regex: 'skip.*', action: drop}\n"
      "      - {source_labels: [__address__], regex: 'bad.*', target_label: __address__, replacement: ''}\n");
  config::TargetGroup g;
  g.source = "7";
  g.targets = {Addr("ok:1"), Addr("skip:1"), Addr("bad:1")};
  std::vector<TargetLabels> out;
  std::vector<std::string> failures;
  TargetsFromGroup(g, job, {}, &out, &failures);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[0].dropped());
  EXPECT_TRUE(out[1].dropped());
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0], "instance 2 in group 7: no address");
}

TEST(TargetLabels, SplitHostPortLikeGo) {
  std::string_view h, p;
  EXPECT_TRUE(SplitHostPort("a:1", &h, &p));
  EXPECT_EQ(h, "a");
  EXPECT_EQ(p, "1");
  EXPECT_TRUE(SplitHostPort("[::1]:9", &h, &p));
  EXPECT_EQ(h, "::1");
  EXPECT_FALSE(SplitHostPort("a", &h, &p));
  EXPECT_FALSE(SplitHostPort("::1", &h, &p));
  EXPECT_FALSE(SplitHostPort("[::1]", &h, &p));
  EXPECT_FALSE(SplitHostPort("[a]b:1", &h, &p));
  EXPECT_TRUE(SplitHostPort(":80", &h, &p));
}

}  // namespace
}  // namespace pharos::relabel
