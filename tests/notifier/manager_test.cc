#include "notifier/manager.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "config/config.h"
#include "http/server.h"

namespace pharos::notifier {
namespace {

using namespace std::chrono_literals;

// An Alertmanager stand-in on 127.0.0.1: records every POST, answers with
// `status`, and can hold requests until released.
class Recorder {
 public:
  struct Post {
    std::string path, body, content_type, authorization;
  };
  Recorder() : server_(Options()) {
    auto h = [this](http::Request& req, http::Response& res) {
      std::unique_lock<std::mutex> l(mu_);
      posts_.push_back(Post{req.path, req.body, std::string(req.Header("Content-Type")),
                            std::string(req.Header("Authorization"))});
      cv_.notify_all();
      cv_.wait(l, [this] { return !hold_; });
      res.status = status_;
    };
    server_.router().Post("/api/v2/alerts", h);
    server_.router().Post("/am/api/v2/alerts", h);
    EXPECT_TRUE(server_.Start().ok());
  }
  ~Recorder() {
    Release();
    server_.Stop(absl::Seconds(2));
  }
  static http::ServerOptions Options() {
    http::ServerOptions o;
    o.listen_address = "127.0.0.1:0";
    return o;
  }
  std::string addr() const { return absl::StrCat("127.0.0.1:", server_.port()); }
  void Hold() {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  void SetStatus(int s) {
    std::lock_guard<std::mutex> l(mu_);
    status_ = s;
  }
  // Waits until at least n posts arrived; returns them.
  std::vector<Post> WaitFor(size_t n, std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, timeout, [&] { return posts_.size() >= n; });
    return posts_;
  }

 private:
  http::Server server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Post> posts_;
  bool hold_ = false;
  int status_ = 200;
};

// A socket that completes TCP handshakes (kernel backlog) and never answers.
class Hanging {
 public:
  Hanging() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Hanging() { close(fd_); }
  std::string addr() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

config::Config Load(const std::string& yaml) {
  auto c = config::LoadString(yaml, "test.yml");
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : config::Config{};
}

Alert MakeAlert(const std::string& name, std::vector<std::pair<std::string, std::string>> more = {}) {
  Alert a;
  a.labels = std::move(more);
  a.labels.emplace_back("alertname", name);
  std::sort(a.labels.begin(), a.labels.end());
  a.annotations = {{"summary", "about " + name}};
  a.starts_at_ms = 1'700'000'000'000;
  a.ends_at_ms = 1'700'000'240'000;
  a.generator_url = "http://pharos/graph";
  return a;
}

size_t CountAlerts(const std::string& body) {
  size_t n = 0;
  for (size_t p = body.find("\"labels\":"); p != std::string::npos; p = body.find("\"labels\":", p + 1)) ++n;
  return n;
}

double MetricValue(metrics::Registry& r, const std::string& series) {
  std::string text;
  r.WriteText(&text);
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, series + " ")) return std::stod(std::string(line.substr(series.size() + 1)));
  }
  return -1;
}

TEST(NotifierManager, PostsToEveryAlertmanagerWithExternalLabelsAndPerAmRelabeling) {
  Recorder plain, prefixed;
  metrics::Registry reg;
  Manager m({.registry = &reg});
  config::Config c = Load(absl::StrCat(R"(
global:
  external_labels: {cluster: c1, severity: none}
alerting:
  alert_relabel_configs:
    - source_labels: [alertname]
      regex: Ignored
      action: drop
  alertmanagers:
    - static_configs: [{targets: [')", plain.addr(), R"(']}]
      authorization: {credentials: s3cret}
    - path_prefix: /am/
      timeout: 2s
      static_configs: [{targets: [')", prefixed.addr(), R"(']}]
      alert_relabel_configs:
        - source_labels: [alertname]
          regex: OnlyFirst
          action: drop
)"));
  m.ApplyConfig(c.global.external_labels, c.alerting);
  EXPECT_EQ(m.ActiveAlertmanagers(),
            (std::vector<std::string>{absl::StrCat("http://", plain.addr(), "/api/v2/alerts"),
                                      absl::StrCat("http://", prefixed.addr(), "/am/api/v2/alerts")}));
  m.Send({MakeAlert("Hot", {{"severity", "page"}}), MakeAlert("Ignored"), MakeAlert("OnlyFirst")});

  auto p1 = plain.WaitFor(1);
  ASSERT_EQ(p1.size(), 1u);
  EXPECT_EQ(p1[0].path, "/api/v2/alerts");
  EXPECT_EQ(p1[0].content_type, "application/json");
  EXPECT_EQ(p1[0].authorization, "Bearer s3cret");
  EXPECT_EQ(CountAlerts(p1[0].body), 2u);
  EXPECT_TRUE(absl::StrContains(
      p1[0].body, R"({"labels":{"alertname":"Hot","cluster":"c1","severity":"page"},"annotations":{"summary":"about Hot"},)"
                  R"("startsAt":"2023-11-14T22:13:20.000Z","endsAt":"2023-11-14T22:17:20.000Z","generatorURL":"http://pharos/graph"})"))
      << p1[0].body;
  EXPECT_TRUE(absl::StrContains(p1[0].body, R"({"alertname":"OnlyFirst","cluster":"c1","severity":"none"})"));
  EXPECT_FALSE(absl::StrContains(p1[0].body, "Ignored"));

  auto p2 = prefixed.WaitFor(1);
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(p2[0].path, "/am/api/v2/alerts");
  EXPECT_EQ(p2[0].authorization, "");
  EXPECT_EQ(CountAlerts(p2[0].body), 1u);
  EXPECT_FALSE(absl::StrContains(p2[0].body, "OnlyFirst"));

  std::string url1 = absl::StrCat("http://", plain.addr(), "/api/v2/alerts");
  std::string url2 = absl::StrCat("http://", prefixed.addr(), "/am/api/v2/alerts");
  // The counters move once the requests have returned (after the recorder saw them).
  auto sent = [&](const std::string& url) {
    return MetricValue(reg, "prometheus_notifications_sent_total{alertmanager=\"" + url + "\"}");
  };
  for (int i = 0; i < 300 && (sent(url1) != 2 || sent(url2) != 1); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_sent_total{alertmanager=\"" + url1 + "\"}"), 2);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_sent_total{alertmanager=\"" + url2 + "\"}"), 1);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_errors_total{alertmanager=\"" + url1 + "\"}"), 0);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_latency_seconds_count{alertmanager=\"" + url1 + "\"}"), 1);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_alertmanagers_discovered"), 2);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_queue_capacity"), 10000);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_queue_length"), 0);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_dropped_total"), 0);
}

TEST(NotifierManager, PerAlertmanagerSeriesFollowDiscovery) {
  metrics::Registry reg;
  Manager m({.registry = &reg});
  auto apply = [&](const std::string& targets) {
    config::Config c = Load(absl::StrCat("alerting:\n  alertmanagers:\n    - static_configs: [{targets: [", targets,
                                         "]}]\n"));
    m.ApplyConfig(Labels(), c.alerting);
  };
  std::string text;
  reg.WriteText(&text);
  EXPECT_FALSE(absl::StrContains(text, "prometheus_notifications_sent_total")) << text;
  apply("'127.0.0.1:1', '127.0.0.1:2'");
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_sent_total{alertmanager=\"http://127.0.0.1:1/api/v2/alerts\"}"), 0);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_errors_total{alertmanager=\"http://127.0.0.1:2/api/v2/alerts\"}"), 0);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_latency_seconds_count{alertmanager=\"http://127.0.0.1:2/api/v2/alerts\"}"), 0);
  apply("'127.0.0.1:2'");
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_sent_total{alertmanager=\"http://127.0.0.1:1/api/v2/alerts\"}"), -1);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_sent_total{alertmanager=\"http://127.0.0.1:2/api/v2/alerts\"}"), 0);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_alertmanagers_discovered"), 1);
}

TEST(NotifierManager, SendsBatchesOfAtMost64) {
  Recorder am;
  Manager m({});
  config::Config c = Load(absl::StrCat("alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['", am.addr(),
                                       "']}]\n"));
  am.Hold();  // the first batch waits, so that the rest queue up behind it
  m.ApplyConfig(Labels(), c.alerting);
  m.Send({MakeAlert("first")});
  am.WaitFor(1);
  std::vector<Alert> many;
  for (int i = 0; i < 150; ++i) many.push_back(MakeAlert(absl::StrCat("a", i)));
  m.Send(many);
  EXPECT_EQ(m.QueueLength(), 150u);
  am.Release();
  auto posts = am.WaitFor(4);
  ASSERT_EQ(posts.size(), 4u);
  EXPECT_EQ(CountAlerts(posts[0].body), 1u);
  EXPECT_EQ(CountAlerts(posts[1].body), 64u);
  EXPECT_EQ(CountAlerts(posts[2].body), 64u);
  EXPECT_EQ(CountAlerts(posts[3].body), 22u);
  // In order: the last batch ends with the last alert.
  EXPECT_TRUE(absl::StrContains(posts[1].body, "\"a0\""));
  EXPECT_TRUE(absl::StrContains(posts[3].body, "\"a149\""));
}

TEST(NotifierManager, FullQueueDropsTheOldest) {
  Recorder am;
  metrics::Registry reg;
  Manager m({.queue_capacity = 5, .registry = &reg});
  config::Config c = Load(absl::StrCat("alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['", am.addr(),
                                       "']}]\n"));
  m.ApplyConfig(Labels(), c.alerting);
  am.Hold();
  m.Send({MakeAlert("first")});
  am.WaitFor(1);
  for (int i = 0; i < 4; ++i) m.Send({MakeAlert(absl::StrCat("b", i)), MakeAlert(absl::StrCat("c", i))});
  EXPECT_EQ(m.QueueLength(), 5u);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_dropped_total"), 3);
  // A batch larger than the queue keeps its newest alerts.
  std::vector<Alert> big;
  for (int i = 0; i < 7; ++i) big.push_back(MakeAlert(absl::StrCat("d", i)));
  m.Send(big);
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_dropped_total"), 10);
  am.Release();
  auto posts = am.WaitFor(2);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(CountAlerts(posts[1].body), 5u);
  EXPECT_FALSE(absl::StrContains(posts[1].body, "\"d1\""));
  EXPECT_TRUE(absl::StrContains(posts[1].body, "\"d2\""));
  EXPECT_TRUE(absl::StrContains(posts[1].body, "\"d6\""));
}

TEST(NotifierManager, AHangingAlertmanagerDoesNotDelayTheOthers) {
  Hanging hang;
  Recorder good;
  metrics::Registry reg;
  Manager m({.registry = &reg});
  config::Config c = Load(absl::StrCat(R"(
alerting:
  alertmanagers:
    - timeout: 1s
      static_configs: [{targets: [')", hang.addr(), R"(']}]
    - static_configs: [{targets: [')", good.addr(), R"(']}]
)"));
  m.ApplyConfig(Labels(), c.alerting);
  auto start = std::chrono::steady_clock::now();
  m.Send({MakeAlert("x")});
  auto posts = good.WaitFor(1, 900ms);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
  std::string hang_url = absl::StrCat("http://", hang.addr(), "/api/v2/alerts");
  for (int i = 0; i < 300 && MetricValue(reg, "prometheus_notifications_errors_total{alertmanager=\"" + hang_url +
                                                  "\"}") != 1;
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_errors_total{alertmanager=\"" + hang_url + "\"}"), 1);
  // One Alertmanager took the batch: nothing dropped.
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_dropped_total"), 0);
}

TEST(NotifierManager, ABatchNoAlertmanagerTookIsDropped) {
  Recorder am;
  am.SetStatus(500);
  metrics::Registry reg;
  Manager m({.registry = &reg});
  config::Config c = Load(absl::StrCat("alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['", am.addr(),
                                       "']}]\n"));
  m.ApplyConfig(Labels(), c.alerting);
  m.Send({MakeAlert("x"), MakeAlert("y")});
  am.WaitFor(1);
  for (int i = 0; i < 300 && MetricValue(reg, "prometheus_notifications_dropped_total") != 2; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(MetricValue(reg, "prometheus_notifications_dropped_total"), 2);
}

TEST(NotifierManager, FileSdTargetsAndRelabeledAwayAlertmanagers) {
  Recorder am;
  char dir_tmpl[] = "/tmp/notifier-test-XXXXXX";
  std::string dir = mkdtemp(dir_tmpl);
  std::string file = dir + "/ams.json";
  std::ofstream(file) << R"([{"targets": ["127.0.0.1:1"], "labels": {"role": "skip"}}])";
  Manager m({.discovery_poll = absl::Milliseconds(20)});
  config::Config c = Load(absl::StrCat(R"(
alerting:
  alertmanagers:
    - file_sd_configs: [{files: [')", file, R"(']}]
      relabel_configs:
        - source_labels: [role]
          regex: skip
          action: drop
)"));
  m.ApplyConfig(Labels(), c.alerting);
  EXPECT_TRUE(m.ActiveAlertmanagers().empty());
  EXPECT_EQ(m.DroppedAlertmanagers(), (std::vector<std::string>{"http://127.0.0.1:1/api/v2/alerts"}));
  std::this_thread::sleep_for(20ms);
  std::ofstream(file) << absl::StrCat(R"([{"targets": [")", am.addr(), R"("]}])");
  for (int i = 0; i < 300 && m.ActiveAlertmanagers().empty(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(m.ActiveAlertmanagers(), (std::vector<std::string>{absl::StrCat("http://", am.addr(), "/api/v2/alerts")}));
  EXPECT_TRUE(m.DroppedAlertmanagers().empty());
  m.Send({MakeAlert("via_file_sd")});
  auto posts = am.WaitFor(1);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_TRUE(absl::StrContains(posts[0].body, "via_file_sd"));
  std::remove(file.c_str());
  rmdir(dir.c_str());
}

TEST(NotifierManager, StopDrainsTheQueueOrDropsIt) {
  for (bool drain : {true, false}) {
    Recorder am;
    metrics::Registry reg;
    auto m = std::make_unique<Manager>(ManagerOptions{.drain_on_shutdown = drain, .registry = &reg});
    config::Config c = Load(absl::StrCat("alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['",
                                         am.addr(), "']}]\n"));
    m->ApplyConfig(Labels(), c.alerting);
    am.Hold();
    m->Send({MakeAlert("first")});
    am.WaitFor(1);
    m->Send({MakeAlert("queued1"), MakeAlert("queued2")});
    std::thread stopper([&] { m->Stop(); });
    std::this_thread::sleep_for(50ms);
    am.Release();
    stopper.join();
    auto posts = am.WaitFor(drain ? 2 : 1, 200ms);
    EXPECT_EQ(posts.size(), drain ? 2u : 1u) << "drain=" << drain;
    EXPECT_EQ(MetricValue(reg, "prometheus_notifications_dropped_total"), drain ? 0 : 2) << "drain=" << drain;
  }
}

}  // namespace
}  // namespace pharos::notifier
