#include "alertmanager/inhibit.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace pharos::am {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Matcher Eq(const std::string& n, const std::string& v) { return Matcher::MustMake(MatchType::kEqual, n, v); }

Alert Firing(LabelSet labels, absl::Duration for_how_long = absl::Hours(1)) {
  Alert a;
  a.labels = std::move(labels);
  a.starts_at = kT0;
  a.ends_at = kT0 + for_how_long;
  a.updated_at = kT0;
  return a;
}

class InhibitTest : public ::testing::Test {
 protected:
  InhibitRule CriticalInhibitsWarning(std::vector<std::string> equal) {
    InhibitRule r;
    r.source_matchers = {Eq("severity", "critical")};
    r.target_matchers = {Eq("severity", "warning")};
    r.equal = std::move(equal);
    return r;
  }
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kT0);
  AlertStore store_{clock_, nullptr, 0};
};

TEST_F(InhibitTest, FiringSourceInhibitsMatchingTargetWithEqualLabels) {
  Inhibitor ih({CriticalInhibitsWarning({"cluster"})}, &store_);
  Alert src = Firing({{"alertname", "Down"}, {"severity", "critical"}, {"cluster", "a"}});
  ASSERT_TRUE(store_.Put({src}).ok());
  EXPECT_EQ(ih.MutedBy({{"alertname", "Slow"}, {"severity", "warning"}, {"cluster", "a"}}, kT0),
            std::vector<std::string>{FingerprintHex(src.fingerprint())});
  // Different cluster, or not a target.
  EXPECT_TRUE(ih.MutedBy({{"alertname", "Slow"}, {"severity", "warning"}, {"cluster", "b"}}, kT0).empty());
  EXPECT_TRUE(ih.MutedBy({{"alertname", "Slow"}, {"severity", "info"}, {"cluster", "a"}}, kT0).empty());
}

TEST_F(InhibitTest, MissingEqualLabelEqualsEmpty) {
  Inhibitor ih({CriticalInhibitsWarning({"cluster"})}, &store_);
  ASSERT_TRUE(store_.Put({Firing({{"alertname", "Down"}, {"severity", "critical"}})}).ok());
  EXPECT_FALSE(ih.MutedBy({{"alertname", "Slow"}, {"severity", "warning"}}, kT0).empty());
  EXPECT_FALSE(ih.MutedBy({{"alertname", "Slow"}, {"severity", "warning"}, {"cluster", ""}}, kT0).empty());
  EXPECT_TRUE(ih.MutedBy({{"alertname", "Slow"}, {"severity", "warning"}, {"cluster", "x"}}, kT0).empty());
}

TEST_F(InhibitTest, ResolvedSourceDoesNotInhibit) {
  Inhibitor ih({CriticalInhibitsWarning({})}, &store_);
  ASSERT_TRUE(store_.Put({Firing({{"alertname", "Down"}, {"severity", "critical"}}, absl::Minutes(5))}).ok());
  LabelSet target = {{"alertname", "Slow"}, {"severity", "warning"}};
  EXPECT_FALSE(ih.MutedBy(target, kT0 + absl::Minutes(4)).empty());
  EXPECT_TRUE(ih.MutedBy(target, kT0 + absl::Minutes(5)).empty());
  // Deleted by the store's GC: gone for good.
  clock_->Advance(absl::Minutes(6));
  store_.GC();
  EXPECT_TRUE(ih.MutedBy(target, kT0).empty());
}

TEST_F(InhibitTest, AlertMatchingBothSidesDoesNotInhibitItself) {
  InhibitRule r;
  r.source_matchers = {Eq("alertname", "Noisy")};
  r.target_matchers = {Eq("alertname", "Noisy")};
  r.equal = {"cluster"};
  Inhibitor ih({r}, &store_);
  Alert a = Firing({{"alertname", "Noisy"}, {"cluster", "a"}, {"instance", "1"}});
  ASSERT_TRUE(store_.Put({a}).ok());
  EXPECT_TRUE(ih.MutedBy(a.labels, kT0).empty());
  // Another alert matching both sides is not inhibited by it either.
  EXPECT_TRUE(ih.MutedBy({{"alertname", "Noisy"}, {"cluster", "a"}, {"instance", "2"}}, kT0).empty());
}

TEST_F(InhibitTest, TwoSidedTargetIsInhibitedByOneSidedSource) {
  InhibitRule r;
  r.source_matchers = {Eq("team", "db")};
  r.target_matchers = {Eq("severity", "warning")};
  Inhibitor ih({r}, &store_);
  // Matches both sides: does not count as a source for targets that match both.
  ASSERT_TRUE(store_.Put({Firing({{"alertname", "X"}, {"team", "db"}, {"severity", "warning"}})}).ok());
  LabelSet both = {{"alertname", "Y"}, {"team", "db"}, {"severity", "warning"}};
  EXPECT_TRUE(ih.MutedBy(both, kT0).empty());
  // A source matching only the source side inhibits it.
  Alert src = Firing({{"alertname", "Z"}, {"team", "db"}, {"severity", "critical"}});
  ASSERT_TRUE(store_.Put({src}).ok());
  EXPECT_EQ(ih.MutedBy(both, kT0), std::vector<std::string>{FingerprintHex(src.fingerprint())});
}

TEST_F(InhibitTest, SeesAlertsStoredBeforeItStarted) {
  Alert src = Firing({{"alertname", "Down"}, {"severity", "critical"}});
  ASSERT_TRUE(store_.Put({src}).ok());
  Inhibitor ih({CriticalInhibitsWarning({})}, &store_);
  EXPECT_FALSE(ih.MutedBy({{"severity", "warning"}}, kT0).empty());
  ih.Stop();
}

}  // namespace
}  // namespace pharos::am
