#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "http/client.h"
#include "http/server.h"
#include "http/testing/tls_server.h"

namespace pharos::http {
namespace {

using namespace std::chrono_literals;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.listen_address = "127.0.0.1:0";
    server_ = std::make_unique<Server>(o);
    Router& r = server_->router();
    r.Get("/hello", [](Request&, Response& res) {
      res.SetText(200, "hello");
      res.SetHeader("Content-Type", "text/plain; version=0.0.4");
    });
    r.Get("/peer", [](Request& req, Response& res) { res.SetText(200, req.remote_address); });
    r.Get("/header/:name", [](Request& req, Response& res) {
      res.SetText(200, std::string(req.Header(req.PathParam("name"))));
    });
    r.Post("/echo", [](Request& req, Response& res) {
      res.SetText(201, std::string(req.Header("Content-Type")) + "|" + std::string(req.Header("X-Extra")) + "|" +
                           req.body);
    });
    r.Get("/big", [](Request&, Response& res) { res.SetText(200, std::string(1000, 'b')); });
    r.Get("/slow", [](Request&, Response& res) {
      std::this_thread::sleep_for(500ms);
      res.SetText(200, "late");
    });
    r.Get("/redirect", [](Request&, Response& res) {
      res.status = 302;
      res.SetHeader("Location", "/hello");
    });
    r.Get("/status/:code", [](Request& req, Response& res) {
      res.SetText(std::stoi(std::string(req.PathParam("code"))), "status");
    });
    ASSERT_TRUE(server_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override { server_->Stop(absl::Seconds(2)); }

  std::unique_ptr<Server> server_;
  std::string base_;
};

TEST_F(ClientTest, GetsStatusBodyContentTypeAndDuration) {
  Client c;
  std::string body;
  auto r = c.Get(base_ + "/hello", &body);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body, "hello");
  EXPECT_EQ(r->content_type, "text/plain; version=0.0.4");
  EXPECT_GT(r->duration, absl::ZeroDuration());
  bool has_request_id = false;
  for (const auto& [k, v] : r->headers) has_request_id |= EqualsIgnoreCase(k, "X-Request-ID");
  EXPECT_TRUE(has_request_id);
  // Error statuses are answers, not errors.
  r = c.Get(base_ + "/status/503", &body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  // Redirects are followed.
  r = c.Get(base_ + "/redirect", &body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body, "hello");
}

TEST_F(ClientTest, ReusesTheConnectionToATarget) {
  Client c;
  std::string first, second;
  ASSERT_TRUE(c.Get(base_ + "/peer", &first).ok());
  ASSERT_TRUE(c.Get(base_ + "/peer", &second).ok());
  EXPECT_EQ(first, second);  // same client port: same connection
  Client other;
  std::string third;
  ASSERT_TRUE(other.Get(base_ + "/peer", &third).ok());
  EXPECT_NE(first, third);
}

TEST_F(ClientTest, PostsBodiesWithHeaders) {
  Client c;
  ClientRequest req;
  req.method = "POST";
  req.url = base_ + "/echo";
  req.headers = {{"Content-Type", "application/x-protobuf"}, {"X-Extra", "yes"}};
  std::string payload(5000, 'p');
  req.body = payload;
  std::string body;
  auto r = c.Do(req, &body);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(body, "application/x-protobuf|yes|" + payload);
  r = c.Post(base_ + "/echo", "text/plain", "abc", &body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(body, "text/plain||abc");
  // No Content-Type unless the caller gives one.
  req.headers.clear();
  r = c.Do(req, &body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(body, "||" + payload);
}

TEST_F(ClientTest, SendsBasicAuthAndBearerTokens) {
  ClientOptions basic;
  basic.basic_auth_username = "user";
  basic.basic_auth_password = "pass";
  std::string body;
  ASSERT_TRUE(Client(basic).Get(base_ + "/header/Authorization", &body).ok());
  EXPECT_EQ(body, "Basic dXNlcjpwYXNz");
  ClientOptions bearer;
  bearer.bearer_token = "tok3n";
  ASSERT_TRUE(Client(bearer).Get(base_ + "/header/Authorization", &body).ok());
  EXPECT_EQ(body, "Bearer tok3n");
  ASSERT_TRUE(Client().Get(base_ + "/header/User-Agent", &body).ok());
  EXPECT_EQ(body, "Pharos/0.1");
}

TEST_F(ClientTest, AcceptsAndDecodesGzip) {
  Client c;
  std::string body;
  ASSERT_TRUE(c.Get(base_ + "/header/Accept-Encoding", &body).ok());
  EXPECT_EQ(body, "gzip");
  auto r = c.Get(base_ + "/big", &body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(body, std::string(1000, 'b'));
  bool gz = false;
  for (const auto& [k, v] : r->headers) gz |= EqualsIgnoreCase(k, "Content-Encoding") && v == "gzip";
  EXPECT_TRUE(gz);
  ClientOptions plain;
  plain.accept_gzip = false;
  ASSERT_TRUE(Client(plain).Get(base_ + "/header/Accept-Encoding", &body).ok());
  EXPECT_EQ(body, "");
}

TEST_F(ClientTest, AbortsBodiesOverTheLimit) {
  ClientOptions o;
  o.max_body_bytes = 100;
  Client c(o);
  std::string body;
  auto r = c.Get(base_ + "/big", &body);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "GET " + base_ + "/big: response body exceeds the limit of 100 bytes");
  // The limit applies to the decoded body, and a per-request limit wins.
  ClientRequest req;
  req.url = base_ + "/big";
  req.max_body_bytes = 1000;
  ASSERT_TRUE(c.Do(req, &body).ok());
  // The client stays usable.
  ASSERT_TRUE(c.Get(base_ + "/hello", &body).ok());
  EXPECT_EQ(body, "hello");
}

TEST_F(ClientTest, TimesOutNamingTheUrl) {
  ClientOptions o;
  o.timeout = absl::Milliseconds(100);
  Client c(o);
  std::string body;
  auto r = c.Get(base_ + "/slow", &body);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_NE(r.status().message().find("GET " + base_ + "/slow: timeout after 100ms"), absl::string_view::npos)
      << r.status();
}

TEST_F(ClientTest, ReportsConnectionFailuresAndBadUrls) {
  std::string url = base_ + "/hello";
  server_->Stop(absl::Seconds(1));
  Client c;
  std::string body;
  auto r = c.Get(url, &body);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("GET " + url + ": "), absl::string_view::npos) << r.status();
  EXPECT_EQ(c.Get("ftp://127.0.0.1/x", &body).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientTest, ReusesTheCallersBodyBuffer) {
  Client c;
  std::string body;
  ASSERT_TRUE(c.Get(base_ + "/big", &body).ok());
  size_t cap = body.capacity();
  ASSERT_TRUE(c.Get(base_ + "/hello", &body).ok());
  EXPECT_EQ(body, "hello");
  EXPECT_EQ(body.capacity(), cap);
}

TEST(ClientUrl, RedactsPasswords) {
  EXPECT_EQ(RedactUrl("http://user:secret@host:9/x?y=1"), "http://user:xxxxx@host:9/x?y=1");
  EXPECT_EQ(RedactUrl("http://host/a@b"), "http://host/a@b");
  EXPECT_EQ(RedactUrl("http://user@host/"), "http://user@host/");
}

class ClientTlsTest : public ::testing::Test {
 protected:
  testing::TestCerts certs_ = testing::MakeTestCerts();
};

TEST_F(ClientTlsTest, VerifiesWithTheGivenCaAndServerName) {
  testing::TlsServer server(certs_, false);
  std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/x";
  std::string body;
  // The certificate names pharos.test, not 127.0.0.1.
  ClientOptions ca_only;
  ca_only.tls.ca_file = certs_.ca_cert;
  auto r = Client(ca_only).Get(url, &body);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("GET " + url), absl::string_view::npos);

  ClientOptions named = ca_only;
  named.tls.server_name = "pharos.test";
  r = Client(named).Get(url, &body);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(body, "tls-ok client=none");

  // Without the CA the chain is unknown; skipping verification still connects.
  ClientOptions no_ca;
  no_ca.tls.server_name = "pharos.test";
  EXPECT_FALSE(Client(no_ca).Get(url, &body).ok());
  ClientOptions insecure;
  insecure.tls.insecure_skip_verify = true;
  r = Client(insecure).Get(url, &body);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(body, "tls-ok client=none");

  ClientOptions bad_ca;
  bad_ca.tls.ca_file = certs_.dir + "/missing.pem";
  EXPECT_FALSE(Client(bad_ca).Get(url, &body).ok());
}

TEST_F(ClientTlsTest, PresentsAClientCertificate) {
  testing::TlsServer server(certs_, true);
  std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/x";
  std::string body;
  ClientOptions o;
  o.tls.ca_file = certs_.ca_cert;
  o.tls.server_name = "pharos.test";
  EXPECT_FALSE(Client(o).Get(url, &body).ok());
  o.tls.cert_file = certs_.client_cert;
  o.tls.key_file = certs_.client_key;
  auto r = Client(o).Get(url, &body);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(body, "tls-ok client=scraper");
}

}  // namespace
}  // namespace pharos::http
