// /probe through a real HTTP server, the scheduler appending to a storage
// and reporting health, and a side-by-side comparison with the real
// blackbox_exporter (Debian's prometheus-blackbox-exporter) on the same target.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/strings.h"
#include "config/config.h"
#include "config/probe_config.h"
#include "http/client.h"
#include "http/server.h"
#include "probe/handler.h"
#include "probe/scheduler.h"
#include "probe/testing/process.h"

namespace pharos::probe {
namespace {

struct Served {
  std::unique_ptr<http::Server> server;
  std::string base;
};

Served Serve(std::shared_ptr<ModuleSet> modules) {
  http::ServerOptions o;
  o.listen_address = "127.0.0.1:0";
  Served s;
  s.server = std::make_unique<http::Server>(o);
  s.server->router().Get("/probe", ProbeHandler(modules));
  s.server->router().Get("/ok", [](http::Request&, http::Response& res) { res.SetText(200, "ok"); });
  EXPECT_TRUE(s.server->Start().ok());
  s.base = absl::StrCat("http://127.0.0.1:", s.server->port());
  return s;
}

// Metric family names of an exposition text.
std::set<std::string> Names(const std::string& text) {
  std::set<std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    size_t end = line.find_first_of("{ ");
    out.insert(std::string(line.substr(0, end)));
  }
  return out;
}

TEST(ProbeHandler, AnswersLikeBlackboxExporter) {
  auto blackbox = config::LoadProbeModulesString(
      "modules:\n  http_2xx: {prober: http}\n  secret_pg: {prober: postgres, postgres: {password: topsecret}}\n"
      "  icmp: {prober: icmp}\n", "b.yml");
  ASSERT_TRUE(blackbox.ok());
  auto modules = std::make_shared<ModuleSet>();
  modules->Update(*blackbox, {});
  Served s = Serve(modules);
  http::Client client;
  std::string body;
  auto res = client.Get(absl::StrCat(s.base, "/probe?target=", s.base, "/ok&module=http_2xx"), &body);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->content_type.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(body.find("probe_success 1"), std::string::npos) << body;
  EXPECT_NE(body.find("probe_http_status_code 200"), std::string::npos) << body;
  // module defaults to http_2xx.
  res = client.Get(absl::StrCat(s.base, "/probe?target=", s.base, "/missing"), &body);
  EXPECT_NE(body.find("probe_success 0"), std::string::npos) << body;
  EXPECT_NE(body.find("probe_http_status_code 404"), std::string::npos) << body;
  res = client.Get(absl::StrCat(s.base, "/probe?target=x&module=nope"), &body);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(body, "Unknown module \"nope\"\n");
  res = client.Get(absl::StrCat(s.base, "/probe?module=http_2xx"), &body);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(body, "Target parameter is missing\n");
  // icmp loads but fails with the reason.
  res = client.Get(absl::StrCat(s.base, "/probe?target=127.0.0.1&module=icmp&debug=true"), &body);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(body.find("prober icmp is not supported"), std::string::npos) << body;
  // debug=true: log, metrics and the module with its secrets hidden.
  res = client.Get(absl::StrCat(s.base, "/probe?target=127.0.0.1:1&module=secret_pg&debug=true"), &body);
  EXPECT_NE(body.find("Logs for the probe:"), std::string::npos) << body;
  EXPECT_NE(body.find("Metrics that would have been returned:"), std::string::npos) << body;
  EXPECT_NE(body.find("password: <secret>"), std::string::npos) << body;
  EXPECT_EQ(body.find("topsecret"), std::string::npos) << body;
  // Inline modules override the file's.
  auto inline_mods = config::LoadProbeModulesString(
      "modules:\n  http_2xx: {prober: http, http: {valid_status_codes: [404]}}\n", "i.yml");
  modules->Update(*blackbox, *inline_mods);
  res = client.Get(absl::StrCat(s.base, "/probe?target=", s.base, "/missing"), &body);
  EXPECT_NE(body.find("probe_success 1"), std::string::npos) << body;
  s.server->Stop(absl::ZeroDuration());
}

// Records every committed batch.
class RecordingStorage : public storage::Appendable {
 public:
  struct Sample {
    std::string labels;
    int64_t t;
    double v;
  };
  std::unique_ptr<storage::Appender> NewAppender() override { return std::make_unique<App>(this); }
  std::vector<std::vector<Sample>> batches() const {
    absl::MutexLock l(&mu_);
    return batches_;
  }

 private:
  class App : public storage::Appender {
   public:
    explicit App(RecordingStorage* s) : s_(s) {}
    absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef, const Labels& l, int64_t t, double v) override {
      pending_.push_back({l.ToString(), t, v});
      return 1;
    }
    absl::Status Commit() override {
      absl::MutexLock l(&s_->mu_);
      s_->batches_.push_back(std::move(pending_));
      return absl::OkStatus();
    }
    void Rollback() override { pending_.clear(); }

   private:
    RecordingStorage* s_;
    std::vector<Sample> pending_;
  };
  mutable absl::Mutex mu_;
  std::vector<std::vector<Sample>> batches_;
};

TEST(Scheduler, AppendsResultsAndReportsHealth) {
  testing::Redis redis("");
  if (!redis.available()) GTEST_SKIP() << "redis-server is not installed";
  ASSERT_TRUE(redis.Start());
  const uint16_t closed = testing::FreePort();
  auto cfg = config::LoadString(absl::StrCat(R"(probes:
  modules:
    redis_ping: {prober: redis, timeout: 1s}
  targets:
    - {name: redis, module: redis_ping, target: '127.0.0.1:)", redis.port(), R"(', interval: 200ms, critical: true}
    - {name: gone, module: tcp_connect, target: '127.0.0.1:)", closed, R"(', interval: 200ms}
)"),
                                "p.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  auto blackbox = config::LoadProbeModulesString("modules: {tcp_connect: {prober: tcp}}", "b.yml");
  RecordingStorage storage;
  Scheduler s(&storage);
  ASSERT_TRUE(s.Apply(cfg->probes, *blackbox).ok());
  ASSERT_TRUE(s.WaitForRounds(2, absl::Seconds(10)));
  auto health = s.Health();
  ASSERT_EQ(health.size(), 2u);
  EXPECT_EQ(health[0].Status(), "healthy");
  EXPECT_TRUE(health[0].critical);
  EXPECT_FALSE(health[1].healthy);
  EXPECT_NE(health[1].Status().find("unhealthy: Error dialing TCP"), std::string::npos) << health[1].Status();
  EXPECT_TRUE(s.CriticalHealthy());
  // One batch per probe run, labelled with job and instance.
  bool saw_redis = false;
  for (const auto& batch : storage.batches()) {
    ASSERT_FALSE(batch.empty());
    for (const auto& sample : batch) {
      if (sample.labels.find("__name__=\"probe_success\"") == std::string::npos) continue;
      if (sample.labels.find("job=\"probe/redis\"") != std::string::npos) {
        saw_redis = true;
        EXPECT_NE(sample.labels.find(absl::StrCat("instance=\"127.0.0.1:", redis.port(), "\"")), std::string::npos);
        EXPECT_EQ(sample.v, 1);
      }
    }
  }
  EXPECT_TRUE(saw_redis);

  // The critical dependency goes down: health follows, then recovers.
  redis.Stop();
  ASSERT_TRUE(s.WaitForRounds(4, absl::Seconds(10)));
  usleep(500'000);
  EXPECT_FALSE(s.CriticalHealthy());
  EXPECT_NE(s.Health()[0].Status().find("unhealthy: "), std::string::npos);
  ASSERT_TRUE(redis.Start());
  for (int i = 0; i < 50 && !s.CriticalHealthy(); ++i) usleep(100'000);
  EXPECT_TRUE(s.CriticalHealthy());

  // A reload naming an unknown module is refused and keeps the old targets.
  auto bad = config::LoadString("probes:\n  targets:\n    - {name: x, module: nope, target: 'a:1'}\n", "q.yml");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(s.Apply(bad->probes, *blackbox).ok());
  EXPECT_EQ(s.Health().size(), 2u);
  s.Stop();
  EXPECT_TRUE(s.Health().empty());
}

// The real blackbox_exporter and /probe, same module file, same target.
TEST(BlackboxComparison, SameMetricNames) {
  const char* bin = "/usr/bin/prometheus-blackbox-exporter";
  const char* file = "/etc/prometheus/blackbox.yml";
  if (access(bin, X_OK) != 0 || access(file, R_OK) != 0) GTEST_SKIP() << "prometheus-blackbox-exporter not installed";
  const uint16_t port = testing::FreePort();
  testing::Process exporter({bin, absl::StrCat("--config.file=", file),
                             absl::StrCat("--web.listen-address=127.0.0.1:", port)});
  ASSERT_TRUE(testing::WaitForPort(port, 20'000));
  auto mods = config::LoadProbeModulesFile(file);
  ASSERT_TRUE(mods.ok()) << mods.status();
  auto modules = std::make_shared<ModuleSet>();
  modules->Update(*mods, {});
  Served s = Serve(modules);
  testing::FakeTcpServer ssh([](int fd) { testing::WriteAll(fd, "SSH-2.0-OpenSSH_9.2\r\n"); });
  struct Case {
    std::string module, target;
  } cases[] = {
      {"http_2xx", s.base + "/ok"},
      {"http_2xx", s.base + "/missing"},
      {"http_post_2xx", s.base + "/ok"},
      {"tcp_connect", absl::StrCat("127.0.0.1:", s.server->port())},
      {"ssh_banner", absl::StrCat("127.0.0.1:", ssh.port())},
  };
  http::Client client;
  for (const Case& c : cases) {
    std::string theirs, ours;
    auto a = client.Get(absl::StrCat("http://127.0.0.1:", port, "/probe?module=", c.module, "&target=", c.target), &theirs);
    auto b = client.Get(absl::StrCat(s.base, "/probe?module=", c.module, "&target=", c.target), &ours);
    ASSERT_TRUE(a.ok() && b.ok());
    std::set<std::string> want = Names(theirs);
    std::set<std::string> got = Names(ours);
    for (const std::string& n : want) {
      EXPECT_TRUE(got.count(n)) << c.module << " " << c.target << ": blackbox_exporter has " << n << "\n--- theirs\n"
                                << theirs << "--- ours\n" << ours;
    }
    // Same verdict.
    EXPECT_EQ(theirs.find("probe_success 1") != std::string::npos, ours.find("probe_success 1") != std::string::npos)
        << c.module << " " << c.target << "\n" << theirs << "\n" << ours;
  }
  s.server->Stop(absl::ZeroDuration());
}

}  // namespace
}  // namespace pharos::probe
