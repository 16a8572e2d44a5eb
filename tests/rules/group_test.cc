#include "rules/group.h"

#include "gtest/gtest.h"
#include "promql/engine.h"
#include "rules/rule_file.h"
#include "storage/memory_storage.h"
#include "storage/sample.h"

namespace pharos::rules {
namespace {

class GroupTest : public ::testing::Test {
 protected:
  std::unique_ptr<Group> Make(const std::string& yaml, bool restore = false) {
    auto f = ParseRuleFile(yaml, "t.yml");
    EXPECT_TRUE(f.ok()) << f.status();
    auto g = Group::Create("t.yml", f->groups[0],
                           GroupOptions{.queryable = &store, .appendable = &store, .engine = &engine,
                                        .external_labels = {{"site", "x"}}, .external_url = "http://h",
                                        .default_interval_ms = 60000, .restore = restore});
    EXPECT_TRUE(g.ok()) << g.status();
    return std::move(*g);
  }
  double Query(const std::string& q, int64_t t) {
    auto r = engine.InstantQuery(store, q, t);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->series.empty()) return -1;
    return r->series[0].points.back().v;
  }
  size_t Count(const std::string& q, int64_t t) {
    auto r = engine.InstantQuery(store, q, t);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->series.size() : 0;
  }
  storage::MemoryStorage store;
  promql::Engine engine;
};

TEST_F(GroupTest, AlertLifecyclePendingFiringResolved) {
  auto g = Make(
      "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    for: 2m\n"
      "    labels: {severity: page}\n    annotations: {summary: '{{ $labels.job }} {{ $value }} {{ $externalLabels.site }}'}\n");
  Labels up{{"__name__", "up"}, {"job", "a"}};
  for (int i = 0; i <= 3; ++i) ASSERT_TRUE(store.Add(up, i * 60000, 0).ok());
  ASSERT_TRUE(g->Eval(0).ok());
  auto a = g->ActiveAlerts("Down");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].state, AlertState::kPending);
  EXPECT_EQ(a[0].labels, (Labels{{"alertname", "Down"}, {"job", "a"}, {"severity", "page"}}));
  EXPECT_EQ(a[0].annotations[0].second, "a 0 x");
  EXPECT_EQ(Count("ALERTS{alertstate=\"pending\"}", 0), 1u);
  ASSERT_TRUE(g->Eval(60000).ok());
  EXPECT_EQ(g->ActiveAlerts("Down")[0].state, AlertState::kPending);
  ASSERT_TRUE(g->Eval(120000).ok());
  EXPECT_EQ(g->ActiveAlerts("Down")[0].state, AlertState::kFiring);
  EXPECT_EQ(Count("ALERTS{alertstate=\"firing\"}", 120000), 1u);
  EXPECT_EQ(Query("ALERTS_FOR_STATE", 120000), 0);
  auto send = g->AlertsToSend(120000, 60000, 60000);
  ASSERT_EQ(send.size(), 1u);
  // Recovery: the alert resolves and the ALERTS series goes stale.
  ASSERT_TRUE(store.Add(up, 4 * 60000, 1).ok());
  ASSERT_TRUE(g->Eval(240000).ok());
  EXPECT_TRUE(g->ActiveAlerts("Down").empty());
  EXPECT_EQ(Count("ALERTS", 240000), 0u);
  auto resolved = g->AlertsToSend(240000, 60000, 60000);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].state, AlertState::kInactive);
  EXPECT_EQ(resolved[0].resolved_at_ms, 240000);
}

TEST_F(GroupTest, KeepFiringFor) {
  auto g = Make("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: x > 0\n    keep_firing_for: 2m\n");
  Labels x{{"__name__", "x"}};
  ASSERT_TRUE(store.Add(x, 0, 1).ok());
  ASSERT_TRUE(store.Add(x, 60000, 0).ok());
  ASSERT_TRUE(g->Eval(0).ok());
  EXPECT_EQ(g->ActiveAlerts("A")[0].state, AlertState::kFiring);
  ASSERT_TRUE(g->Eval(60000).ok());
  ASSERT_EQ(g->ActiveAlerts("A").size(), 1u);  // kept firing
  ASSERT_TRUE(g->Eval(120000).ok());
  ASSERT_EQ(g->ActiveAlerts("A").size(), 1u);
  ASSERT_TRUE(g->Eval(180000).ok());
  EXPECT_TRUE(g->ActiveAlerts("A").empty());
}

TEST_F(GroupTest, RecordingRuleWritesAndMarksStale) {
  auto g = Make("groups:\n- name: g\n  rules:\n  - record: job:x:sum\n    expr: sum by (job) (x)\n    labels: {k: v}\n");
  ASSERT_TRUE(store.Add(Labels{{"__name__", "x"}, {"job", "a"}}, 0, 2).ok());
  ASSERT_TRUE(g->Eval(0).ok());
  EXPECT_EQ(Query("job:x:sum{job=\"a\",k=\"v\"}", 0), 2);
  // The input goes stale after 5m of lookback; the recorded series gets a marker.
  ASSERT_TRUE(g->Eval(400000).ok());
  EXPECT_EQ(Count("job:x:sum", 400000), 0u);
  EXPECT_EQ(Count("job:x:sum", 290000), 1u);
  auto q = store.NewQuerier(0, 400000);
  ASSERT_TRUE(q.ok());
  auto set = (*q)->Select(false, nullptr, {Matcher::MustMake(MatchType::kEqual, "__name__", "job:x:sum")});
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator();
  std::vector<storage::Sample> got;
  while (it->Next()) got.push_back(it->At());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].t, 400000);
  EXPECT_TRUE(storage::IsStaleNaN(got[1].v));
}

TEST_F(GroupTest, LimitAndDuplicateErrors) {
  auto g = Make("groups:\n- name: g\n  limit: 1\n  rules:\n  - record: r\n    expr: x\n");
  ASSERT_TRUE(store.Add(Labels{{"__name__", "x"}, {"a", "1"}}, 0, 1).ok());
  ASSERT_TRUE(store.Add(Labels{{"__name__", "x"}, {"a", "2"}}, 0, 1).ok());
  auto s = g->Eval(0);
  EXPECT_EQ(s.message(), "exceeded limit of 1 with 2 series");
  EXPECT_EQ(g->Snapshot()[0].health, RuleHealth::kErr);
  auto d = Make("groups:\n- name: g\n  rules:\n  - record: r\n    expr: sum without (a) (x) or x\n    labels: {a: z}\n");
  EXPECT_FALSE(d->Eval(0).ok());
}

TEST_F(GroupTest, RestoreForState) {
  // A pending alert that was active at t=0 before a restart at 3m.
  Labels fs{{"__name__", "ALERTS_FOR_STATE"}, {"alertname", "A"}};
  ASSERT_TRUE(store.Add(fs, 60000, 0).ok());
  ASSERT_TRUE(store.Add(Labels{{"__name__", "x"}}, 180000, 1).ok());
  auto g = Make("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: x > 0\n    for: 10m\n", /*restore=*/true);
  ASSERT_TRUE(g->Eval(180000).ok());
  EXPECT_EQ(Count("ALERTS", 180000), 0u);  // nothing written before restoring
  g->RestoreForState(180000, 3600000, 600000);
  auto a = g->ActiveAlerts("A");
  ASSERT_EQ(a.size(), 1u);
  // 1m spent pending before the outage, 9m remain (>= grace 10m? no: 9m < 10m),
  // so activeAt = restart + grace - for = 180000.
  EXPECT_EQ(a[0].active_at_ms, 180000 + 600000 - 600000);
}

TEST_F(GroupTest, EvalTimestampIsAlignedAndStable) {
  auto g = Make("groups:\n- name: g\n  interval: 30s\n  rules:\n  - record: r\n    expr: '1'\n");
  int64_t t1 = g->EvalTimestamp(1'000'000'000);
  EXPECT_LE(t1, 1'000'000'000);
  EXPECT_GT(t1, 1'000'000'000 - 30000);
  EXPECT_EQ(g->EvalTimestamp(1'000'030'000) - t1, 30000);
}

}  // namespace
}  // namespace pharos::rules
