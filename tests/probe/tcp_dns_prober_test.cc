// The tcp prober against fake line servers and the dns prober against a fake
// UDP DNS server, all on 127.0.0.1; plus the DNS codec on its own.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "config/probe_config.h"
#include "probe/dns_message.h"
#include "probe/prober.h"
#include "probe/testing/fake_servers.h"
#include "probe/testing/process.h"

namespace pharos::probe {
namespace {


TEST(TcpProber, ConnectOnlyAndRefused) {
  testing::FakeTcpServer server([](int) {});
  ProbeResult ok = RunProbe(testing::TestModule("    prober: tcp\n"), absl::StrCat("127.0.0.1:", server.port()), absl::Seconds(2));
  EXPECT_TRUE(ok.success()) << ok.failure();
  EXPECT_EQ(ok.Value("probe_ip_protocol"), 4);
  uint16_t closed = testing::FreePort();
  ProbeResult refused = RunProbe(testing::TestModule("    prober: tcp\n"), absl::StrCat("127.0.0.1:", closed), absl::Seconds(2));
  EXPECT_FALSE(refused.success());
  EXPECT_NE(refused.failure().find("refused"), std::string::npos) << refused.failure();
  ProbeResult no_port = RunProbe(testing::TestModule("    prober: tcp\n"), "127.0.0.1", absl::Seconds(2));
  EXPECT_FALSE(no_port.success());
}

// An IRC-like conversation as in blackbox_exporter's example irc_banner.
TEST(TcpProber, QueryResponseWithGroups) {
  std::string got_pong;
  testing::FakeTcpServer server([&](int fd) {
    testing::ReadLine(fd);  // NICK
    testing::ReadLine(fd);  // USER
    testing::WriteAll(fd, "NOTICE hello\r\nPING :abc123\r\n");
    got_pong = testing::ReadLine(fd);
    testing::WriteAll(fd, ":server 001 prober :Welcome\r\n");
  });
  auto mods = config::LoadProbeModulesFile("/etc/prometheus/blackbox.yml");
  if (!mods.ok()) GTEST_SKIP() << "no /etc/prometheus/blackbox.yml";
  ProbeResult r = RunProbe(*mods->Find("irc_banner"), absl::StrCat("127.0.0.1:", server.port()), absl::Seconds(3));
  EXPECT_TRUE(r.success()) << r.failure();
  EXPECT_EQ(got_pong, "PONG abc123");
  EXPECT_EQ(r.Value("probe_failed_due_to_regex"), 0);
}

TEST(TcpProber, ExpectFailsOnGarbageEofAndSilence) {
  testing::FakeTcpServer garbage([](int fd) { testing::WriteAll(fd, "\x01\x02 garbage\r\nmore\r\n"); });
  const char* ssh = "    prober: tcp\n    tcp:\n      query_response:\n        - expect: '^SSH-2.0-'\n";
  ProbeResult r = RunProbe(testing::TestModule(ssh), absl::StrCat("127.0.0.1:", garbage.port()), absl::Seconds(2));
  EXPECT_FALSE(r.success());
  EXPECT_EQ(r.Value("probe_failed_due_to_regex"), 1);
  testing::FakeTcpServer silent([](int fd) { usleep(1'500'000); });
  absl::Time start = absl::Now();
  ProbeResult s = RunProbe(testing::TestModule(ssh), absl::StrCat("127.0.0.1:", silent.port()), absl::Milliseconds(400));
  EXPECT_FALSE(s.success());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1200));
  testing::FakeTcpServer banner([](int fd) { testing::WriteAll(fd, "SSH-2.0-OpenSSH_9.2\r\n"); });
  ProbeResult b = RunProbe(testing::TestModule(ssh), absl::StrCat("127.0.0.1:", banner.port()), absl::Seconds(2));
  EXPECT_TRUE(b.success()) << b.failure();
}

// --- DNS -----------------------------------------------------------------


TEST(DnsProber, AnswersRcodesAndRegexes) {
  testing::FakeDns dns(0);
  const std::string target = absl::StrCat("127.0.0.1:", dns.port());
  ProbeResult r = RunProbe(testing::TestModule("    prober: dns\n    dns:\n      query_name: example.org\n      query_type: A\n"
                                  "      validate_answer_rrs:\n        fail_if_none_matches_regexp: ['.*\\t192\\.0\\.2\\.7$']\n"),
                           target, absl::Seconds(2));
  EXPECT_TRUE(r.success()) << r.failure();
  EXPECT_EQ(r.Value("probe_dns_answer_rrs"), 2);
  EXPECT_EQ(r.Value("probe_dns_query_succeeded"), 1);
  EXPECT_GE(r.Value("probe_dns_lookup_time_seconds"), 0);
  ProbeResult bad = RunProbe(testing::TestModule("    prober: dns\n    dns:\n      query_name: example.org\n"
                                    "      validate_answer_rrs:\n        fail_if_matches_regexp: ['CNAME']\n"),
                             target, absl::Seconds(2));
  EXPECT_FALSE(bad.success());
  testing::FakeDns nx(3);
  ProbeResult rc = RunProbe(testing::TestModule("    prober: dns\n    dns: {query_name: nope.example.org}\n"),
                            absl::StrCat("127.0.0.1:", nx.port()), absl::Seconds(2));
  EXPECT_FALSE(rc.success());
  EXPECT_NE(rc.failure().find("NXDOMAIN"), std::string::npos) << rc.failure();
  ProbeResult rc_ok = RunProbe(testing::TestModule("    prober: dns\n    dns: {query_name: nope.example.org, valid_rcodes: [NXDOMAIN]}\n"),
                               absl::StrCat("127.0.0.1:", nx.port()), absl::Seconds(2));
  EXPECT_TRUE(rc_ok.success()) << rc_ok.failure();
  testing::FakeDns silent(0, true);
  absl::Time start = absl::Now();
  ProbeResult t = RunProbe(testing::TestModule("    prober: dns\n    dns: {query_name: example.org}\n"),
                           absl::StrCat("127.0.0.1:", silent.port()), absl::Milliseconds(300));
  EXPECT_FALSE(t.success());
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(DnsMessage, RoundTripAndRecordText) {
  auto q = BuildDnsQuery(0x1234, "example.org.", DnsTypeCode("A"), 1, true);
  ASSERT_TRUE(q.ok());
  auto m = ParseDnsMessage(testing::DnsAnswer(*q, 0, true));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->id, 0x1234);
  EXPECT_TRUE(m->response);
  ASSERT_EQ(m->answer.size(), 2u);
  EXPECT_EQ(m->answer[0].ToString(), "example.org.\t3600\tIN\tA\t192.0.2.7");
  EXPECT_EQ(m->answer[1].ToString(), "example.org.\t60\tIN\tCNAME\twww.example.org.");
  EXPECT_FALSE(BuildDnsQuery(1, std::string(70, 'a') + ".org", 1, 1, true).ok());
}

TEST(DnsMessage, RejectsMalformed) {
  auto q = BuildDnsQuery(7, "a.b", 1, 1, true);
  std::string good = testing::DnsAnswer(*q, 0, true);
  for (size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_FALSE(ParseDnsMessage(good.substr(0, cut)).ok()) << cut;
  }
  // A compression pointer to itself.
  std::string loop = good.substr(0, 12) + std::string("\xc0\x0c\0\1\0\1", 6);
  EXPECT_FALSE(ParseDnsMessage(loop).ok());
}

}  // namespace
}  // namespace pharos::probe
