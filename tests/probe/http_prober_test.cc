// The http prober against a real HTTP server on 127.0.0.1 (Pharos' own) and
// a real TLS server (openssl s_server with a self-signed certificate).
#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "config/probe_config.h"
#include "http/server.h"
#include "probe/prober.h"
#include "probe/testing/fake_servers.h"
#include "probe/testing/process.h"

namespace pharos::probe {
namespace {

class HttpProberTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    http::ServerOptions o;
    o.listen_address = "127.0.0.1:0";
    o.worker_threads = 4;
    server_ = new http::Server(o);
    auto& r = server_->router();
    r.Get("/ok", [](http::Request&, http::Response& res) {
      res.SetHeader("X-Test", "hello");
      res.SetHeader("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
      res.SetText(200, "all systems go");
    });
    r.Get("/error", [](http::Request&, http::Response& res) { res.SetText(503, "Error: down"); });
    r.Get("/redirect", [](http::Request&, http::Response& res) {
      res.status = 302;
      res.SetHeader("Location", "/ok");
    });
    r.Get("/slow", [](http::Request&, http::Response& res) {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      res.SetText(200, "late");
    });
    r.Post("/echo", [](http::Request& req, http::Response& res) {
      res.SetText(200, absl::StrCat("method=", req.method, " body=", req.body, " auth=", AV(req.Header("Authorization"))));
    });
    ASSERT_TRUE(server_->Start().ok());
    base_ = absl::StrCat("http://127.0.0.1:", server_->port());
  }
  static void TearDownTestSuite() {
    server_->Stop(absl::ZeroDuration());
    delete server_;
  }


  static http::Server* server_;
  static std::string base_;
};

http::Server* HttpProberTest::server_ = nullptr;
std::string HttpProberTest::base_;

TEST_F(HttpProberTest, Success2xx) {
  ProbeResult r = RunProbe(testing::TestModule("    prober: http\n"), base_ + "/ok", absl::Seconds(5));
  EXPECT_TRUE(r.success()) << r.failure();
  EXPECT_EQ(r.Value("probe_http_status_code"), 200);
  EXPECT_EQ(r.Value("probe_http_ssl"), 0);
  EXPECT_EQ(r.Value("probe_http_redirects"), 0);
  EXPECT_EQ(r.Value("probe_http_version"), 1.1);
  EXPECT_EQ(r.Value("probe_ip_protocol"), 4);  // 127.0.0.1 via the ip6→ip4 fallback
  EXPECT_EQ(r.Value("probe_http_content_length"), 14);
  EXPECT_EQ(r.Value("probe_http_uncompressed_body_length"), 14);
  EXPECT_EQ(r.Value("probe_http_last_modified_timestamp_seconds"), 1445412480);
  EXPECT_EQ(r.Value("probe_failed_due_to_regex"), 0);
  EXPECT_EQ(r.Value("probe_success"), 1);
  std::string text = RenderText(r);
  for (const char* phase : {"resolve", "connect", "tls", "processing", "transfer"}) {
    EXPECT_NE(text.find(absl::StrCat("probe_http_duration_seconds{phase=\"", phase, "\"}")), std::string::npos) << text;
  }
  EXPECT_NE(text.find("# TYPE probe_success gauge\nprobe_success 1\n"), std::string::npos) << text;
}

TEST_F(HttpProberTest, StatusCodes) {
  ProbeResult bad = RunProbe(testing::TestModule("    prober: http\n"), base_ + "/error", absl::Seconds(5));
  EXPECT_FALSE(bad.success());
  EXPECT_EQ(bad.Value("probe_http_status_code"), 503);
  EXPECT_NE(bad.failure().find("status_code=503"), std::string::npos) << bad.failure();
  ProbeResult allowed =
      RunProbe(testing::TestModule("    prober: http\n    http: {valid_status_codes: [503]}\n"), base_ + "/error", absl::Seconds(5));
  EXPECT_TRUE(allowed.success()) << allowed.failure();
  ProbeResult missing = RunProbe(testing::TestModule("    prober: http\n"), base_ + "/nothing-here", absl::Seconds(5));
  EXPECT_FALSE(missing.success());
  EXPECT_EQ(missing.Value("probe_http_status_code"), 404);
}

TEST_F(HttpProberTest, BodyAndHeaderRegexes) {
  struct Case {
    const char* http;
    bool success;
  } cases[] = {
      {"{fail_if_body_matches_regexp: ['systems go']}", false},
      {"{fail_if_body_matches_regexp: ['meltdown']}", true},
      {"{fail_if_body_not_matches_regexp: ['^all .* go$']}", true},
      {"{fail_if_body_not_matches_regexp: ['meltdown']}", false},
      {"{fail_if_header_matches: [{header: X-Test, regexp: 'hel+o'}]}", false},
      {"{fail_if_header_matches: [{header: X-Missing, regexp: '.*', allow_missing: true}]}", true},
      {"{fail_if_header_matches: [{header: X-Missing, regexp: '.*'}]}", false},
      {"{fail_if_header_not_matches: [{header: x-test, regexp: '^hello$'}]}", true},
      {"{fail_if_header_not_matches: [{header: X-Test, regexp: '^bye$'}]}", false},
  };
  for (const Case& c : cases) {
    ProbeResult r = RunProbe(testing::TestModule(absl::StrCat("    prober: http\n    http: ", c.http, "\n")), base_ + "/ok",
                             absl::Seconds(5));
    EXPECT_EQ(r.success(), c.success) << c.http << ": " << r.failure();
    EXPECT_EQ(r.Value("probe_failed_due_to_regex"), c.success ? 0 : 1) << c.http;
  }
}

TEST_F(HttpProberTest, Redirects) {
  ProbeResult follow = RunProbe(testing::TestModule("    prober: http\n"), base_ + "/redirect", absl::Seconds(5));
  EXPECT_TRUE(follow.success()) << follow.failure();
  EXPECT_EQ(follow.Value("probe_http_redirects"), 1);
  EXPECT_EQ(follow.Value("probe_http_status_code"), 200);
  ProbeResult stay =
      RunProbe(testing::TestModule("    prober: http\n    http: {follow_redirects: false}\n"), base_ + "/redirect", absl::Seconds(5));
  EXPECT_FALSE(stay.success());
  EXPECT_EQ(stay.Value("probe_http_status_code"), 302);
  ProbeResult legacy = RunProbe(testing::TestModule("    prober: http\n    http: {no_follow_redirects: true, valid_status_codes: [302]}\n"),
                                base_ + "/redirect", absl::Seconds(5));
  EXPECT_TRUE(legacy.success()) << legacy.failure();
}

TEST_F(HttpProberTest, MethodBodyAndAuth) {
  ProbeResult r = RunProbe(testing::TestModule("    prober: http\n    http:\n      method: POST\n      body: ping\n"
                                  "      bearer_token: tok123\n      fail_if_body_not_matches_regexp:\n"
                                  "        - 'method=POST body=ping auth=Bearer tok123'\n"),
                           base_ + "/echo", absl::Seconds(5));
  EXPECT_TRUE(r.success()) << r.failure();
}

TEST_F(HttpProberTest, TimeoutFailsWithinItsBudget) {
  absl::Time start = absl::Now();
  ProbeResult r = RunProbe(testing::TestModule("    prober: http\n"), base_ + "/slow", absl::Milliseconds(500));
  EXPECT_FALSE(r.success());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));
  EXPECT_NE(r.failure().find("timeout"), std::string::npos) << r.failure();
}

TEST_F(HttpProberTest, ConnectionRefusedAndSslChecks) {
  uint16_t closed = testing::FreePort();
  ProbeResult refused = RunProbe(testing::TestModule("    prober: http\n"), absl::StrCat("127.0.0.1:", closed), absl::Seconds(2));
  EXPECT_FALSE(refused.success());
  ProbeResult not_ssl = RunProbe(testing::TestModule("    prober: http\n    http: {fail_if_not_ssl: true}\n"), base_ + "/ok",
                                 absl::Seconds(5));
  EXPECT_FALSE(not_ssl.success());
  EXPECT_NE(not_ssl.failure().find("not over SSL"), std::string::npos);
  ProbeResult ip6_only = RunProbe(
      testing::TestModule("    prober: http\n    http: {preferred_ip_protocol: ip6, ip_protocol_fallback: false}\n"), base_ + "/ok",
      absl::Seconds(2));
  EXPECT_FALSE(ip6_only.success());
}


TEST_F(HttpProberTest, TlsSelfSignedCertificateAndExpiry) {
  testing::TlsServer tls(30);
  if (!tls.ok()) GTEST_SKIP() << "openssl s_server unavailable";
  const std::string url = absl::StrCat("https://127.0.0.1:", tls.port(), "/");
  // Untrusted: the self-signed certificate is refused.
  ProbeResult untrusted = RunProbe(testing::TestModule("    prober: http\n"), url, absl::Seconds(5));
  EXPECT_FALSE(untrusted.success());
  // Trusted through ca_file.
  ProbeResult r = RunProbe(testing::TestModule(absl::StrCat("    prober: http\n    http:\n      fail_if_not_ssl: true\n"
                                               "      tls_config: {ca_file: ", tls.cert(), "}\n")),
                           url, absl::Seconds(5));
  EXPECT_TRUE(r.success()) << r.failure() << "\n" << RenderText(r);
  EXPECT_EQ(r.Value("probe_http_ssl"), 1);
  double expiry = r.Value("probe_ssl_earliest_cert_expiry");
  double want = static_cast<double>(time(nullptr)) + 30 * 86400;
  EXPECT_NEAR(expiry, want, 3600) << RenderText(r);
  std::string text = RenderText(r);
  EXPECT_NE(text.find("probe_tls_version_info{version=\"TLS 1.3\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("subject=\"CN=probe.test\""), std::string::npos) << text;
  EXPECT_GT(r.Value("probe_http_duration_seconds", -1), -2);
  // Skipping verification also works; fail_if_ssl then fails.
  ProbeResult skip = RunProbe(
      testing::TestModule("    prober: http\n    http:\n      fail_if_ssl: true\n      tls_config: {insecure_skip_verify: true}\n"),
      url, absl::Seconds(5));
  EXPECT_FALSE(skip.success());
  EXPECT_NE(skip.failure().find("over SSL"), std::string::npos) << skip.failure();
}

TEST_F(HttpProberTest, TcpTlsReportsExpiry) {
  testing::TlsServer tls(10);
  if (!tls.ok()) GTEST_SKIP() << "openssl s_server unavailable";
  ProbeResult r = RunProbe(
      testing::TestModule(absl::StrCat("    prober: tcp\n    tcp:\n      tls: true\n      tls_config: {ca_file: ", tls.cert(),
                          "}\n      query_response:\n        - send: \"GET / HTTP/1.0\\r\\n\"\n"
                          "        - expect: '^HTTP/1.0 200'\n")),
      absl::StrCat("127.0.0.1:", tls.port()), absl::Seconds(5));
  EXPECT_TRUE(r.success()) << r.failure();
  EXPECT_NEAR(r.Value("probe_ssl_earliest_cert_expiry"), time(nullptr) + 10 * 86400.0, 3600);
}

}  // namespace
}  // namespace pharos::probe
