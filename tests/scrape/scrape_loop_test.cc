// ScrapeLoop and Manager against a real HTTP server on 127.0.0.1: fetch,
// headers, auth, errors, and file_sd re-reading.
#include "scrape/scrape_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "config/config.h"
#include "http/server.h"
#include "scrape/manager.h"
#include "storage/memory_storage.h"

namespace pharos::scrape {
namespace {

struct Target {
  Target() : server(Options()) {
    server.router().Get("/metrics", [this](http::Request& req, http::Response& res) {
      std::lock_guard<std::mutex> l(mu);
      last_accept = std::string(req.Header("Accept"));
      last_auth = std::string(req.Header("Authorization"));
      res.status = status;
      res.headers.emplace_back("Content-Type", "text/plain; version=0.0.4");
      res.body = body;
    });
    server.router().Get("/slow", [](http::Request&, http::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.body = "late 1\n";
    });
    EXPECT_TRUE(server.Start().ok());
  }
  static http::ServerOptions Options() {
    http::ServerOptions o;
    o.listen_address = "127.0.0.1:0";
    return o;
  }
  std::string addr() const { return absl::StrCat("127.0.0.1:", server.port()); }

  http::Server server;
  std::mutex mu;
  int status = 200;
  std::string body = "m_total 7\n";
  std::string last_accept, last_auth;
};

size_t CountSeries(storage::MemoryStorage& mem, const std::string& name, double* last = nullptr) {
  auto q = mem.NewQuerier(INT64_MIN, INT64_MAX);
  Matchers ms;
  ms.push_back(Matcher::MustMake(MatchType::kEqual, "__name__", name));
  auto set = (*q)->Select(true, nullptr, ms);
  size_t n = 0;
  while (set->Next()) {
    ++n;
    auto it = set->At().Iterator();
    while (it->Next())
      if (last) *last = it->At().v;
  }
  return n;
}

std::shared_ptr<const config::ScrapeConfig> Job(const std::string& extra) {
  auto c = config::LoadString(absl::StrCat("scrape_configs:\n  - job_name: j\n    scrape_timeout: 1s\n", extra), "t.yml");
  EXPECT_TRUE(c.ok()) << c.status();
  return std::make_shared<const config::ScrapeConfig>(c->scrape_configs.at(0));
}

TargetInfo InfoFor(const Target& t, const std::string& path = "/metrics") {
  TargetInfo info;
  info.pool = "j";
  info.public_labels = Labels({{"instance", t.addr()}, {"job", "j"}});
  info.url = absl::StrCat("http://", t.addr(), path);
  info.interval_ms = 60000;
  info.timeout_ms = 1000;
  return info;
}

TEST(ScrapeLoopTest, ScrapesStoresAndReports) {
  Target t;
  storage::MemoryStorage mem;
  ScrapeLoop loop(InfoFor(t), Job(""), &mem);
  loop.ScrapeOnce(1000);
  TargetStatus st = loop.status();
  EXPECT_EQ(st.health, TargetHealth::kUp) << st.last_error;
  EXPECT_EQ(st.last_error, "");
  double v = 0;
  EXPECT_EQ(CountSeries(mem, "m_total", &v), 1u);
  EXPECT_EQ(v, 7);
  EXPECT_EQ(CountSeries(mem, "up", &v), 1u);
  EXPECT_EQ(v, 1);
  std::lock_guard<std::mutex> l(t.mu);
  EXPECT_NE(t.last_accept.find("application/openmetrics-text"), std::string::npos) << t.last_accept;
  EXPECT_NE(t.last_accept.find("text/plain"), std::string::npos) << t.last_accept;
}

TEST(ScrapeLoopTest, HttpErrorSetsDownWithTheReason) {
  Target t;
  t.status = 500;
  storage::MemoryStorage mem;
  ScrapeLoop loop(InfoFor(t), Job(""), &mem);
  loop.ScrapeOnce(1000);
  TargetStatus st = loop.status();
  EXPECT_EQ(st.health, TargetHealth::kDown);
  EXPECT_EQ(st.last_error, "server returned HTTP status 500 Internal Server Error");
  double v = -1;
  EXPECT_EQ(CountSeries(mem, "up", &v), 1u);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(CountSeries(mem, "m_total"), 0u);
}

TEST(ScrapeLoopTest, TimeoutSetsDown) {
  Target t;
  storage::MemoryStorage mem;
  ScrapeLoop loop(InfoFor(t, "/slow"), Job(""), &mem);
  loop.ScrapeOnce(1000);
  TargetStatus st = loop.status();
  EXPECT_EQ(st.health, TargetHealth::kDown);
  EXPECT_FALSE(st.last_error.empty());
  EXPECT_EQ(CountSeries(mem, "late"), 0u);
}

TEST(ScrapeLoopTest, BadBodyKeepsTheParseError) {
  Target t;
  t.body = "ok 1\nnot valid{\n";
  storage::MemoryStorage mem;
  ScrapeLoop loop(InfoFor(t), Job(""), &mem);
  loop.ScrapeOnce(1000);
  TargetStatus st = loop.status();
  EXPECT_EQ(st.health, TargetHealth::kDown);
  EXPECT_NE(st.last_error.find("line 2"), std::string::npos) << st.last_error;
  EXPECT_EQ(CountSeries(mem, "ok"), 0u);
}

TEST(ScrapeLoopTest, SendsCredentials) {
  Target t;
  storage::MemoryStorage mem;
  ScrapeLoop loop(InfoFor(t), Job("    authorization:\n      credentials: s3cret\n"), &mem);
  loop.ScrapeOnce(1000);
  {
    std::lock_guard<std::mutex> l(t.mu);
    EXPECT_EQ(t.last_auth, "Bearer s3cret");
  }
  ScrapeLoop basic(InfoFor(t), Job("    basic_auth:\n      username: u\n      password: p\n"), &mem);
  basic.ScrapeOnce(2000);
  std::lock_guard<std::mutex> l(t.mu);
  EXPECT_EQ(t.last_auth, "Basic dTpw");
}

TEST(ScrapeLoopTest, PhaseIsStableWithinTheInterval) {
  EXPECT_EQ(ScrapeLoop::NextScrapeTime(100'000, 15'000, 7'000), 112'000);  // base 90000 + 7000 < now → next
  EXPECT_EQ(ScrapeLoop::NextScrapeTime(96'000, 15'000, 7'000), 97'000);
  EXPECT_EQ(ScrapeLoop::NextScrapeTime(97'000, 15'000, 7'000 + 15'000 * 3), 97'000);
}

TEST(ManagerTest, FileSdTargetsFollowTheFile) {
  Target a, b;
  storage::MemoryStorage mem;
  std::string dir = ::testing::TempDir();
  std::string file = absl::StrCat(dir, "/sd_targets.json");
  {
    std::ofstream(file) << "[{\"targets\": [\"" << a.addr() << "\"], \"labels\": {\"team\": \"x\"}}]";
  }
  auto cfg = config::LoadString(absl::StrCat("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                                             "scrape_configs:\n  - job_name: sd\n    file_sd_configs:\n"
                                             "      - files: ['", file, "']\n"),
                                "t.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  Manager m(&mem);
  m.ApplyConfig(*cfg);
  auto targets = [&] {
    std::vector<std::string> out;
    for (const auto& p : m.Pools())
      for (const auto& t : p->ActiveTargets()) out.push_back(std::string(t.info.public_labels.Get("instance")));
    return out;
  };
  EXPECT_EQ(targets(), std::vector<std::string>{a.addr()});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a new mtime second
  {
    std::ofstream(file + ".tmp") << "[{\"targets\": [\"" << b.addr() << "\"";
  }
  // A broken file is refused; the old targets stay.
  std::rename((file + ".tmp").c_str(), file.c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(targets(), std::vector<std::string>{a.addr()});
  {
    std::ofstream(file + ".tmp") << "[{\"targets\": [\"" << b.addr() << "\"]}]";
  }
  std::rename((file + ".tmp").c_str(), file.c_str());
  for (int i = 0; i < 50 && targets() != std::vector<std::string>{b.addr()}; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(targets(), std::vector<std::string>{b.addr()});
  m.Stop();
}

}  // namespace
}  // namespace pharos::scrape
