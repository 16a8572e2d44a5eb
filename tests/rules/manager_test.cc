#include "rules/manager.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "storage/memory_storage.h"

namespace pharos::rules {
namespace {

TEST(ManagerTest, EvaluatesGroupsAndNotifiesFiringAlerts) {
  auto dir = std::filesystem::temp_directory_path() / ("pharos_rules_mgr_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "a.yml");
    f << "groups:\n- name: g\n  interval: 100ms\n  rules:\n  - alert: Always\n    expr: vector(1)\n"
         "    annotations: {s: 'v={{ $value }}'}\n  - record: one\n    expr: vector(1)\n";
  }
  storage::MemoryStorage store;
  promql::Engine engine;
  std::mutex mu;
  std::vector<NotifierAlert> sent;
  ManagerOptions o{.queryable = &store, .appendable = &store, .engine = &engine};
  o.notify = [&](const std::vector<NotifierAlert>& a) {
    std::lock_guard<std::mutex> l(mu);
    sent.insert(sent.end(), a.begin(), a.end());
  };
  Manager m(o);
  ASSERT_TRUE(m.Update({(dir / "*.yml").string()}, 60000).ok());
  ASSERT_EQ(m.Groups().size(), 1u);
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> l(mu);
      // ALERTS series appear from the second evaluation (after restoring).
      if (!sent.empty() && store.NumSeries() >= 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  m.Stop();
  std::lock_guard<std::mutex> l(mu);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].labels, (std::vector<std::pair<std::string, std::string>>{{"alertname", "Always"}}));
  EXPECT_EQ(sent[0].annotations[0].second, "v=1");
  std::string json = NotifierAlertsJson({sent[0]});
  EXPECT_NE(json.find("\"labels\":{\"alertname\":\"Always\"}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"endsAt\":"), std::string::npos) << json;
  EXPECT_GE(store.NumSeries(), 3u);  // one, ALERTS, ALERTS_FOR_STATE
  std::filesystem::remove_all(dir);
}

TEST(ManagerTest, BadFileLeavesGroupsUnchanged) {
  storage::MemoryStorage store;
  promql::Engine engine;
  Manager m(ManagerOptions{.queryable = &store, .appendable = &store, .engine = &engine});
  auto dir = std::filesystem::temp_directory_path() / ("pharos_rules_bad_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "b.yml") << "groups:\n- name: g\n  rules:\n  - record: x\n"; }
  auto s = m.Update({(dir / "b.yml").string()}, 60000);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("field 'expr' must be set in rule"), absl::string_view::npos) << s;
  EXPECT_TRUE(m.Groups().empty());
  std::filesystem::remove_all(dir);
}

// A reload keeps the state of the rules that stay (Prometheus' CopyState):
// an alert firing before the reload is still firing, with the same
// activeAt, right after it, while a rule new in the file starts inactive.
TEST(ManagerTest, ReloadCarriesAlertStateOver) {
  auto dir = std::filesystem::temp_directory_path() / ("pharos_rules_copy_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& extra) {
    std::ofstream f(dir / "a.yml");
    f << "groups:\n- name: g\n  interval: 50ms\n  rules:\n  - alert: Slow\n    expr: vector(1)\n"
         "    for: 200ms\n" << extra;
  };
  write("");
  storage::MemoryStorage store;
  promql::Engine engine;
  Manager m(ManagerOptions{.queryable = &store, .appendable = &store, .engine = &engine});
  ASSERT_TRUE(m.Update({(dir / "a.yml").string()}, 60000).ok());
  Alert before;
  for (int i = 0; i < 300; ++i) {
    auto alerts = m.Groups()[0]->ActiveAlerts("Slow");
    if (!alerts.empty() && alerts[0].state == AlertState::kFiring) {
      before = alerts[0];
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(before.state, AlertState::kFiring);
  write("  - alert: Fresh\n    expr: vector(1)\n    for: 1h\n");
  ASSERT_TRUE(m.Update({(dir / "a.yml").string()}, 60000).ok());
  auto g = m.Groups()[0];
  auto after = g->ActiveAlerts("Slow");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].state, AlertState::kFiring);
  EXPECT_EQ(after[0].active_at_ms, before.active_at_ms);
  EXPECT_TRUE(g->ActiveAlerts("Fresh").empty());
  m.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pharos::rules
