// One whole scrape on the scrape thread: ScrapeLoop::ScrapeOnce fetching the
// loadgen-shaped body over a kept-alive HTTP/1.1 connection on 127.0.0.1
// and appending it into a storage that only counts. The CPU time is the
// scrape thread's (libcurl, the socket reads in the kernel, parsing, the
// cache), not the server's, which runs on its own thread and answers like
// the benchmark harness' loadgen: plain text, Content-Length, no gzip.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>

#include "absl/strings/str_cat.h"
#include "config/config.h"
#include "scrape/counting_storage.h"
#include "scrape/scrape_loop.h"

namespace pharos::scrape {
namespace {

// Answers every GET on every connection with `body`, one connection at a
// time, until destroyed.
class BodyServer {
 public:
  explicit BodyServer(std::string body) {
    response_ = absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n",
                             "Content-Length: ", body.size(), "\r\n\r\n", body);
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 4);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~BodyServer() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  void Serve() {
    while (!stop_) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::string in;
      char buf[4096];
      for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
        size_t end;
        while ((end = in.find("\r\n\r\n")) != std::string::npos) {
          in.erase(0, end + 4);
          for (size_t sent = 0; sent < response_.size();) {
            ssize_t w = send(fd, response_.data() + sent, response_.size() - sent, MSG_NOSIGNAL);
            if (w <= 0) break;
            sent += static_cast<size_t>(w);
          }
        }
      }
      close(fd);
    }
  }

  std::string response_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void BM_ScrapeOnce(benchmark::State& state) {
  BodyServer server(testing::LoadgenBody());
  auto cfg = config::LoadString("scrape_configs:\n  - job_name: bench\n    scrape_timeout: 5s\n", "bench.yml");
  if (!cfg.ok()) {
    state.SkipWithError("config");
    return;
  }
  auto job = std::make_shared<const config::ScrapeConfig>(cfg->scrape_configs.at(0));
  const std::string addr = absl::StrCat("127.0.0.1:", server.port());
  TargetInfo info;
  info.pool = "bench";
  info.public_labels = Labels({{"instance", addr}, {"job", "bench"}});
  info.url = absl::StrCat("http://", addr, "/metrics");
  info.interval_ms = 1000;
  info.timeout_ms = 5000;
  testing::CountingStorage storage;
  ScrapeLoop loop(info, job, &storage);
  int64_t ts = 1'700'000'000'000;
  loop.ScrapeOnce(ts);  // the first scrape adds the series
  for (auto _ : state) {
    ts += 1000;
    loop.ScrapeOnce(ts);
    if (loop.status().health != TargetHealth::kUp || loop.status().last_samples != testing::kLoadgenSamples) {
      state.SkipWithError(absl::StrCat("scrape failed: ", loop.status().last_error).c_str());
      return;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * testing::LoadgenBody().size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * testing::kLoadgenSamples));
}

BENCHMARK(BM_ScrapeOnce)->UseRealTime();

}  // namespace
}  // namespace pharos::scrape
