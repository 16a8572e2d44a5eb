// The postgres and redis probers against real servers started on 127.0.0.1
// (Debian's postgresql-15 and redis-server): healthy, wrong password,
// stopped, too slow (timeout) and recovery.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "config/probe_config.h"
#include "probe/prober.h"
#include "probe/testing/fake_servers.h"
#include "probe/testing/process.h"

namespace pharos::probe {
namespace {


TEST(PostgresProber, RealServerLifecycle) {
  testing::Postgres pg("s3cret");
  if (!pg.available()) GTEST_SKIP() << "postgresql-15 is not installed";
  ASSERT_TRUE(pg.Start());
  const std::string target = absl::StrCat("127.0.0.1:", pg.port());
  config::ProbeModule good =
      testing::TestModule("    prober: postgres\n    postgres:\n      user: postgres\n      password: s3cret\n"
             "      database: postgres\n      sslmode: disable\n");
  ProbeResult r = RunProbe(good, target, absl::Seconds(10));
  EXPECT_TRUE(r.success()) << r.failure();
  EXPECT_EQ(r.Value("probe_postgres_up"), 1);
  EXPECT_EQ(r.Value("probe_postgres_query_success"), 1);
  EXPECT_GE(r.Value("probe_postgres_server_version"), 150000);
  EXPECT_LT(r.Value("probe_postgres_server_version"), 160000);
  EXPECT_EQ(r.Value("probe_postgres_in_recovery"), 0);

  // A DSN, a password from the environment and an expected value.
  setenv("PHAROS_TEST_PGPASSWORD", "s3cret", 1);
  config::ProbeModule dsn = testing::TestModule(absl::StrCat(
      "    prober: postgres\n    postgres:\n      dsn: 'postgresql://postgres@127.0.0.1:", pg.port(),
      "/postgres?sslmode=disable'\n      password_env: PHAROS_TEST_PGPASSWORD\n"
      "      query: SELECT 40 + 2\n      expected: '42'\n"));
  ProbeResult d = RunProbe(dsn, "", absl::Seconds(10));
  EXPECT_TRUE(d.success()) << d.failure();
  config::ProbeModule wrong_expect = testing::TestModule(
      "    prober: postgres\n    postgres: {user: postgres, password: s3cret, sslmode: disable, query: SELECT 1, "
      "expected: '2'}\n");
  ProbeResult we = RunProbe(wrong_expect, target, absl::Seconds(10));
  EXPECT_FALSE(we.success());
  EXPECT_EQ(we.Value("probe_postgres_query_success"), 0);
  ProbeResult bad_sql = RunProbe(
      testing::TestModule("    prober: postgres\n    postgres: {user: postgres, password: s3cret, sslmode: disable, "
             "query: SELECT * FROM no_such_table}\n"),
      target, absl::Seconds(10));
  EXPECT_FALSE(bad_sql.success());
  EXPECT_NE(bad_sql.failure().find("no_such_table"), std::string::npos) << bad_sql.failure();

  // Wrong password.
  ProbeResult wrong = RunProbe(
      testing::TestModule("    prober: postgres\n    postgres: {user: postgres, password: nope, sslmode: disable}\n"), target,
      absl::Seconds(10));
  EXPECT_FALSE(wrong.success());
  EXPECT_EQ(wrong.Value("probe_postgres_up"), 0);
  EXPECT_NE(wrong.failure().find("password authentication failed"), std::string::npos) << wrong.failure();
  EXPECT_EQ(wrong.failure().find("nope"), std::string::npos) << "the password leaked: " << wrong.failure();

  // Too slow: the server is frozen; the probe gives up at its timeout.
  pg.Pause();
  absl::Time start = absl::Now();
  ProbeResult slow = RunProbe(good, target, absl::Seconds(1));
  EXPECT_FALSE(slow.success());
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_NE(slow.failure().find("timeout"), std::string::npos) << slow.failure();
  pg.Resume();

  // Stopped, then recovery.
  pg.Stop();
  ProbeResult down = RunProbe(good, target, absl::Seconds(5));
  EXPECT_FALSE(down.success());
  EXPECT_NE(down.failure().find("refused"), std::string::npos) << down.failure();
  ASSERT_TRUE(pg.Start());
  ProbeResult back = RunProbe(good, target, absl::Seconds(10));
  EXPECT_TRUE(back.success()) << back.failure();
}

TEST(RedisProber, RealServerLifecycle) {
  testing::Redis redis("hunter2");
  if (!redis.available()) GTEST_SKIP() << "redis-server is not installed";
  ASSERT_TRUE(redis.Start());
  const std::string target = absl::StrCat("127.0.0.1:", redis.port());
  std::string pwfile = testing::MakeTempDir("rpw") + "/pw";
  std::ofstream(pwfile) << "hunter2\n";
  config::ProbeModule good = testing::TestModule(absl::StrCat(
      "    prober: redis\n    redis:\n      password_file: ", pwfile,
      "\n      db: 3\n      info_checks: {role: master, connected_slaves: '0'}\n"));
  ProbeResult r = RunProbe(good, target, absl::Seconds(5));
  EXPECT_TRUE(r.success()) << r.failure();
  EXPECT_EQ(r.Value("probe_redis_up"), 1);
  EXPECT_EQ(r.Value("probe_redis_role_master"), 1);
  EXPECT_EQ(r.Value("probe_redis_connected_slaves"), 0);
  EXPECT_NE(RenderText(r).find("probe_redis_version_info{version=\"7."), std::string::npos) << RenderText(r);
  EXPECT_NE(RenderText(r).find("probe_redis_info_check_success{field=\"role\"} 1"), std::string::npos);

  ProbeResult replica = RunProbe(testing::TestModule("    prober: redis\n    redis: {password: hunter2, info_checks: {role: slave}}\n"),
                                 target, absl::Seconds(5));
  EXPECT_FALSE(replica.success());
  EXPECT_EQ(replica.Value("probe_redis_up"), 1);

  ProbeResult wrong = RunProbe(testing::TestModule("    prober: redis\n    redis: {password: wrong}\n"), target, absl::Seconds(5));
  EXPECT_FALSE(wrong.success());
  EXPECT_EQ(wrong.Value("probe_redis_up"), 0);
  EXPECT_NE(wrong.failure().find("WRONGPASS"), std::string::npos) << wrong.failure();
  ProbeResult none = RunProbe(testing::TestModule("    prober: redis\n"), target, absl::Seconds(5));
  EXPECT_FALSE(none.success());
  EXPECT_NE(none.failure().find("NOAUTH"), std::string::npos) << none.failure();

  redis.Pause();
  absl::Time start = absl::Now();
  ProbeResult slow = RunProbe(good, target, absl::Milliseconds(500));
  EXPECT_FALSE(slow.success());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));
  EXPECT_NE(slow.failure().find("timeout"), std::string::npos) << slow.failure();
  redis.Resume();

  redis.Stop();
  ProbeResult down = RunProbe(good, target, absl::Seconds(2));
  EXPECT_FALSE(down.success());
  ASSERT_TRUE(redis.Start());
  ProbeResult back = RunProbe(good, target, absl::Seconds(5));
  EXPECT_TRUE(back.success()) << back.failure();
}

TEST(RedisProber, Tls) {
  testing::Redis redis("");
  std::string dir = testing::MakeTempDir("rtls");
  if (!redis.available() || !testing::MakeSelfSignedCert(dir, 7)) GTEST_SKIP() << "redis-server or openssl missing";
  ASSERT_TRUE(redis.Start(dir));
  const std::string target = absl::StrCat("127.0.0.1:", redis.port());
  ProbeResult r = RunProbe(
      testing::TestModule(absl::StrCat("    prober: redis\n    redis: {tls: true, tls_config: {ca_file: ", dir,
                                       "/cert.pem}}\n")),
      target, absl::Seconds(5));
  EXPECT_TRUE(r.success()) << r.failure();
  EXPECT_NEAR(r.Value("probe_ssl_earliest_cert_expiry"), absl::ToUnixSeconds(absl::Now()) + 7 * 86400.0, 3600);
  // The system CAs do not know the self-signed certificate.
  ProbeResult untrusted = RunProbe(testing::TestModule("    prober: redis\n    redis: {tls: true}\n"), target,
                                   absl::Seconds(5));
  EXPECT_FALSE(untrusted.success());
  EXPECT_NE(untrusted.failure().find("certificate verify failed"), std::string::npos) << untrusted.failure();
  // Plain text to a TLS port fails that probe only, within the timeout.
  ProbeResult plain = RunProbe(testing::TestModule("    prober: redis\n"), target, absl::Seconds(1));
  EXPECT_FALSE(plain.success());
}

TEST(PostgresProber, GarbageAndSilenceFailWithinTimeout) {
  testing::FakeTcpServer garbage([](int fd) {
    testing::ReadN(fd, 8);
    testing::WriteAll(fd, "SSH-2.0-OpenSSH_9.2\r\n");
  });
  const char* module = "    prober: postgres\n    postgres: {user: u, password: p, sslmode: disable}\n";
  ProbeResult g = RunProbe(testing::TestModule(module), absl::StrCat("127.0.0.1:", garbage.port()), absl::Seconds(2));
  EXPECT_FALSE(g.success());
  EXPECT_EQ(g.Value("probe_postgres_up"), 0);
  testing::FakeTcpServer silent([](int fd) { usleep(1'500'000); });
  absl::Time start = absl::Now();
  ProbeResult s = RunProbe(testing::TestModule(module), absl::StrCat("127.0.0.1:", silent.port()),
                           absl::Milliseconds(400));
  EXPECT_FALSE(s.success());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1200));
  EXPECT_NE(s.failure().find("timeout"), std::string::npos) << s.failure();
}

TEST(RedisProber, GarbageAnswerFailsOnlyThatProbe) {
  testing::FakeTcpServer garbage([](int fd) {
    testing::ReadN(fd, 14);
    testing::WriteAll(fd, "HTTP/1.1 400 Bad Request\r\n\r\n");
  });
  ProbeResult r = RunProbe(testing::TestModule("    prober: redis\n"), absl::StrCat("127.0.0.1:", garbage.port()), absl::Seconds(2));
  EXPECT_FALSE(r.success());
  EXPECT_NE(r.failure().find("not a RESP reply"), std::string::npos) << r.failure();
}

}  // namespace
}  // namespace pharos::probe
