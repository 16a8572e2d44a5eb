// /probe through a real HTTP server, the scheduler appending to a storage
// and reporting health, and a side-by-side comparison with the real
// blackbox_exporter (Debian's prometheus-blackbox-exporter) on the same target.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
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
#include "storage/sample.h"
#include "probe/testing/fake_servers.h"
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
  s.server->router().Get("/slow", [](http::Request& req, http::Response& res) {
    for (int i = 0; i < 30 && !req.ClientGone(); ++i) usleep(100'000);
    res.SetText(200, "late");
  });
  EXPECT_TRUE(s.server->Start().ok());
  s.base = absl::StrCat("http://127.0.0.1:", s.server->port());
  return s;
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
  // The scrape timeout header bounds the probe (less 0.5s), as in blackbox_exporter.
  http::ClientRequest slow;
  slow.url = absl::StrCat(s.base, "/probe?module=http_2xx&target=", s.base, "/slow");
  slow.headers = {{"X-Prometheus-Scrape-Timeout-Seconds", "1"}};
  absl::Time start = absl::Now();
  res = client.Do(slow, &body);
  ASSERT_TRUE(res.ok());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));
  EXPECT_NE(body.find("probe_success 0"), std::string::npos) << body;
  slow.headers = {{"X-Prometheus-Scrape-Timeout-Seconds", "soon"}};
  res = client.Do(slow, &body);
  EXPECT_EQ(res->status, 500);
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
      if (sample.labels.find("probe_success{") == std::string::npos) continue;
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
  // Stopping marks the last series stale.
  auto batches = storage.batches();
  ASSERT_FALSE(batches.empty());
  int stale = 0;
  for (const auto& sample : batches.back()) stale += storage::IsStaleNaN(sample.v);
  EXPECT_EQ(stale, static_cast<int>(batches.back().size()));
  EXPECT_GT(stale, 3);
}

// Metric names with their label names ("name{a,b}") of an exposition text.
std::set<std::string> Shapes(const std::string& text) {
  std::set<std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    size_t brace = line.find('{');
    size_t space = line.find(' ');
    std::string shape(line.substr(0, std::min(brace, space)));
    if (brace != absl::string_view::npos && brace < space) {
      shape += '{';
      absl::string_view labels = line.substr(brace + 1, line.find('}') - brace - 1);
      bool first = true;
      while (!labels.empty()) {
        size_t eq = labels.find('=');
        if (eq == absl::string_view::npos) break;
        absl::StrAppend(&shape, first ? "" : ",", labels.substr(0, eq));
        first = false;
        // Skip the quoted value (escapes included).
        size_t i = eq + 2;
        while (i < labels.size() && labels[i] != '"') i += labels[i] == '\\' ? 2 : 1;
        labels = i + 1 < labels.size() ? labels.substr(i + 2) : absl::string_view();
      }
      shape += '}';
    }
    out.insert(shape);
  }
  return out;
}

// The value of an unlabelled metric ("" when absent).
std::string ValueOf(const std::string& text, std::string_view name) {
  size_t p = text.find(absl::StrCat("\n", AV(name), " "));
  if (p == std::string::npos) return "";
  size_t start = p + name.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

struct ComparisonCase {
  std::string module, target;
  std::string both_have = "probe_success";  // a line both answers must contain
};

// Probes each case through the real exporter on `exporter_port` and through
// /probe at `ours`: every metric (name and label names) the exporter answers
// must be in ours, with the same address hash, status code and verdict.
void CompareWithBlackbox(uint16_t exporter_port, const std::string& ours_base,
                         const std::vector<ComparisonCase>& cases) {
  http::Client client;
  for (const ComparisonCase& c : cases) {
    std::string theirs, ours;
    auto a = client.Get(
        absl::StrCat("http://127.0.0.1:", exporter_port, "/probe?module=", c.module, "&target=", c.target), &theirs);
    auto b = client.Get(absl::StrCat(ours_base, "/probe?module=", c.module, "&target=", c.target), &ours);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(theirs.find(c.both_have), std::string::npos) << c.module << ": " << theirs;
    EXPECT_NE(ours.find(c.both_have), std::string::npos) << c.module << ": " << ours;
    std::set<std::string> got = Shapes(ours);
    for (const std::string& n : Shapes(theirs)) {
      EXPECT_TRUE(got.count(n)) << c.module << " " << c.target << ": blackbox_exporter has " << n << "\n--- theirs\n"
                                << theirs << "--- ours\n" << ours;
    }
    EXPECT_EQ(ValueOf(theirs, "probe_ip_addr_hash"), ValueOf(ours, "probe_ip_addr_hash")) << c.module;
    EXPECT_EQ(ValueOf(theirs, "probe_http_status_code"), ValueOf(ours, "probe_http_status_code")) << c.module;
    EXPECT_EQ(ValueOf(theirs, "probe_http_ssl"), ValueOf(ours, "probe_http_ssl")) << c.module;
    EXPECT_EQ(ValueOf(theirs, "probe_dns_answer_rrs"), ValueOf(ours, "probe_dns_answer_rrs")) << c.module;
    EXPECT_EQ(ValueOf(theirs, "probe_success"), ValueOf(ours, "probe_success"))
        << c.module << " " << c.target << "\n--- theirs\n" << theirs << "--- ours\n" << ours;
  }
}

class Exporter {
 public:
  explicit Exporter(const std::string& config_file) : port_(testing::FreePort()) {
    proc_ = std::make_unique<testing::Process>(std::vector<std::string>{
        kBin, absl::StrCat("--config.file=", config_file), absl::StrCat("--web.listen-address=127.0.0.1:", port_)});
    ok_ = testing::WaitForPort(port_, 20'000);
  }
  static bool Installed() { return access(kBin, X_OK) == 0; }
  bool ok() const { return ok_; }
  uint16_t port() const { return port_; }

 private:
  static constexpr const char* kBin = "/usr/bin/prometheus-blackbox-exporter";
  uint16_t port_;
  bool ok_ = false;
  std::unique_ptr<testing::Process> proc_;
};

// /probe over the modules of `file` (which must load).
Served ServeModuleFile(const std::string& file) {
  auto mods = config::LoadProbeModulesFile(file);
  EXPECT_TRUE(mods.ok()) << mods.status();
  auto modules = std::make_shared<ModuleSet>();
  if (mods.ok()) modules->Update(*mods, {});
  return Serve(modules);
}

// The real blackbox_exporter and /probe, same module file, same target.
TEST(BlackboxComparison, DebianExampleModules) {
  const char* file = "/etc/prometheus/blackbox.yml";
  if (!Exporter::Installed() || access(file, R_OK) != 0) GTEST_SKIP() << "prometheus-blackbox-exporter not installed";
  Exporter exporter(file);
  ASSERT_TRUE(exporter.ok());
  Served s = ServeModuleFile(file);
  testing::FakeTcpServer ssh([](int fd) { testing::WriteAll(fd, "SSH-2.0-OpenSSH_9.2\r\n"); });
  testing::FakeTcpServer mute([](int fd) { testing::WriteAll(fd, "220 not ssh\r\n"); });
  CompareWithBlackbox(exporter.port(), s.base,
                      {{"http_2xx", s.base + "/ok", "probe_http_duration_seconds{phase=\"transfer\"}"},
                       {"http_2xx", s.base + "/missing", "probe_http_status_code 404"},
                       {"http_post_2xx", s.base + "/ok"},
                       {"tcp_connect", absl::StrCat("127.0.0.1:", s.server->port())},
                       {"tcp_connect", absl::StrCat("127.0.0.1:", testing::FreePort())},
                       {"ssh_banner", absl::StrCat("127.0.0.1:", ssh.port())},
                       {"ssh_banner", absl::StrCat("127.0.0.1:", mute.port()), "probe_failed_due_to_regex 1"}});
  s.server->Stop(absl::ZeroDuration());
}

// TLS (HTTPS and TCP with TLS against a self-signed certificate) and DNS.
TEST(BlackboxComparison, TlsAndDnsModules) {
  if (!Exporter::Installed()) GTEST_SKIP() << "prometheus-blackbox-exporter not installed";
  testing::TlsServer tls(20);
  if (!tls.ok()) GTEST_SKIP() << "openssl unavailable";
  testing::FakeDns dns(0);
  std::string file = testing::MakeTempDir("bb") + "/blackbox.yml";
  std::ofstream(file) << "modules:\n"
                      << "  https_ca:\n    prober: http\n    http:\n      tls_config: {ca_file: " << tls.cert() << "}\n"
                      << "  tcp_tls:\n    prober: tcp\n    tcp:\n      tls: true\n      tls_config: {ca_file: "
                      << tls.cert() << "}\n"
                      << "  dns_a:\n    prober: dns\n    dns:\n      query_name: example.org\n      query_type: A\n"
                      << "      preferred_ip_protocol: ip4\n"
                      << "  dns_nx:\n    prober: dns\n    dns:\n      query_name: example.org\n"
                      << "      valid_rcodes: [NXDOMAIN]\n";
  Exporter exporter(file);
  ASSERT_TRUE(exporter.ok());
  Served s = ServeModuleFile(file);
  CompareWithBlackbox(exporter.port(), s.base,
                      {{"https_ca", absl::StrCat("https://127.0.0.1:", tls.port(), "/"), "probe_ssl_last_chain_info{"},
                       {"tcp_tls", absl::StrCat("127.0.0.1:", tls.port()), "probe_ssl_earliest_cert_expiry "},
                       {"dns_a", absl::StrCat("127.0.0.1:", dns.port()), "probe_dns_answer_rrs 2"},
                       {"dns_nx", absl::StrCat("127.0.0.1:", dns.port()), "probe_success 0"}});
  s.server->Stop(absl::ZeroDuration());
}

}  // namespace
}  // namespace pharos::probe
