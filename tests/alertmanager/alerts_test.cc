#include "alertmanager/alerts.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "alertmanager/marker.h"

namespace pharos::am {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Alert MakeAlert(LabelSet labels, absl::Time starts, absl::Time ends, absl::Time updated, bool timeout = false) {
  Alert a;
  a.labels = std::move(labels);
  a.starts_at = starts;
  a.ends_at = ends;
  a.updated_at = updated;
  a.timeout = timeout;
  return a;
}

TEST(MergeAlerts, NewerWinsWithEarliestStart) {
  Alert old = MakeAlert({{"a", "1"}}, kT0, kT0 + absl::Minutes(10), kT0, true);
  old.annotations = {{"v", "old"}};
  Alert nw = MakeAlert({{"a", "1"}}, kT0 + absl::Minutes(1), kT0 + absl::Minutes(11), kT0 + absl::Minutes(1), true);
  nw.annotations = {{"v", "new"}};
  for (const Alert& m : {MergeAlerts(old, nw, kT0), MergeAlerts(nw, old, kT0)}) {
    EXPECT_EQ(m.annotations.at("v"), "new");
    EXPECT_EQ(m.starts_at, kT0);
    EXPECT_EQ(m.ends_at, kT0 + absl::Minutes(11));
  }
}

TEST(MergeAlerts, LaterExplicitEndBeatsNewerFiringEnd) {
  // The older version has an explicit (non-timeout) end later than the newer one's.
  Alert old = MakeAlert({{"a", "1"}}, kT0, kT0 + absl::Hours(1), kT0, false);
  Alert nw = MakeAlert({{"a", "1"}}, kT0, kT0 + absl::Minutes(5), kT0 + absl::Minutes(1), true);
  EXPECT_EQ(MergeAlerts(old, nw, kT0 + absl::Minutes(1)).ends_at, kT0 + absl::Hours(1));
  // A timeout end does not win.
  old.timeout = true;
  EXPECT_EQ(MergeAlerts(old, nw, kT0 + absl::Minutes(1)).ends_at, kT0 + absl::Minutes(5));
}

TEST(MergeAlerts, BothResolvedKeepLatestEnd) {
  const absl::Time now = kT0 + absl::Hours(1);
  Alert old = MakeAlert({{"a", "1"}}, kT0, kT0 + absl::Minutes(30), kT0);
  Alert nw = MakeAlert({{"a", "1"}}, kT0, kT0 + absl::Minutes(20), kT0 + absl::Minutes(40));
  EXPECT_EQ(MergeAlerts(old, nw, now).ends_at, kT0 + absl::Minutes(30));
  // Newer resolved, older firing: the resolution stands.
  old.ends_at = kT0 + absl::Hours(5);
  EXPECT_EQ(MergeAlerts(old, nw, now).ends_at, kT0 + absl::Minutes(20));
}

TEST(PrepareReceivedAlert, DefaultsAsApiV2) {
  Alert a;
  a.labels = {{"a", "1"}};
  PrepareReceivedAlert(&a, kT0, absl::Minutes(5));
  EXPECT_EQ(a.starts_at, kT0);
  EXPECT_EQ(a.ends_at, kT0 + absl::Minutes(5));
  EXPECT_TRUE(a.timeout);
  EXPECT_EQ(a.updated_at, kT0);

  Alert b;
  b.ends_at = kT0 - absl::Minutes(1);
  PrepareReceivedAlert(&b, kT0, absl::Minutes(5));
  EXPECT_EQ(b.starts_at, kT0 - absl::Minutes(1));
  EXPECT_EQ(b.ends_at, kT0 - absl::Minutes(1));
  EXPECT_FALSE(b.timeout);
}

class AlertStoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kT0);
  Marker marker_;
};

TEST_F(AlertStoreTest, PutGetListAndMergeOfOverlappingVersions) {
  AlertStore store(clock_, &marker_, 0);
  Alert a = MakeAlert({{"alertname", "A"}}, kT0, kT0 + absl::Minutes(5), kT0, true);
  ASSERT_TRUE(store.Put({a}).ok());
  // A re-send one minute later with a later start: overlaps, so the start stays.
  clock_->Advance(absl::Minutes(1));
  Alert again = MakeAlert({{"alertname", "A"}}, kT0 + absl::Minutes(1), kT0 + absl::Minutes(6),
                          kT0 + absl::Minutes(1), true);
  ASSERT_TRUE(store.Put({again}).ok());
  auto got = store.Get(a.fingerprint());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->starts_at, kT0);
  EXPECT_EQ(got->ends_at, kT0 + absl::Minutes(6));
  EXPECT_EQ(got->updated_at, kT0 + absl::Minutes(1));
  EXPECT_EQ(store.List().size(), 1u);
  EXPECT_FALSE(store.Get(12345).has_value());
}

TEST_F(AlertStoreTest, NonOverlappingVersionReplaces) {
  AlertStore store(clock_, &marker_, 0);
  Alert a = MakeAlert({{"alertname", "A"}}, kT0, kT0 + absl::Minutes(5), kT0);
  ASSERT_TRUE(store.Put({a}).ok());
  clock_->Advance(absl::Hours(1));
  // A new occurrence after the old one ended.
  Alert b = MakeAlert({{"alertname", "A"}}, kT0 + absl::Hours(1), kT0 + absl::Hours(2), kT0 + absl::Hours(1));
  ASSERT_TRUE(store.Put({b}).ok());
  EXPECT_EQ(store.Get(a.fingerprint())->starts_at, kT0 + absl::Hours(1));
}

TEST_F(AlertStoreTest, BoundedStoreRefusesNewFingerprints) {
  AlertStore store(clock_, &marker_, 2);
  auto mk = [](const char* n) { return MakeAlert({{"alertname", n}}, kT0, kT0 + absl::Minutes(5), kT0); };
  absl::Status st = store.Put({mk("A"), mk("B"), mk("C")});
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(store.size(), 2u);
  // Updates of stored alerts are still accepted.
  EXPECT_TRUE(store.Put({mk("A")}).ok());
}

TEST_F(AlertStoreTest, GCDeletesResolvedAlertsAndTheirMarks) {
  AlertStore store(clock_, &marker_, 0);
  Alert firing = MakeAlert({{"alertname", "F"}}, kT0, kT0 + absl::Hours(1), kT0);
  Alert resolving = MakeAlert({{"alertname", "R"}}, kT0, kT0 + absl::Minutes(1), kT0);
  ASSERT_TRUE(store.Put({firing, resolving}).ok());
  marker_.SetSilenced(resolving.fingerprint(), {"s1"});
  marker_.SetActive(firing.fingerprint());
  std::vector<uint64_t> deleted;
  store.Subscribe(AlertListener{nullptr, [&](uint64_t fp) { deleted.push_back(fp); }});
  EXPECT_TRUE(store.GC().empty());
  clock_->Advance(absl::Minutes(2));
  auto removed = store.GC();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].labels.at("alertname"), "R");
  EXPECT_EQ(deleted, std::vector<uint64_t>{resolving.fingerprint()});
  EXPECT_FALSE(store.Get(resolving.fingerprint()).has_value());
  EXPECT_EQ(marker_.Status(resolving.fingerprint()).state, AlertState::kUnprocessed);
  EXPECT_EQ(marker_.Status(firing.fingerprint()).state, AlertState::kActive);
}

TEST_F(AlertStoreTest, GCThreadRunsEveryInterval) {
  AlertStore store(clock_, &marker_, 0);
  ASSERT_TRUE(store.Put({MakeAlert({{"alertname", "R"}}, kT0, kT0 + absl::Minutes(1), kT0)}).ok());
  store.StartGC(absl::Minutes(30));
  clock_->Advance(absl::Minutes(29));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(store.size(), 1u);
  clock_->Advance(absl::Minutes(2));
  for (int i = 0; i < 2000 && store.size() != 0; ++i) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_EQ(store.size(), 0u);
  store.Stop();
}

TEST_F(AlertStoreTest, SubscribeReplaysStoredAlertsThenChanges) {
  AlertStore store(clock_, &marker_, 0);
  ASSERT_TRUE(store.Put({MakeAlert({{"alertname", "A"}}, kT0, kT0 + absl::Minutes(5), kT0)}).ok());
  std::vector<std::string> seen;
  int id = store.Subscribe(AlertListener{[&](const Alert& a) { seen.push_back(a.labels.at("alertname")); }, nullptr});
  ASSERT_TRUE(store.Put({MakeAlert({{"alertname", "B"}}, kT0, kT0 + absl::Minutes(5), kT0)}).ok());
  store.Unsubscribe(id);
  ASSERT_TRUE(store.Put({MakeAlert({{"alertname", "C"}}, kT0, kT0 + absl::Minutes(5), kT0)}).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"A", "B"}));
}

TEST_F(AlertStoreTest, AlertsMetricByState) {
  metrics::Registry reg;
  {
    AlertStore store(clock_, &marker_, 0);
    store.RegisterMetrics(&reg);
    Alert a = MakeAlert({{"alertname", "A"}}, kT0, kT0 + absl::Hours(1), kT0);
    Alert b = MakeAlert({{"alertname", "B"}}, kT0, kT0 + absl::Hours(1), kT0);
    Alert c = MakeAlert({{"alertname", "C"}}, kT0, kT0 + absl::Hours(1), kT0);
    Alert gone = MakeAlert({{"alertname", "D"}}, kT0 - absl::Hours(1), kT0, kT0);
    ASSERT_TRUE(store.Put({a, b, c, gone}).ok());
    marker_.SetSilenced(a.fingerprint(), {"s"});
    marker_.SetActive(b.fingerprint());
    std::string text;
    reg.WriteText(&text);
    EXPECT_NE(text.find("alertmanager_alerts{state=\"active\"} 1"), std::string::npos) << text;
    EXPECT_NE(text.find("alertmanager_alerts{state=\"suppressed\"} 1"), std::string::npos);
    EXPECT_NE(text.find("alertmanager_alerts{state=\"unprocessed\"} 1"), std::string::npos);
  }
  std::string after;
  reg.WriteText(&after);
  EXPECT_EQ(after.find("alertmanager_alerts"), std::string::npos);
}

TEST(Marker, RefreshStatusAsksBothMuters) {
  struct ByName : Muter {
    std::string name, id;
    ByName(std::string n, std::string i) : name(std::move(n)), id(std::move(i)) {}
    std::vector<std::string> MutedBy(const LabelSet& l, absl::Time) override {
      return l.count("alertname") && l.at("alertname") == name ? std::vector<std::string>{id} : std::vector<std::string>{};
    }
  };
  ByName inhibitor("I", "00000000000000aa"), silences("S", "s1");
  Marker m;
  LabelSet i = {{"alertname", "I"}}, s = {{"alertname", "S"}}, o = {{"alertname", "O"}};
  EXPECT_TRUE(RefreshStatus(&m, &inhibitor, &silences, i, kT0));
  EXPECT_TRUE(RefreshStatus(&m, &inhibitor, &silences, s, kT0));
  EXPECT_FALSE(RefreshStatus(&m, &inhibitor, &silences, o, kT0));
  EXPECT_EQ(m.Status(Fingerprint(i)).inhibited_by, std::vector<std::string>{"00000000000000aa"});
  EXPECT_EQ(m.Status(Fingerprint(s)).silenced_by, std::vector<std::string>{"s1"});
  EXPECT_EQ(m.Status(Fingerprint(o)).state, AlertState::kActive);
  EXPECT_FALSE(RefreshStatus(&m, nullptr, nullptr, s, kT0));
  EXPECT_EQ(m.Status(Fingerprint(s)).state, AlertState::kActive);
}

TEST(Marker, StatesAsApiV2) {
  Marker m;
  EXPECT_EQ(m.Status(1).state, AlertState::kUnprocessed);
  m.SetSilenced(1, {});
  EXPECT_EQ(m.Status(1).state, AlertState::kActive);
  m.SetInhibited(1, {"00000000000000ab"});
  EXPECT_EQ(m.Status(1).state, AlertState::kSuppressed);
  m.SetSilenced(1, {"s1"});
  m.SetInhibited(1, {});
  AlertStatus s = m.Status(1);
  EXPECT_EQ(s.state, AlertState::kSuppressed);
  EXPECT_EQ(s.silenced_by, std::vector<std::string>{"s1"});
  EXPECT_TRUE(s.inhibited_by.empty());
  m.SetSilenced(1, {});
  EXPECT_EQ(m.Status(1).state, AlertState::kActive);
  m.SetActive(2);
  EXPECT_EQ(m.Count(AlertState::kActive), 2u);
  m.Delete(1);
  EXPECT_EQ(m.Status(1).state, AlertState::kUnprocessed);
  EXPECT_EQ(m.size(), 1u);
}

}  // namespace
}  // namespace pharos::am
