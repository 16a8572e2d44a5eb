#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "common/log.h"
#include "common/metrics/registry.h"
#include "http/compression.h"
#include "http/server.h"
#include "http/testing/raw_client.h"

namespace pharos::http {
namespace {

using testing::Fetch;
using testing::RawConn;
using testing::RawResponse;
using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  ServerOptions Options() {
    ServerOptions o;
    o.listen_address = "127.0.0.1:0";
    o.registry = &registry_;
    o.io_threads = 2;
    o.worker_threads = 2;
    return o;
  }
  void StartServer(ServerOptions o, const std::function<void(Router&)>& routes) {
    server_ = std::make_unique<Server>(std::move(o));
    routes(server_->router());
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->Stop(absl::Seconds(5));
  }
  std::string MetricsText() {
    std::string out;
    registry_.WriteText(&out);
    return out;
  }

  metrics::Registry registry_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

Handler Echo() {
  return [](Request& req, Response& res) {
    std::string out = req.method + " " + req.path + "\n";
    for (const auto& [k, v] : req.params) out += k + "=" + v + "\n";
    for (const auto& [k, v] : req.path_params) out += ":" + k + "=" + v + "\n";
    out += "body=" + req.body;
    res.SetText(200, out);
  };
}

TEST_F(ServerTest, ServesRoutesWithParamsAndForms) {
  StartServer(Options(), [](Router& r) {
    r.Get("/echo/:name", Echo());
    r.Post("/echo/:name", Echo());
  });
  auto get = Fetch(port_, "GET", "/echo/a%20b?match%5B%5D=x&match[]=y&q=1+2");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "GET /echo/a b\nmatch[]=x\nmatch[]=y\nq=1 2\n:name=a b\nbody=");
  EXPECT_EQ(get.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(get.Header("Content-Length"), std::to_string(get.body.size()));

  auto post = Fetch(port_, "POST", "/echo/z?start=2", "Content-Type: application/x-www-form-urlencoded\r\n",
                    "start=1&match[]=up");
  EXPECT_EQ(post.body, "POST /echo/z\nstart=1\nmatch[]=up\nstart=2\n:name=z\nbody=start=1&match[]=up");
}

TEST_F(ServerTest, AnswersNotFoundAndMethodNotAllowedLikeGo) {
  StartServer(Options(), [](Router& r) { r.Get("/only-get", Echo()); });
  auto nf = Fetch(port_, "GET", "/missing");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.body, "404 page not found\n");
  auto na = Fetch(port_, "DELETE", "/only-get");
  EXPECT_EQ(na.status, 405);
  EXPECT_EQ(na.body, "Method Not Allowed\n");
  EXPECT_EQ(na.Header("Allow"), "GET");
  auto head = Fetch(port_, "HEAD", "/only-get");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.Header("Content-Length"), "20");  // of "HEAD /only-get\nbody="
}

TEST_F(ServerTest, KeepsConnectionsAliveAndAnswersPipelinedRequestsInOrder) {
  StartServer(Options(), [](Router& r) {
    r.Get("/slow", [](Request&, Response& res) {
      std::this_thread::sleep_for(50ms);
      res.SetText(200, "slow");
    });
    r.Get("/fast", [](Request&, Response& res) { res.SetText(200, "fast"); });
  });
  RawConn c(port_);
  c.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse a, b;
  ASSERT_TRUE(c.Read(&a));
  ASSERT_TRUE(c.Read(&b));
  EXPECT_EQ(a.body, "slow");
  EXPECT_EQ(b.body, "fast");
  for (int i = 0; i < 3; ++i) {
    c.Send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    RawResponse r;
    ASSERT_TRUE(c.Read(&r));
    EXPECT_EQ(r.body, "fast");
  }
  // HTTP/1.0 without keep-alive: answered, then closed.
  RawConn old(port_);
  old.Send("GET /fast HTTP/1.0\r\n\r\n");
  RawResponse r;
  ASSERT_TRUE(old.Read(&r));
  EXPECT_EQ(r.body, "fast");
  EXPECT_TRUE(old.WaitClosed(2000));
}

// Workers write whole responses themselves when the socket takes them; a
// response larger than the socket buffer is finished by the I/O thread. Both
// must leave the connection ready for the next request, in any mix.
TEST_F(ServerTest, KeepAliveAfterSmallAndLargeResponsesAlike) {
  const std::string large(8 << 20, 'L');
  StartServer(Options(), [&](Router& r) {
    r.Get("/small", [](Request&, Response& res) { res.SetText(200, "small"); });
    r.Get("/large", [&](Request&, Response& res) { res.SetText(200, large); });
  });
  RawConn c(port_);
  for (int i = 0; i < 200; ++i) {
    bool big = i % 50 == 7;
    bool head = i % 13 == 5;
    c.Send(std::string(head ? "HEAD" : "GET") + (big ? " /large" : " /small") + " HTTP/1.1\r\nHost: x\r\n\r\n");
    if (big) std::this_thread::sleep_for(20ms);  // the socket buffer fills before the client reads
    RawResponse r;
    ASSERT_TRUE(c.Read(&r, 5000, head)) << i;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("Content-Length"), std::to_string(big ? large.size() : 5)) << i;
    if (!head) EXPECT_EQ(r.body.size(), big ? large.size() : 5) << i;
  }
}

TEST_F(ServerTest, RefusesOversizedBodiesAndHeaders) {
  ServerOptions o = Options();
  o.max_body_bytes = 100;
  o.max_header_bytes = 1024;
  StartServer(o, [](Router& r) { r.Post("/p", Echo()); });
  auto big = Fetch(port_, "POST", "/p", "", std::string(101, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.body, "request body too large: the limit is 100 bytes\n");
  auto ok = Fetch(port_, "POST", "/p", "", std::string(100, 'x'));
  EXPECT_EQ(ok.status, 200);
  // Chunked bodies are counted as they arrive.
  RawConn c(port_);
  c.Send("POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + std::string(100, 'a') +
         "\r\n1\r\nb\r\n0\r\n\r\n");
  RawResponse chunked;
  ASSERT_TRUE(c.Read(&chunked));
  EXPECT_EQ(chunked.status, 413);
  EXPECT_TRUE(c.WaitClosed(2000));
  auto hdr = Fetch(port_, "POST", "/p", "X-Big: " + std::string(2000, 'h') + "\r\n", "");
  EXPECT_EQ(hdr.status, 431);
  auto bad = Fetch(port_, "GET", "/p%zz");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(MetricsText().find("pharos_http_requests_rejected_total{reason=\"body_too_large\"} 2\n"),
            std::string::npos)
      << MetricsText();
}

TEST_F(ServerTest, DisconnectsSlowAndIdleClients) {
  ServerOptions o = Options();
  o.header_timeout = absl::Milliseconds(200);
  o.idle_timeout = absl::Milliseconds(300);
  StartServer(o, [](Router& r) { r.Get("/x", Echo()); });
  RawConn slow(port_);
  slow.Send("GET /x HTTP/1.1\r\nHo");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.WaitClosed(3000));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);

  RawConn idle(port_);
  idle.Send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse r;
  ASSERT_TRUE(idle.Read(&r));
  EXPECT_TRUE(idle.WaitClosed(3000));
}

TEST_F(ServerTest, EchoesOrGeneratesRequestIdsAndLogsWithThem) {
  std::string logs;
  log::CaptureForTest(&logs);
  log::Configure(log::Level::kDebug, log::Format::kText);
  StartServer(Options(), [](Router& r) {
    r.Get("/x", [](Request& req, Response& res) {
      log::Info("test", "inside handler");
      res.SetText(200, std::string(log::CurrentRequestId()));
    });
  });
  auto given = Fetch(port_, "GET", "/x", "X-Request-ID: abc-123\r\n");
  EXPECT_EQ(given.Header("X-Request-ID"), "abc-123");
  EXPECT_EQ(given.body, "abc-123");
  auto generated = Fetch(port_, "GET", "/x");
  EXPECT_EQ(generated.Header("X-Request-ID").size(), 32u);
  EXPECT_EQ(generated.body, generated.Header("X-Request-ID"));
  auto weird = Fetch(port_, "GET", "/x", "X-Request-ID: has space\r\n");
  EXPECT_EQ(weird.Header("X-Request-ID").size(), 32u);
  server_->Stop(absl::Seconds(1));
  log::CaptureForTest(nullptr);
  log::Configure(log::Level::kInfo, log::Format::kText);
  EXPECT_NE(logs.find("msg=\"inside handler\" request_id=abc-123"), std::string::npos) << logs;
  EXPECT_NE(logs.find("level=debug component=http msg=request request_id=abc-123 method=GET path=/x status=200"),
            std::string::npos)
      << logs;
}

TEST_F(ServerTest, CountsRequestsPerHandlerAndCode) {
  StartServer(Options(), [](Router& r) {
    r.Get("/api/v1/label/:name/values", [](Request& req, Response& res) {
      res.SetText(req.PathParam("name") == "bad" ? 400 : 200, "x");
    });
  });
  Fetch(port_, "GET", "/api/v1/label/job/values");
  Fetch(port_, "GET", "/api/v1/label/a/values");
  Fetch(port_, "GET", "/api/v1/label/bad/values");
  std::string m = MetricsText();
  EXPECT_NE(m.find("pharos_http_requests_total{handler=\"/api/v1/label/:name/values\",code=\"200\"} 2\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("pharos_http_requests_total{handler=\"/api/v1/label/:name/values\",code=\"400\"} 1\n"),
            std::string::npos);
  EXPECT_NE(m.find("pharos_http_request_duration_seconds_count{handler=\"/api/v1/label/:name/values\"} 3\n"),
            std::string::npos);
  EXPECT_NE(m.find("pharos_http_request_duration_seconds_bucket{handler=\"/api/v1/label/:name/values\",le=\"0.1\"} 3"),
            std::string::npos);
}

TEST_F(ServerTest, CompressesWhenTheClientAcceptsIt) {
  std::string payload;
  for (int i = 0; i < 500; ++i) payload += "{\"status\":\"success\"}";
  StartServer(Options(), [&](Router& r) {
    r.Get("/z", [&](Request&, Response& res) { res.SetText(200, payload); });
    r.Get("/raw", [&](Request&, Response& res) { res.SetText(200, payload); }, {.compress = false});
  });
  auto gz = Fetch(port_, "GET", "/z", "Accept-Encoding: gzip, deflate\r\n");
  EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
  std::string back;
  ASSERT_TRUE(Decompress(Encoding::kGzip, gz.body, 1 << 20, &back).ok());
  EXPECT_EQ(back, payload);
  auto df = Fetch(port_, "GET", "/z", "Accept-Encoding: deflate\r\n");
  EXPECT_EQ(df.Header("Content-Encoding"), "deflate");
  ASSERT_TRUE(Decompress(Encoding::kDeflate, df.body, 1 << 20, &back).ok());
  EXPECT_EQ(back, payload);
  auto plain = Fetch(port_, "GET", "/z");
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  EXPECT_EQ(plain.body, payload);
  auto raw = Fetch(port_, "GET", "/raw", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(raw.body, payload);
}

TEST_F(ServerTest, HandlersSeeTheClientGoingAway) {
  std::promise<bool> saw_gone;
  StartServer(Options(), [&](Router& r) {
    r.Get("/long", [&](Request& req, Response& res) {
      auto deadline = std::chrono::steady_clock::now() + 5s;
      while (!req.ClientGone() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
      saw_gone.set_value(req.ClientGone());
      res.SetText(200, "done");
    });
  });
  {
    RawConn c(port_);
    c.Send("GET /long HTTP/1.1\r\nHost: x\r\n\r\n");
    std::this_thread::sleep_for(50ms);
  }  // closes the socket
  auto f = saw_gone.get_future();
  ASSERT_EQ(f.wait_for(3s), std::future_status::ready);
  EXPECT_TRUE(f.get());
}

TEST_F(ServerTest, StopFinishesInFlightRequestsThenCloses) {
  std::atomic<bool> started{false};
  StartServer(Options(), [&](Router& r) {
    r.Get("/work", [&](Request&, Response& res) {
      started = true;
      std::this_thread::sleep_for(300ms);
      res.SetText(200, "finished");
    });
  });
  RawConn busy(port_);
  busy.Send("GET /work HTTP/1.1\r\nHost: x\r\n\r\n");
  RawConn idle(port_);
  while (!started) std::this_thread::sleep_for(1ms);
  std::thread stopper([&] { server_->Stop(absl::Seconds(5)); });
  RawResponse r;
  ASSERT_TRUE(busy.Read(&r));
  EXPECT_EQ(r.body, "finished");
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(busy.WaitClosed(2000));
  EXPECT_TRUE(idle.WaitClosed(2000));
  stopper.join();
  RawConn after(port_);
  EXPECT_FALSE(after.connected());
}

TEST_F(ServerTest, AnswersServiceUnavailableWhenTheQueueIsFull) {
  ServerOptions o = Options();
  o.worker_threads = 1;
  o.max_queued_requests = 1;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> running{0};
  StartServer(o, [&](Router& r) {
    r.Get("/block", [&](Request&, Response& res) {
      ++running;
      released.wait();
      res.SetText(200, "ok");
    });
    r.Get("/-/healthy", [](Request&, Response& res) { res.SetText(200, "healthy"); }, {.run_inline = true});
  });
  RawConn a(port_), b(port_), c(port_);
  a.Send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
  while (running == 0) std::this_thread::sleep_for(1ms);
  b.Send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");  // queued
  std::this_thread::sleep_for(50ms);
  c.Send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");  // refused
  RawResponse rc;
  ASSERT_TRUE(c.Read(&rc));
  EXPECT_EQ(rc.status, 503);
  // Inline routes answer even though every worker is busy.
  auto health = Fetch(port_, "GET", "/-/healthy");
  EXPECT_EQ(health.body, "healthy");
  release.set_value();
  RawResponse ra, rb;
  ASSERT_TRUE(a.Read(&ra));
  ASSERT_TRUE(b.Read(&rb));
  EXPECT_EQ(ra.status, 200);
  EXPECT_EQ(rb.status, 200);
}

TEST_F(ServerTest, SendsContinueForExpect100) {
  StartServer(Options(), [](Router& r) { r.Post("/p", Echo()); });
  RawConn c(port_);
  c.Send("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  RawResponse cont;
  ASSERT_TRUE(c.Read(&cont));
  EXPECT_EQ(cont.status, 100);
  c.Send("abc");
  RawResponse r;
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /p\nbody=abc");
}

TEST_F(ServerTest, ListensOnEveryInterfaceWithAColonPort) {
  ServerOptions o = Options();
  o.listen_address = ":0";
  StartServer(o, [](Router& r) { r.Get("/x", Echo()); });
  EXPECT_EQ(Fetch(port_, "GET", "/x").status, 200);
}

TEST_F(ServerTest, StartFailsNamingTheAddress) {
  StartServer(Options(), [](Router& r) { r.Get("/x", Echo()); });
  ServerOptions o = Options();
  o.listen_address = "127.0.0.1:" + std::to_string(port_);
  Server second(o);
  auto st = second.Start();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("listen tcp 127.0.0.1:" + std::to_string(port_)), absl::string_view::npos) << st;
  o.listen_address = "nonsense";
  EXPECT_EQ(Server(o).Start().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ServerTest, HandlerExceptionsBecome500) {
  StartServer(Options(), [](Router& r) {
    r.Get("/throw", [](Request&, Response&) { throw std::runtime_error("boom"); });
  });
  auto r = Fetch(port_, "GET", "/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "internal server error\n");
}

}  // namespace
}  // namespace pharos::http
