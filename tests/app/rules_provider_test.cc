#include "app/rules_provider.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "storage/memory_storage.h"

namespace pharos::app {
namespace {

TEST(ManagerRulesProviderTest, ReportsGroupsRulesAndAlerts) {
  auto dir = std::filesystem::temp_directory_path() / ("pharos_rules_prov_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.yml") << "groups:\n- name: g\n  interval: 50ms\n  rules:\n  - alert: Always\n    expr: vector(2)\n"
                                  "    labels: {severity: page}\n";
  storage::MemoryStorage store;
  promql::Engine engine;
  rules::Manager m(rules::ManagerOptions{.queryable = &store, .appendable = &store, .engine = &engine});
  ASSERT_TRUE(m.Update({(dir / "a.yml").string()}, 60000).ok());
  ManagerRulesProvider p(&m);
  std::vector<api::RuleGroupInfo> groups;
  for (int i = 0; i < 200; ++i) {
    groups = p.RuleGroups();
    if (!groups.empty() && !groups[0].rules.empty() && groups[0].rules[0].health == "ok") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  m.Stop();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].name, "g");
  EXPECT_DOUBLE_EQ(groups[0].interval_s, 0.05);
  ASSERT_EQ(groups[0].rules.size(), 1u);
  const auto& r = groups[0].rules[0];
  EXPECT_TRUE(r.alerting);
  EXPECT_EQ(r.health, "ok");
  ASSERT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(r.alerts[0].state, "firing");
  EXPECT_EQ(r.alerts[0].value, 2);
  EXPECT_EQ(r.alerts[0].labels, (Labels{{"alertname", "Always"}, {"severity", "page"}}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pharos::app
