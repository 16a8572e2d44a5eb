#include "alertmanager/pipeline.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "alertmanager/dispatch.h"
#include "alertmanager/inhibit.h"
#include "alertmanager/route.h"
#include "common/metrics/registry.h"

namespace pharos::am {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Matcher Eq(const std::string& n, const std::string& v) { return Matcher::MustMake(MatchType::kEqual, n, v); }

// Waits (real time, up to 5s) for `pred`.
template <typename F>
bool Eventually(F pred) {
  for (int i = 0; i < 5000; ++i) {
    if (pred()) return true;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return pred();
}

class FakeNflog : public NotificationLog {
 public:
  explicit FakeNflog(std::shared_ptr<Clock> clock) : clock_(std::move(clock)) {}
  std::optional<NflogEntry> Query(const ReceiverKey& r, const std::string& group_key) override {
    absl::MutexLock lock(&mu_);
    ++queries_;
    auto it = entries_.find(Key(r, group_key));
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  absl::Status Log(const ReceiverKey& r, const std::string& group_key, const std::vector<uint64_t>& firing,
                   const std::vector<uint64_t>& resolved, absl::Duration expiry) override {
    absl::MutexLock lock(&mu_);
    NflogEntry e;
    e.group_key = group_key;
    e.receiver = r;
    e.timestamp = clock_->Now();
    e.firing_alerts = firing;
    e.resolved_alerts = resolved;
    e.expires_at = e.timestamp + expiry;
    entries_[Key(r, group_key)] = e;
    ++logs_;
    return absl::OkStatus();
  }
  std::optional<NflogEntry> Entry(const ReceiverKey& r, const std::string& group_key) {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(Key(r, group_key));
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  int queries() {
    absl::MutexLock lock(&mu_);
    return queries_;
  }
  int logs() {
    absl::MutexLock lock(&mu_);
    return logs_;
  }

 private:
  static std::string Key(const ReceiverKey& r, const std::string& g) {
    return absl::StrCat(r.group_name, "/", r.integration, "/", r.idx, "/", g);
  }
  std::shared_ptr<Clock> clock_;
  absl::Mutex mu_;
  std::map<std::string, NflogEntry> entries_ ABSL_GUARDED_BY(mu_);
  int queries_ ABSL_GUARDED_BY(mu_) = 0;
  int logs_ ABSL_GUARDED_BY(mu_) = 0;
};

// Answers Notify() from a script of results (OK once the script is used up);
// records the alerts of every call; can hang until Release().
class FakeIntegration : public Integration {
 public:
  FakeIntegration(std::string receiver, std::string kind, bool send_resolved)
      : key_{std::move(receiver), std::move(kind), 0}, send_resolved_(send_resolved) {}
  const ReceiverKey& key() const override { return key_; }
  bool SendResolved() const override { return send_resolved_; }
  Result Notify(const NotifyContext& ctx, const std::vector<Alert>& alerts) override {
    absl::MutexLock lock(&mu_);
    calls_.push_back(alerts);
    contexts_.push_back(ctx);
    while (hang_) cv_.Wait(&mu_);
    if (script_.empty()) return Result{};
    Result r = script_.front();
    script_.pop_front();
    return r;
  }
  void Script(std::vector<Result> rs) {
    absl::MutexLock lock(&mu_);
    script_.assign(rs.begin(), rs.end());
  }
  void Hang(bool h) {
    absl::MutexLock lock(&mu_);
    hang_ = h;
    cv_.SignalAll();
  }
  std::vector<std::vector<Alert>> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::vector<NotifyContext> contexts() {
    absl::MutexLock lock(&mu_);
    return contexts_;
  }
  size_t ncalls() { return calls().size(); }

 private:
  ReceiverKey key_;
  bool send_resolved_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<Result> script_ ABSL_GUARDED_BY(mu_);
  std::vector<std::vector<Alert>> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<NotifyContext> contexts_ ABSL_GUARDED_BY(mu_);
  bool hang_ ABSL_GUARDED_BY(mu_) = false;
};

// Mutes alerts by alertname.
class FakeMuter : public Muter {
 public:
  FakeMuter(const std::string& name, std::vector<std::string> ids) { by_name_[name] = std::move(ids); }
  std::vector<std::string> MutedBy(const LabelSet& labels, absl::Time) override {
    auto n = labels.find("alertname");
    if (n == labels.end()) return {};
    auto it = by_name_.find(n->second);
    return it == by_name_.end() ? std::vector<std::string>{} : it->second;
  }

 private:
  std::map<std::string, std::vector<std::string>> by_name_;
};

Alert Firing(const std::string& name) {
  Alert a;
  a.labels = {{"alertname", name}};
  a.starts_at = kT0 - absl::Minutes(1);
  a.ends_at = absl::InfinitePast();  // as the dispatcher sends firing alerts
  a.updated_at = kT0;
  return a;
}

Alert Resolved(const std::string& name, absl::Time at) {
  Alert a = Firing(name);
  a.ends_at = at;
  return a;
}

FlushRequest Req(std::vector<Alert> alerts, absl::Time now, const std::string& receiver = "team") {
  FlushRequest r;
  r.ctx.receiver = receiver;
  r.ctx.group_key = "{}:{}";
  r.ctx.repeat_interval = absl::Hours(4);
  r.ctx.now = now;
  r.timeout = absl::Minutes(5);
  r.alerts = std::move(alerts);
  return r;
}

class PipelineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pipeline> Make(std::vector<std::shared_ptr<Integration>> integrations, Muter* inhibitor = nullptr,
                                 Muter* silences = nullptr, std::shared_ptr<Clock> clock = nullptr,
                                 PipelineOptions opts = {}) {
    if (clock == nullptr) clock = clock_;
    ReceiverIntegrations recv;
    recv["team"] = std::move(integrations);
    return std::make_unique<Pipeline>(recv, inhibitor, silences, &marker_, &nflog_, intervals_, clock, opts);
  }
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kT0);
  FakeNflog nflog_{clock_};
  Marker marker_;
  TimeIntervalFn intervals_ = [](const std::string& name, absl::Time) -> absl::StatusOr<bool> {
    if (name == "always") return true;
    if (name == "never") return false;
    return absl::NotFoundError(name);
  };
  const ReceiverKey webhook_{"team", "webhook", 0};
};

TEST_F(PipelineTest, SendsAndLogs) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  auto p = Make({w});
  FlushRequest req = Req({Firing("A"), Firing("B")}, kT0);
  req.ctx.group_labels = {{"alertname", "A"}};
  ASSERT_TRUE(p->Exec(req).ok());
  ASSERT_EQ(w->ncalls(), 1u);
  EXPECT_EQ(w->calls()[0].size(), 2u);
  EXPECT_EQ(w->contexts()[0].group_key, "{}:{}");
  EXPECT_EQ(w->contexts()[0].group_labels, req.ctx.group_labels);
  auto e = nflog_.Entry(webhook_, "{}:{}");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->firing_alerts, (std::vector<uint64_t>{Firing("A").fingerprint(), Firing("B").fingerprint()}));
  EXPECT_TRUE(e->resolved_alerts.empty());
  EXPECT_EQ(e->expires_at, kT0 + absl::Hours(8));
  EXPECT_EQ(marker_.Status(Firing("A").fingerprint()).state, AlertState::kActive);
}

TEST_F(PipelineTest, DedupFollowsNeedsUpdate) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  auto quiet = std::make_shared<FakeIntegration>("team", "email", false);
  auto p = Make({w, quiet});
  auto exec = [&](std::vector<Alert> alerts) {
    ASSERT_TRUE(p->Exec(Req(std::move(alerts), clock_->Now())).ok());
  };
  // Nothing sent yet and only resolved alerts: nothing to say.
  exec({Resolved("A", kT0)});
  EXPECT_EQ(w->ncalls(), 0u);
  EXPECT_EQ(nflog_.logs(), 0);

  exec({Firing("A")});
  EXPECT_EQ(w->ncalls(), 1u);
  EXPECT_EQ(quiet->ncalls(), 1u);
  // Unchanged within repeat_interval: nothing.
  clock_->Advance(absl::Minutes(5));
  exec({Firing("A")});
  EXPECT_EQ(w->ncalls(), 1u);
  // A new firing alert: both send.
  exec({Firing("A"), Firing("B")});
  EXPECT_EQ(w->ncalls(), 2u);
  EXPECT_EQ(quiet->ncalls(), 2u);
  // B resolves: only the integration that sends resolved alerts hears of it,
  // with the resolved alert; the other gets nothing.
  clock_->Advance(absl::Minutes(5));
  exec({Firing("A"), Resolved("B", clock_->Now())});
  ASSERT_EQ(w->ncalls(), 3u);
  EXPECT_EQ(w->calls()[2].size(), 2u);
  EXPECT_EQ(quiet->ncalls(), 2u);
  // A firing subset of what was sent is no news.
  exec({Firing("A")});
  EXPECT_EQ(w->ncalls(), 3u);
  // Exactly repeat_interval after its last notification is not yet "more
  // than" for the webhook; the quiet one was last notified 5m earlier.
  clock_->Advance(absl::Hours(4));
  exec({Firing("A")});
  EXPECT_EQ(w->ncalls(), 3u);
  EXPECT_EQ(quiet->ncalls(), 3u);
  clock_->Advance(absl::Seconds(1));
  exec({Firing("A")});
  EXPECT_EQ(w->ncalls(), 4u);
  EXPECT_EQ(quiet->ncalls(), 3u);
  // All resolved: the send_resolved one is told; the other is not called
  // but its log entry forgets the firing alerts.
  exec({Resolved("A", clock_->Now())});
  EXPECT_EQ(w->ncalls(), 5u);
  EXPECT_EQ(quiet->ncalls(), 3u);
  auto qe = nflog_.Entry({"team", "email", 0}, "{}:{}");
  ASSERT_TRUE(qe.has_value());
  EXPECT_TRUE(qe->firing_alerts.empty());
  EXPECT_EQ(qe->resolved_alerts, std::vector<uint64_t>{Firing("A").fingerprint()});
  // Resolved again with nothing firing in the last notification: silence.
  exec({Resolved("A", clock_->Now())});
  EXPECT_EQ(w->ncalls(), 5u);
}

TEST_F(PipelineTest, ResolvedAlertsAreFilteredUnlessSendResolved) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  auto e = std::make_shared<FakeIntegration>("team", "email", false);
  auto p = Make({w, e});
  ASSERT_TRUE(p->Exec(Req({Firing("A"), Resolved("B", kT0)}, kT0)).ok());
  ASSERT_EQ(w->ncalls(), 1u);
  ASSERT_EQ(e->ncalls(), 1u);
  EXPECT_EQ(w->calls()[0].size(), 2u);
  ASSERT_EQ(e->calls()[0].size(), 1u);
  EXPECT_EQ(e->calls()[0][0].labels.at("alertname"), "A");
  // Both log the full picture.
  EXPECT_EQ(nflog_.Entry({"team", "email", 0}, "{}:{}")->resolved_alerts,
            std::vector<uint64_t>{Firing("B").fingerprint()});
}

TEST_F(PipelineTest, InhibitedAndSilencedAlertsAreDroppedAndMarked) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  FakeMuter inhibitor("Inhibited", {"00000000000000aa"});
  FakeMuter silences("Silenced", {"silence-1"});
  auto p = Make({w}, &inhibitor, &silences);
  ASSERT_TRUE(p->Exec(Req({Firing("Inhibited"), Firing("Silenced"), Firing("Open")}, kT0)).ok());
  ASSERT_EQ(w->ncalls(), 1u);
  ASSERT_EQ(w->calls()[0].size(), 1u);
  EXPECT_EQ(w->calls()[0][0].labels.at("alertname"), "Open");
  AlertStatus inh = marker_.Status(Firing("Inhibited").fingerprint());
  EXPECT_EQ(inh.state, AlertState::kSuppressed);
  EXPECT_EQ(inh.inhibited_by, std::vector<std::string>{"00000000000000aa"});
  AlertStatus sil = marker_.Status(Firing("Silenced").fingerprint());
  EXPECT_EQ(sil.state, AlertState::kSuppressed);
  EXPECT_EQ(sil.silenced_by, std::vector<std::string>{"silence-1"});
  EXPECT_EQ(marker_.Status(Firing("Open").fingerprint()).state, AlertState::kActive);
  // The log only knows the alert that went out.
  EXPECT_EQ(nflog_.Entry(webhook_, "{}:{}")->firing_alerts, std::vector<uint64_t>{Firing("Open").fingerprint()});
}

TEST_F(PipelineTest, EverythingMutedSendsNothing) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  FakeMuter silences("A", {"s"});
  auto p = Make({w}, nullptr, &silences);
  EXPECT_TRUE(p->Exec(Req({Firing("A")}, kT0)).ok());
  EXPECT_EQ(w->ncalls(), 0u);
  EXPECT_EQ(nflog_.logs(), 0);
}

TEST_F(PipelineTest, TimeIntervals) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  auto p = Make({w});
  FlushRequest req = Req({Firing("A")}, kT0);
  req.active_time_intervals = {"never"};
  EXPECT_TRUE(p->Exec(req).ok());
  req.active_time_intervals = {"never", "always"};
  req.mute_time_intervals = {"always"};
  EXPECT_TRUE(p->Exec(req).ok());
  EXPECT_EQ(w->ncalls(), 0u);
  req.mute_time_intervals = {"nope"};
  EXPECT_FALSE(p->Exec(req).ok());
  req.mute_time_intervals = {"never"};
  EXPECT_TRUE(p->Exec(req).ok());
  EXPECT_EQ(w->ncalls(), 1u);
}

TEST_F(PipelineTest, UnknownReceiverFails) {
  auto p = Make({});
  EXPECT_EQ(p->Exec(Req({Firing("A")}, kT0, "other")).code(), absl::StatusCode::kNotFound);
}

PipelineOptions FastRetries(metrics::Registry* reg = nullptr) {
  PipelineOptions o;
  o.initial_backoff = absl::Milliseconds(1);
  o.max_backoff = absl::Milliseconds(5);
  o.registry = reg;
  return o;
}

TEST_F(PipelineTest, RetriesRetryableFailures) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  w->Script({{absl::UnavailableError("503"), true}, {absl::UnavailableError("503"), true}});
  metrics::Registry reg;
  auto p = Make({w}, nullptr, nullptr, RealClock(), FastRetries(&reg));
  ASSERT_TRUE(p->Exec(Req({Firing("A")}, kT0)).ok());
  EXPECT_EQ(w->ncalls(), 3u);
  EXPECT_EQ(nflog_.logs(), 1);
  std::string text;
  reg.WriteText(&text);
  EXPECT_NE(text.find("alertmanager_notification_requests_total{integration=\"webhook\"} 3"), std::string::npos)
      << text;
  EXPECT_NE(text.find("alertmanager_notification_requests_failed_total{integration=\"webhook\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("alertmanager_notifications_total{integration=\"webhook\"} 1"), std::string::npos);
}

TEST_F(PipelineTest, BacksOffOnTheClock) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  w->Script({{absl::UnavailableError("503"), true}});
  PipelineOptions o;
  o.backoff_jitter = 0;  // exactly 500ms
  auto p = Make({w}, nullptr, nullptr, clock_, o);
  absl::Status st;
  std::thread t([&] { st = p->Exec(Req({Firing("A")}, kT0)); });
  ASSERT_TRUE(Eventually([&] { return w->ncalls() == 1; }));
  // The backoff's deadline is taken before the time moves.
  ASSERT_TRUE(Eventually([&] { return clock_->Waits() > 0; }));
  clock_->Advance(absl::Milliseconds(499));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(w->ncalls(), 1u);
  clock_->Advance(absl::Milliseconds(1));
  t.join();
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(w->ncalls(), 2u);
}

TEST_F(PipelineTest, PermanentFailureIsNotRetried) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  w->Script({{absl::InvalidArgumentError("400 bad request"), false}});
  auto p = Make({w}, nullptr, nullptr, RealClock(), FastRetries());
  absl::Status st = p->Exec(Req({Firing("A")}, kT0));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(std::string(st.message()).find("400 bad request"), std::string::npos) << st;
  EXPECT_EQ(w->ncalls(), 1u);
  EXPECT_EQ(nflog_.logs(), 0);
}

TEST_F(PipelineTest, GivesUpAtTheTimeout) {
  auto w = std::make_shared<FakeIntegration>("team", "webhook", true);
  std::vector<Integration::Result> fails(100000, {absl::UnavailableError("503"), true});
  w->Script(fails);
  auto p = Make({w}, nullptr, nullptr, RealClock(), FastRetries());
  FlushRequest req = Req({Firing("A")}, kT0);
  req.timeout = absl::Milliseconds(100);
  const absl::Time start = absl::Now();
  absl::Status st = p->Exec(req);
  EXPECT_FALSE(st.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_GT(w->ncalls(), 2u);
  EXPECT_EQ(nflog_.logs(), 0);
  // No attempts once Exec has given up (at most the one under way).
  const size_t calls = w->ncalls();
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_LE(w->ncalls(), calls + 1);
}

TEST_F(PipelineTest, HangingIntegrationDoesNotHoldUpTheOthers) {
  auto hung = std::make_shared<FakeIntegration>("team", "slack", true);
  auto ok = std::make_shared<FakeIntegration>("team", "webhook", true);
  hung->Hang(true);
  auto p = Make({hung, ok}, nullptr, nullptr, RealClock(), FastRetries());
  FlushRequest req = Req({Firing("A")}, kT0);
  req.timeout = absl::Milliseconds(200);
  const absl::Time start = absl::Now();
  absl::Status st = p->Exec(req);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(std::string(st.message()).find("team/slack[0]"), std::string::npos) << st;
  EXPECT_EQ(ok->ncalls(), 1u);
  EXPECT_TRUE(nflog_.Entry(webhook_, "{}:{}").has_value());
  EXPECT_FALSE(nflog_.Entry({"team", "slack", 0}, "{}:{}").has_value());
  hung->Hang(false);
}

TEST_F(PipelineTest, CancelEndsARunningExec) {
  auto hung = std::make_shared<FakeIntegration>("team", "webhook", true);
  hung->Hang(true);
  auto p = Make({hung}, nullptr, nullptr, RealClock(), FastRetries());
  absl::Status st;
  std::thread t([&] { st = p->Exec(Req({Firing("A")}, kT0)); });
  ASSERT_TRUE(Eventually([&] { return hung->ncalls() == 1; }));
  p->Cancel();
  t.join();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(std::string(st.message()).find("canceled"), std::string::npos) << st;
  EXPECT_EQ(p->Exec(Req({Firing("A")}, kT0)).code(), absl::StatusCode::kCancelled);
  hung->Hang(false);
}

// ---- dispatcher and pipeline together ---------------------------------------

class EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_.receiver = "team";
    cfg_.group_by = {"alertname"};
    cfg_.group_wait = absl::Seconds(30);
    cfg_.group_interval = absl::Minutes(5);
    cfg_.repeat_interval = absl::Hours(1);
    root_ = RouteNode::Build(cfg_);
  }
  void Start() {
    ReceiverIntegrations recv;
    recv["team"] = {webhook_};
    recv["other"] = {other_};
    pipeline_ = std::make_unique<Pipeline>(recv, nullptr, nullptr, &marker_, &nflog_, nullptr, clock_);
    dispatcher_ = std::make_unique<Dispatcher>(root_.get(), &store_, pipeline_.get(), clock_);
    dispatcher_->Start();
  }
  void Restart() {
    pipeline_->Cancel();
    dispatcher_->Stop();
    Start();
  }
  void TearDown() override {
    webhook_->Hang(false);
    if (pipeline_) pipeline_->Cancel();
    if (dispatcher_) dispatcher_->Stop();
  }
  void Put(Alert a) {
    a.updated_at = clock_->Now();
    ASSERT_TRUE(store_.Put({a}).ok());
  }
  // Advances by `d` and waits until the dispatcher has flushed (queried the log).
  void Tick(absl::Duration d) {
    const int before = nflog_.queries();
    clock_->Advance(d);
    ASSERT_TRUE(Eventually([&] { return nflog_.queries() > before; }));
    absl::SleepFor(absl::Milliseconds(5));
  }

  Route cfg_;
  std::unique_ptr<RouteNode> root_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kT0);
  Marker marker_;
  AlertStore store_{clock_, &marker_, 0};
  FakeNflog nflog_{clock_};
  std::shared_ptr<FakeIntegration> webhook_ = std::make_shared<FakeIntegration>("team", "webhook", true);
  std::shared_ptr<FakeIntegration> other_ = std::make_shared<FakeIntegration>("other", "webhook", true);
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

Alert Started(const std::string& name, absl::Time at) {
  Alert a;
  a.labels = {{"alertname", name}};
  a.starts_at = at;
  a.ends_at = at + absl::Hours(24);
  return a;
}

TEST_F(EndToEndTest, RepeatIntervalAndResolvedNotification) {
  Start();
  Put(Started("A", kT0));
  Tick(absl::Seconds(30));
  ASSERT_TRUE(Eventually([&] { return webhook_->ncalls() == 1; }));
  // Every group_interval the group is flushed, but nothing is new until more
  // than the repeat interval (1h) has passed: at the 12th flush exactly 1h has
  // passed, so the 13th repeats (as 0.25 does).
  for (int i = 0; i < 12; ++i) Tick(absl::Minutes(5));
  EXPECT_EQ(webhook_->ncalls(), 1u);
  Tick(absl::Minutes(5));
  ASSERT_TRUE(Eventually([&] { return webhook_->ncalls() == 2; }));
  // Resolved: one notification with the resolved alert, then the group is empty.
  Alert resolved = Started("A", kT0);
  resolved.ends_at = clock_->Now();
  Put(resolved);
  Tick(absl::Minutes(5));
  ASSERT_TRUE(Eventually([&] { return webhook_->ncalls() == 3; }));
  EXPECT_EQ(webhook_->calls()[2][0].ends_at, resolved.ends_at);
  ASSERT_TRUE(Eventually([&] { return dispatcher_->Groups().groups.empty(); }));
  EXPECT_EQ(marker_.Status(resolved.fingerprint()).state, AlertState::kActive);
}

TEST_F(EndToEndTest, NoRepeatAfterRestartWithinRepeatInterval) {
  Start();
  Put(Started("A", kT0));
  Tick(absl::Seconds(30));
  ASSERT_TRUE(Eventually([&] { return webhook_->ncalls() == 1; }));
  clock_->Advance(absl::Minutes(10));
  // A new dispatcher and pipeline over the same store and log: the alert is
  // old, so its group flushes at once, and the log says it was sent.
  const int before = nflog_.queries();
  Restart();
  ASSERT_TRUE(Eventually([&] { return nflog_.queries() > before; }));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(webhook_->ncalls(), 1u);
  // Once more than the repeat interval has passed it is sent again (the
  // restart's flush was at 10m30s, the first notification at 30s).
  for (int i = 0; i < 10; ++i) Tick(absl::Minutes(5));
  EXPECT_EQ(webhook_->ncalls(), 1u);
  Tick(absl::Minutes(5));
  ASSERT_TRUE(Eventually([&] { return webhook_->ncalls() == 2; }));
}

TEST_F(EndToEndTest, RetryAfterAFailedFlush) {
  Start();
  webhook_->Script({{absl::InvalidArgumentError("400"), false}});
  Put(Started("A", kT0));
  Tick(absl::Seconds(30));
  ASSERT_TRUE(Eventually([&] { return webhook_->ncalls() == 1; }));
  EXPECT_EQ(nflog_.logs(), 0);
  // The next flush tries again (nothing was logged).
  Tick(absl::Minutes(5));
  ASSERT_TRUE(Eventually([&] { return webhook_->ncalls() == 2; }));
  ASSERT_TRUE(Eventually([&] { return nflog_.logs() == 1; }));
}

TEST_F(EndToEndTest, HangingReceiverDoesNotDelayAnotherGroup) {
  auto other = std::make_unique<Route>();
  other->receiver = "other";
  other->matchers = {Eq("team", "other")};
  other->group_by = {"alertname"};
  other->group_wait = absl::Seconds(30);
  other->group_interval = absl::Minutes(5);
  other->repeat_interval = absl::Hours(1);
  cfg_.routes.push_back(std::move(other));
  root_ = RouteNode::Build(cfg_);
  Start();
  webhook_->Hang(true);
  Put(Started("A", kT0));
  Alert b = Started("B", kT0);
  b.labels["team"] = "other";
  Put(b);
  clock_->Advance(absl::Seconds(30));
  ASSERT_TRUE(Eventually([&] { return webhook_->ncalls() == 1; }));
  ASSERT_TRUE(Eventually([&] { return other_->ncalls() == 1; }));
  // A new alert for the other group is delivered at its next flush while the
  // first receiver still hangs.
  Alert c = Started("C", kT0 + absl::Seconds(30));
  c.labels["team"] = "other";
  Put(c);
  clock_->Advance(absl::Seconds(30));
  ASSERT_TRUE(Eventually([&] { return other_->ncalls() == 2; }));
  EXPECT_EQ(webhook_->ncalls(), 1u);
}

TEST_F(EndToEndTest, InhibitionThroughTheStore) {
  InhibitRule rule;
  rule.source_matchers = {Eq("severity", "critical")};
  rule.target_matchers = {Eq("severity", "warning")};
  rule.equal = {"alertname"};
  Inhibitor inhibitor({rule}, &store_);
  ReceiverIntegrations recv;
  recv["team"] = {webhook_};
  Pipeline p(recv, &inhibitor, nullptr, &marker_, &nflog_, nullptr, clock_);
  cfg_.group_by = {"alertname", "severity"};
  root_ = RouteNode::Build(cfg_);
  Dispatcher d(root_.get(), &store_, &p, clock_);
  d.Start();
  Alert crit = Started("A", kT0);
  crit.labels["severity"] = "critical";
  Alert warn = Started("A", kT0);
  warn.labels["severity"] = "warning";
  Put(crit);
  Put(warn);
  clock_->Advance(absl::Seconds(30));
  ASSERT_TRUE(Eventually([&] { return marker_.Status(warn.fingerprint()).state == AlertState::kSuppressed; }));
  ASSERT_TRUE(Eventually([&] { return webhook_->ncalls() == 1; }));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(webhook_->ncalls(), 1u);
  EXPECT_EQ(webhook_->calls()[0][0].labels.at("severity"), "critical");
  EXPECT_EQ(marker_.Status(warn.fingerprint()).inhibited_by,
            std::vector<std::string>{FingerprintHex(crit.fingerprint())});
  p.Cancel();
  d.Stop();
}

}  // namespace
}  // namespace pharos::am
