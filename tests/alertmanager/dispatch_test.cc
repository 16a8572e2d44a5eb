#include "alertmanager/dispatch.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace pharos::am {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Matcher Eq(const std::string& n, const std::string& v) { return Matcher::MustMake(MatchType::kEqual, n, v); }

// Records every flush; flushes for receivers in `blocked` wait until Release().
class FakeStage : public Stage {
 public:
  absl::Status Exec(const FlushRequest& req) override {
    absl::MutexLock lock(&mu_);
    requests_.push_back(req);
    while (blocked_.count(req.ctx.receiver) > 0 && !released_) cv_.Wait(&mu_);
    return fail_ ? absl::UnavailableError("receiver down") : absl::OkStatus();
  }
  void Block(const std::string& receiver) {
    absl::MutexLock lock(&mu_);
    blocked_.insert(receiver);
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
    cv_.SignalAll();
  }
  void SetFail(bool f) {
    absl::MutexLock lock(&mu_);
    fail_ = f;
  }
  std::vector<FlushRequest> Requests(const std::string& receiver = "") {
    absl::MutexLock lock(&mu_);
    std::vector<FlushRequest> out;
    for (const auto& r : requests_) {
      if (receiver.empty() || r.ctx.receiver == receiver) out.push_back(r);
    }
    return out;
  }
  // Waits (real time, up to 5s) until `n` flushes for `receiver` were seen.
  bool WaitFor(size_t n, const std::string& receiver = "") {
    for (int i = 0; i < 5000; ++i) {
      if (Requests(receiver).size() >= n) return true;
      absl::SleepFor(absl::Milliseconds(1));
    }
    return false;
  }

 private:
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<FlushRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> blocked_ ABSL_GUARDED_BY(mu_);
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  bool fail_ ABSL_GUARDED_BY(mu_) = false;
};

// A pause long enough for the dispatcher's threads to act on a clock change.
void Settle() { absl::SleepFor(absl::Milliseconds(30)); }

Alert MakeAlert(LabelSet labels, absl::Time starts, absl::Duration lasts = absl::Hours(1)) {
  Alert a;
  a.labels = std::move(labels);
  a.starts_at = starts;
  a.ends_at = starts + lasts;
  return a;
}

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_.receiver = "default";
    cfg_.group_by = {"alertname"};
    cfg_.group_wait = absl::Seconds(30);
    cfg_.group_interval = absl::Minutes(5);
    cfg_.repeat_interval = absl::Hours(4);
  }
  void StartDispatcher() {
    root_ = RouteNode::Build(cfg_);
    dispatcher_ = std::make_unique<Dispatcher>(root_.get(), &store_, &stage_, clock_, opts_);
    dispatcher_->Start();
  }
  void TearDown() override {
    stage_.Release();
    if (dispatcher_) dispatcher_->Stop();
  }
  void Put(std::vector<Alert> alerts) {
    for (Alert& a : alerts) a.updated_at = clock_->Now();
    ASSERT_TRUE(store_.Put(alerts).ok());
  }

  Route cfg_;
  DispatcherOptions opts_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kT0);
  AlertStore store_{clock_, nullptr, 0};
  FakeStage stage_;
  std::unique_ptr<RouteNode> root_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatchTest, GroupsAlertsAndFlushesAfterGroupWait) {
  StartDispatcher();
  Put({MakeAlert({{"alertname", "A"}, {"instance", "2"}}, kT0), MakeAlert({{"alertname", "A"}, {"instance", "1"}}, kT0),
       MakeAlert({{"alertname", "B"}}, kT0)});
  clock_->Advance(absl::Seconds(29));
  Settle();
  EXPECT_TRUE(stage_.Requests().empty());
  clock_->Advance(absl::Seconds(1));
  ASSERT_TRUE(stage_.WaitFor(2));
  Settle();
  auto reqs = stage_.Requests();
  ASSERT_EQ(reqs.size(), 2u);
  const FlushRequest* a = reqs[0].ctx.group_labels.at("alertname") == "A" ? &reqs[0] : &reqs[1];
  EXPECT_EQ(a->ctx.group_key, "{}:{alertname=\"A\"}");
  EXPECT_EQ(a->ctx.receiver, "default");
  EXPECT_EQ(a->ctx.repeat_interval, absl::Hours(4));
  EXPECT_EQ(a->ctx.now, kT0 + absl::Seconds(30));
  EXPECT_EQ(a->timeout, absl::Minutes(5));
  ASSERT_EQ(a->alerts.size(), 2u);
  // Sorted by instance; firing alerts go out without an end.
  EXPECT_EQ(a->alerts[0].labels.at("instance"), "1");
  EXPECT_EQ(a->alerts[1].labels.at("instance"), "2");
  EXPECT_EQ(a->alerts[0].ends_at, absl::InfinitePast());
  EXPECT_EQ(dispatcher_->group_count(), 2u);
}

TEST_F(DispatchTest, OldAlertFlushesAtOnce) {
  StartDispatcher();
  Put({MakeAlert({{"alertname", "A"}}, kT0 - absl::Minutes(1))});
  ASSERT_TRUE(stage_.WaitFor(1));
  EXPECT_EQ(stage_.Requests()[0].ctx.now, kT0);
}

TEST_F(DispatchTest, ExistingAlertsAreDispatchedOnStart) {
  Put({MakeAlert({{"alertname", "A"}}, kT0 - absl::Minutes(10))});
  StartDispatcher();
  ASSERT_TRUE(stage_.WaitFor(1));
  EXPECT_EQ(stage_.Requests()[0].alerts.size(), 1u);
}

TEST_F(DispatchTest, FlushesEveryGroupInterval) {
  StartDispatcher();
  Put({MakeAlert({{"alertname", "A"}, {"i", "1"}}, kT0)});
  clock_->Advance(absl::Seconds(30));
  ASSERT_TRUE(stage_.WaitFor(1));
  clock_->Advance(absl::Minutes(1));
  Put({MakeAlert({{"alertname", "A"}, {"i", "2"}}, clock_->Now())});
  // A new alert in a group that has flushed waits for group_interval, not group_wait.
  clock_->Advance(absl::Minutes(3) + absl::Seconds(59));
  Settle();
  EXPECT_EQ(stage_.Requests().size(), 1u);
  clock_->Advance(absl::Seconds(1));
  ASSERT_TRUE(stage_.WaitFor(2));
  EXPECT_EQ(stage_.Requests()[1].alerts.size(), 2u);
  EXPECT_EQ(stage_.Requests()[1].ctx.now, kT0 + absl::Seconds(30) + absl::Minutes(5));
  clock_->Advance(absl::Minutes(5));
  ASSERT_TRUE(stage_.WaitFor(3));
}

TEST_F(DispatchTest, ResolvedAlertsLeaveTheGroupAfterASuccessfulFlush) {
  StartDispatcher();
  Alert a = MakeAlert({{"alertname", "A"}}, kT0);
  Put({a});
  clock_->Advance(absl::Seconds(30));
  ASSERT_TRUE(stage_.WaitFor(1));
  // Resolved one minute later.
  clock_->Advance(absl::Minutes(1));
  a.ends_at = clock_->Now();
  Put({a});
  stage_.SetFail(true);
  clock_->Advance(absl::Minutes(4));
  ASSERT_TRUE(stage_.WaitFor(2));
  FlushRequest second = stage_.Requests()[1];
  ASSERT_EQ(second.alerts.size(), 1u);
  EXPECT_EQ(second.alerts[0].ends_at, kT0 + absl::Seconds(90));  // resolved alerts keep their end
  Settle();
  // The flush failed: the resolved alert stays for the next one.
  EXPECT_EQ(dispatcher_->Groups().groups.size(), 1u);
  stage_.SetFail(false);
  clock_->Advance(absl::Minutes(5));
  ASSERT_TRUE(stage_.WaitFor(3));
  Settle();
  EXPECT_TRUE(dispatcher_->Groups().groups.empty());
  // The empty group goes at the next cleanup; nothing more is flushed.
  clock_->Advance(absl::Minutes(5));
  Settle();
  EXPECT_EQ(dispatcher_->group_count(), 0u);
  EXPECT_EQ(stage_.Requests().size(), 3u);
}

TEST_F(DispatchTest, ContinueRoutesMakeOneGroupPerRoute) {
  auto team = std::make_unique<Route>();
  team->receiver = "team";
  team->matchers = {Eq("team", "db")};
  team->continue_matching = true;
  team->group_by = {"alertname"};  // inherited, as the loader fills it in
  team->group_wait = absl::Seconds(30);
  team->group_interval = absl::Minutes(5);
  auto pager = std::make_unique<Route>();
  pager->receiver = "pager";
  pager->matchers = {Eq("severity", "critical")};
  pager->group_by = {"alertname"};
  pager->group_wait = absl::Seconds(10);
  pager->group_interval = absl::Minutes(5);
  cfg_.routes.push_back(std::move(team));
  cfg_.routes.push_back(std::move(pager));
  StartDispatcher();
  Alert a = MakeAlert({{"alertname", "A"}, {"team", "db"}, {"severity", "critical"}}, kT0);
  Put({a});
  clock_->Advance(absl::Seconds(10));
  ASSERT_TRUE(stage_.WaitFor(1, "pager"));
  Settle();
  EXPECT_TRUE(stage_.Requests("team").empty());
  EXPECT_EQ(stage_.Requests("pager")[0].ctx.group_key, "{}/{severity=\"critical\"}:{alertname=\"A\"}");
  clock_->Advance(absl::Seconds(20));
  ASSERT_TRUE(stage_.WaitFor(1, "team"));
  EXPECT_EQ(stage_.Requests("team")[0].ctx.group_key, "{}/{team=\"db\"}:{alertname=\"A\"}");

  AlertGroups groups = dispatcher_->Groups();
  ASSERT_EQ(groups.groups.size(), 2u);
  EXPECT_EQ(groups.groups[0].receiver, "pager");  // same labels: by receiver
  EXPECT_EQ(groups.groups[1].receiver, "team");
  EXPECT_EQ(groups.groups[0].labels, (LabelSet{{"alertname", "A"}}));
  EXPECT_EQ(groups.groups[0].route_id, "{}/{severity=\"critical\"}/1");
  EXPECT_EQ(groups.receivers.at(a.fingerprint()), (std::vector<std::string>{"pager", "team"}));
  // Filters.
  EXPECT_EQ(dispatcher_->Groups([](const RouteNode& r) { return r.opts().receiver == "team"; }).groups.size(), 1u);
  EXPECT_TRUE(dispatcher_->Groups(nullptr, [](const Alert&, absl::Time) { return false; }).groups.empty());
}

TEST_F(DispatchTest, GroupByAllMakesAGroupPerLabelSet) {
  cfg_.group_by.clear();
  cfg_.group_by_all = true;
  StartDispatcher();
  Put({MakeAlert({{"alertname", "A"}, {"i", "1"}}, kT0), MakeAlert({{"alertname", "A"}, {"i", "2"}}, kT0)});
  clock_->Advance(absl::Seconds(30));
  ASSERT_TRUE(stage_.WaitFor(2));
  std::set<std::string> keys;
  for (const auto& r : stage_.Requests()) {
    keys.insert(r.ctx.group_key);
    EXPECT_EQ(r.alerts.size(), 1u);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"{}:{alertname=\"A\", i=\"1\"}", "{}:{alertname=\"A\", i=\"2\"}"}));
}

TEST_F(DispatchTest, SlowReceiverDoesNotDelayOtherGroups) {
  auto slow = std::make_unique<Route>();
  slow->receiver = "slow";
  slow->matchers = {Eq("team", "slow")};
  slow->group_wait = absl::Seconds(30);
  slow->group_interval = absl::Minutes(5);
  cfg_.routes.push_back(std::move(slow));
  stage_.Block("slow");
  StartDispatcher();
  Put({MakeAlert({{"alertname", "S"}, {"team", "slow"}}, kT0), MakeAlert({{"alertname", "F"}}, kT0)});
  clock_->Advance(absl::Seconds(30));
  ASSERT_TRUE(stage_.WaitFor(1, "slow"));
  ASSERT_TRUE(stage_.WaitFor(1, "default"));
  // Two more intervals: the fast group keeps flushing, the slow group has
  // one flush in flight and does not start another.
  clock_->Advance(absl::Minutes(5));
  ASSERT_TRUE(stage_.WaitFor(2, "default"));
  clock_->Advance(absl::Minutes(5));
  ASSERT_TRUE(stage_.WaitFor(3, "default"));
  Settle();
  EXPECT_EQ(stage_.Requests("slow").size(), 1u);
  // Released late: it flushes again at once, being overdue.
  stage_.Release();
  ASSERT_TRUE(stage_.WaitFor(2, "slow"));
}

TEST_F(DispatchTest, ConcurrentFlushesAreCapped) {
  auto slow = std::make_unique<Route>();
  slow->receiver = "slow";
  slow->matchers = {Eq("team", "slow")};
  slow->group_wait = absl::Seconds(10);
  slow->group_interval = absl::Minutes(5);
  cfg_.routes.push_back(std::move(slow));
  opts_.max_concurrent_flushes = 1;
  stage_.Block("slow");
  StartDispatcher();
  Put({MakeAlert({{"alertname", "S"}, {"team", "slow"}}, kT0), MakeAlert({{"alertname", "F"}}, kT0)});
  clock_->Advance(absl::Seconds(10));
  ASSERT_TRUE(stage_.WaitFor(1, "slow"));
  clock_->Advance(absl::Seconds(20));
  Settle();
  // The only slot is taken by the hanging flush.
  EXPECT_TRUE(stage_.Requests("default").empty());
  stage_.Release();
  ASSERT_TRUE(stage_.WaitFor(1, "default"));
  EXPECT_EQ(stage_.Requests("default")[0].ctx.now, kT0 + absl::Seconds(30));
}

TEST_F(DispatchTest, StopEndsTheDispatcher) {
  StartDispatcher();
  Put({MakeAlert({{"alertname", "A"}}, kT0)});
  dispatcher_->Stop();
  clock_->Advance(absl::Minutes(1));
  Settle();
  EXPECT_TRUE(stage_.Requests().empty());
  // Alerts stored after Stop do not reach it.
  Put({MakeAlert({{"alertname", "B"}}, kT0 - absl::Hours(1))});
  Settle();
  EXPECT_TRUE(stage_.Requests().empty());
}

TEST(SortAlerts, JobThenInstanceThenLabels) {
  auto mk = [](LabelSet l) {
    Alert a;
    a.labels = std::move(l);
    return a;
  };
  std::vector<Alert> v = {mk({{"x", "1"}}), mk({{"job", "b"}}), mk({{"job", "a"}, {"instance", "2"}}),
                          mk({{"job", "a"}, {"instance", "1"}}), mk({{"a", "1"}, {"b", "1"}}), mk({{"instance", "0"}})};
  SortAlerts(&v);
  std::vector<LabelSet> got;
  for (const auto& a : v) got.push_back(a.labels);
  std::vector<LabelSet> want = {{{"job", "a"}, {"instance", "1"}},
                                {{"job", "a"}, {"instance", "2"}},
                                {{"job", "b"}},
                                {{"instance", "0"}},
                                {{"x", "1"}},
                                {{"a", "1"}, {"b", "1"}}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(LabelSetBefore({{"a", "1"}}, {{"a", "2"}}));
  EXPECT_TRUE(LabelSetBefore({{"b", "1"}}, {{"a", "1"}}));  // lacks the smaller name
  EXPECT_FALSE(LabelSetBefore({{"a", "1"}}, {{"a", "1"}}));
}

}  // namespace
}  // namespace pharos::am
