// The mongodb prober. Debian 12 has no MongoDB server, so the wire protocol
// is checked against a fake server on 127.0.0.1 that plays MongoDB's side
// of the exchange (hello, saslStart/saslContinue with SCRAM-SHA-256, ping)
// with the replies a mongod 7 sends, and against failure paths. SCRAM itself
// is checked against the exchange recorded in RFC 7677.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "config/probe_config.h"
#include "probe/mongo_wire.h"
#include "probe/prober.h"
#include "probe/scram.h"
#include "probe/testing/process.h"

namespace pharos::probe {
namespace {

TEST(Scram, Rfc7677Exchange) {
  ScramSha256 s("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
  EXPECT_EQ(s.ClientFirst(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  auto final_msg = s.ClientFinal("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  ASSERT_TRUE(final_msg.ok()) << final_msg.status();
  EXPECT_EQ(*final_msg,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  EXPECT_TRUE(s.VerifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").ok());
  EXPECT_FALSE(s.VerifyServerFinal("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").ok());
  ScramSha256 t("user", "pencil", "abc");
  EXPECT_FALSE(t.ClientFinal("r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").ok());  // nonce not ours
  EXPECT_FALSE(t.ClientFinal("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1").ok());     // too few iterations
}

using Doc = std::vector<std::pair<std::string, BsonValue>>;

// Plays mongod: `password` is the user's; `mode` selects a failure path.
enum class Mode { kNormal, kNoHello, kGarbage, kSilent };

void ServeMongo(int fd, const std::string& password, Mode mode) {
  std::string server_first;
  std::unique_ptr<ScramSha256> scram;
  while (true) {
    std::string head = testing::ReadN(fd, 4);
    if (head.size() < 4) return;
    int32_t len = ReadLE32(head.data());
    if (len < 21 || len > (1 << 20)) return;
    std::string rest = testing::ReadN(fd, len - 4);
    auto msg = DecodeOpMsg(head + rest);
    if (!msg.ok()) return;
    auto cmd = ParseBson(msg->body);
    if (!cmd.ok() || cmd->empty()) return;
    if (mode == Mode::kSilent) {
      usleep(2'000'000);
      return;
    }
    if (mode == Mode::kGarbage) {
      testing::WriteAll(fd, std::string("\x30\0\0\0garbage-garbage-garbage-garbage-garbage-", 44));
      return;
    }
    const std::string& name = (*cmd)[0].first;
    BsonBuilder reply;
    if (name == "hello" && mode == Mode::kNoHello) {
      reply.Double("ok", 0).String("errmsg", "no such command: 'hello'").Int32("code", 59);
    } else if (name == "hello" || name == "isMaster") {
      reply.Bool(name == "hello" ? "isWritablePrimary" : "ismaster", true)
          .Document("topologyVersion", BsonBuilder().Int64("counter", 0).Finish())
          .Int32("maxBsonObjectSize", 16777216)
          .Int32("maxMessageSizeBytes", 48000000)
          .Int32("maxWriteBatchSize", 100000)
          .Int64("localTime", 1700000000000)
          .Int32("logicalSessionTimeoutMinutes", 30)
          .Int32("connectionId", 7)
          .Int32("minWireVersion", 0)
          .Int32("maxWireVersion", 21)
          .Bool("readOnly", false)
          .Double("ok", 1);
    } else if (name == "saslStart") {
      const BsonValue* payload = BsonFind(*cmd, "payload");
      const BsonValue* mech = BsonFind(*cmd, "mechanism");
      const BsonValue* db = BsonFind(*cmd, "$db");
      EXPECT_EQ(mech ? mech->bytes : "", "SCRAM-SHA-256");
      EXPECT_EQ(db ? db->bytes : "", "admin");
      std::string first = payload ? payload->bytes : "";
      size_t r = first.find(",r=");
      std::string nonce = r == std::string::npos ? "" : first.substr(r + 3);
      size_t n = first.find("n=", 3);
      std::string user = first.substr(n + 2, r - n - 2);
      scram = std::make_unique<ScramSha256>(user, password, nonce);
      server_first = absl::StrCat("r=", nonce, "SERVERNONCE123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
      reply.Int32("conversationId", 1).Bool("done", false).Binary("payload", server_first).Double("ok", 1);
    } else if (name == "saslContinue") {
      const BsonValue* payload = BsonFind(*cmd, "payload");
      auto expected = scram->ClientFinal(server_first);
      if (payload != nullptr && expected.ok() && payload->bytes == *expected) {
        reply.Int32("conversationId", 1).Bool("done", true).Binary("payload", scram->ExpectedServerFinal()).Double("ok", 1);
      } else {
        reply.Double("ok", 0).String("errmsg", "Authentication failed.").Int32("code", 18);
      }
    } else if (name == "ping") {
      reply.Double("ok", 1);
    } else {
      reply.Double("ok", 0).String("errmsg", "unexpected command").Int32("code", 59);
    }
    std::string out = EncodeOpMsg(99, reply.Finish());
    // responseTo = the request's id.
    int32_t id = msg->request_id;
    for (int i = 0; i < 4; ++i) out[8 + i] = static_cast<char>((id >> (8 * i)) & 0xff);
    if (!testing::WriteAll(fd, out)) return;
  }
}


TEST(MongodbProber, HelloScramPing) {
  testing::FakeTcpServer server([](int fd) { ServeMongo(fd, "s3cret", Mode::kNormal); });
  const std::string target = absl::StrCat("127.0.0.1:", server.port());
  ProbeResult anon = RunProbe(testing::TestModule("    prober: mongodb\n"), target, absl::Seconds(3));
  EXPECT_TRUE(anon.success()) << anon.failure();
  EXPECT_EQ(anon.Value("probe_mongodb_up"), 1);
  EXPECT_EQ(anon.Value("probe_mongodb_is_writable_primary"), 1);
  EXPECT_EQ(anon.Value("probe_mongodb_max_wire_version"), 21);
  ProbeResult auth = RunProbe(testing::TestModule("    prober: mongodb\n    mongodb: {username: admin, password: s3cret}\n"), target,
                              absl::Seconds(5));
  EXPECT_TRUE(auth.success()) << auth.failure();
  ProbeResult wrong = RunProbe(testing::TestModule("    prober: mongodb\n    mongodb: {username: admin, password: nope}\n"), target,
                               absl::Seconds(5));
  EXPECT_FALSE(wrong.success());
  EXPECT_EQ(wrong.Value("probe_mongodb_up"), 0);
  EXPECT_NE(wrong.failure().find("Authentication failed. (code 18)"), std::string::npos) << wrong.failure();
}

TEST(MongodbProber, OldServerGarbageAndSilence) {
  testing::FakeTcpServer old([](int fd) { ServeMongo(fd, "", Mode::kNoHello); });
  ProbeResult o = RunProbe(testing::TestModule("    prober: mongodb\n"), absl::StrCat("127.0.0.1:", old.port()), absl::Seconds(3));
  EXPECT_TRUE(o.success()) << o.failure();
  EXPECT_EQ(o.Value("probe_mongodb_is_writable_primary"), 1);
  testing::FakeTcpServer garbage([](int fd) { ServeMongo(fd, "", Mode::kGarbage); });
  ProbeResult g = RunProbe(testing::TestModule("    prober: mongodb\n"), absl::StrCat("127.0.0.1:", garbage.port()), absl::Seconds(3));
  EXPECT_FALSE(g.success());
  testing::FakeTcpServer silent([](int fd) { ServeMongo(fd, "", Mode::kSilent); });
  absl::Time start = absl::Now();
  ProbeResult s = RunProbe(testing::TestModule("    prober: mongodb\n"), absl::StrCat("127.0.0.1:", silent.port()),
                           absl::Milliseconds(400));
  EXPECT_FALSE(s.success());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));
  EXPECT_NE(s.failure().find("timeout"), std::string::npos) << s.failure();
}

TEST(MongoWire, BsonRoundTripAndBounds) {
  std::string doc = BsonBuilder().Int32("a", 1).String("s", "x").Bool("b", true).Double("d", 2.5)
                        .Document("sub", BsonBuilder().Int64("n", 5).Finish()).Binary("bin", "\x01\x02").Finish();
  auto parsed = ParseBson(doc);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(BsonFind(*parsed, "a")->number, 1);
  EXPECT_EQ(BsonFind(*parsed, "s")->bytes, "x");
  EXPECT_EQ(BsonFind(*parsed, "d")->number, 2.5);
  EXPECT_EQ(BsonFind(*parsed, "bin")->bytes, "\x01\x02");
  for (size_t cut = 0; cut < doc.size(); ++cut) EXPECT_FALSE(ParseBson(doc.substr(0, cut)).ok()) << cut;
  std::string msg = EncodeOpMsg(5, doc);
  auto m = DecodeOpMsg(msg);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->request_id, 5);
  EXPECT_EQ(m->body, doc);
  EXPECT_FALSE(DecodeOpMsg(msg.substr(0, msg.size() - 1)).ok());
}

}  // namespace
}  // namespace pharos::probe
