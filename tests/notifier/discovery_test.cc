#include "notifier/discovery.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "notifier/relabel_alerts.h"

namespace pharos::notifier {
namespace {

config::Config Load(const std::string& yaml) {
  auto c = config::LoadString(yaml, "test.yml");
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : config::Config{};
}

TEST(AlertsPath, JoinsAndCleansLikeGoPathJoin) {
  EXPECT_EQ(AlertsPath("", "v2"), "/api/v2/alerts");
  EXPECT_EQ(AlertsPath("/", "v2"), "/api/v2/alerts");
  EXPECT_EQ(AlertsPath("prefix", "v2"), "/prefix/api/v2/alerts");
  EXPECT_EQ(AlertsPath("/am//x/", "v2"), "/am/x/api/v2/alerts");
  EXPECT_EQ(AlertsPath("/a/../b/./c", "v2"), "/b/c/api/v2/alerts");
}

TEST(AlertmanagersFromGroup, BuildsUrlsAndAppliesRelabeling) {
  config::Config c = Load(R"(
alerting:
  alertmanagers:
    - scheme: https
      path_prefix: /am
      static_configs:
        - targets: ['a:9093', 'b:9093', 'c:9093']
          labels: {zone: z1}
      relabel_configs:
        - source_labels: [__address__]
          regex: 'b:.*'
          action: drop
        - source_labels: [__address__]
          regex: 'c:.*'
          target_label: __scheme__
          replacement: http
        - source_labels: [zone]
          target_label: __alerts_path__
          regex: z2
          replacement: /other
)");
  ASSERT_EQ(c.alerting.alertmanagers.size(), 1u);
  const auto& am = c.alerting.alertmanagers[0];
  auto d = AlertmanagersFromGroup(am.static_configs[0], am);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->active, (std::vector<std::string>{"https://a:9093/am/api/v2/alerts", "http://c:9093/am/api/v2/alerts"}));
  EXPECT_EQ(d->dropped, (std::vector<std::string>{"https://b:9093/am/api/v2/alerts"}));
}

TEST(AlertmanagersFromGroup, RelabeledPathAndGroupLabels) {
  config::Config c = Load(R"(
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['a:1']
          labels: {__alerts_path__: /from-group}
      relabel_configs:
        - target_label: __address__
          replacement: 'rewritten:2'
)");
  const auto& am = c.alerting.alertmanagers[0];
  auto d = AlertmanagersFromGroup(am.static_configs[0], am);
  ASSERT_TRUE(d.ok()) << d.status();
  // The group's labels come after __alerts_path__ and override it, as in Prometheus.
  EXPECT_EQ(d->active, (std::vector<std::string>{"http://rewritten:2/from-group"}));
}

TEST(AlertmanagersFromGroup, RefusesAnAddressWithASlashAfterRelabeling) {
  config::Config c = Load(R"(
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['a:1']
      relabel_configs:
        - target_label: __address__
          replacement: 'http://x/'
)");
  const auto& am = c.alerting.alertmanagers[0];
  auto d = AlertmanagersFromGroup(am.static_configs[0], am);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "\"http://x/\" is not a valid hostname");
}

Alert MakeAlert(std::vector<std::pair<std::string, std::string>> labels) {
  Alert a;
  a.labels = std::move(labels);
  std::sort(a.labels.begin(), a.labels.end());
  return a;
}

TEST(RelabelAlerts, ExternalLabelsAreAddedButAlertLabelsWin) {
  Labels ext{{"cluster", "c1"}, {"severity", "ext"}, {"zone", "z"}};
  auto out = RelabelAlerts({}, ext, {MakeAlert({{"alertname", "A"}, {"severity", "page"}}),
                                     MakeAlert({{"alertname", "B"}, {"zone", ""}})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].labels, (std::vector<std::pair<std::string, std::string>>{
                               {"alertname", "A"}, {"cluster", "c1"}, {"severity", "page"}, {"zone", "z"}}));
  // An empty value counts as absent: the external label fills it.
  EXPECT_EQ(out[1].labels, (std::vector<std::pair<std::string, std::string>>{
                               {"alertname", "B"}, {"cluster", "c1"}, {"severity", "ext"}, {"zone", "z"}}));
}

TEST(RelabelAlerts, DroppedOrEmptiedAlertsAreRemoved) {
  config::Config c = Load(R"(
alerting:
  alert_relabel_configs:
    - source_labels: [alertname]
      regex: Drop.*
      action: drop
    - source_labels: [alertname]
      regex: Empty
      target_label: __tmp_empty
      replacement: 'yes'
    - action: labeldrop
      regex: 'x|alertname'
    - source_labels: [__tmp_empty]
      regex: ''
      target_label: alertname
      replacement: 'kept'
    - action: labeldrop
      regex: '__tmp_empty'
)");
  auto out = RelabelAlerts(c.alerting.alert_relabel_configs, Labels(),
                           {MakeAlert({{"alertname", "DropMe"}}), MakeAlert({{"alertname", "Empty"}, {"x", "1"}}),
                            MakeAlert({{"alertname", "Keep"}, {"x", "1"}})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].labels, (std::vector<std::pair<std::string, std::string>>{{"alertname", "kept"}}));
}

}  // namespace
}  // namespace pharos::notifier
