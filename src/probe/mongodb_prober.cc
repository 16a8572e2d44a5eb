// The mongodb prober: OP_MSG over a probe Conn (optional TLS): hello (or
// isMaster on servers that do not know hello), SCRAM-SHA-256 with saslStart /
// saslContinue when a username is set, then ping.
#include <string>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "probe/conn.h"
#include "probe/internal/probers.h"
#include "probe/mongo_wire.h"
#include "probe/scram.h"

namespace pharos::probe::internal {
namespace {

using Doc = std::vector<std::pair<std::string, BsonValue>>;

class MongoSession {
 public:
  MongoSession(Conn& c, absl::Time deadline) : c_(c), deadline_(deadline) {}

  // Sends `cmd` and returns the reply's body; a reply with ok != 1 is an
  // error carrying its errmsg and code.
  absl::StatusOr<Doc> Run(const std::string& cmd) {
    const int32_t id = ++next_id_;
    if (absl::Status s = c_.Write(EncodeOpMsg(id, cmd), deadline_); !s.ok()) return s;
    auto head = c_.ReadExact(4, deadline_);
    if (!head.ok()) return head.status();
    int32_t len = ReadLE32(head->data());
    if (len < 21 || static_cast<size_t>(len) > kMaxMongoMessageBytes) {
      return absl::InvalidArgumentError(absl::StrCat("reply length ", len, " out of range"));
    }
    auto rest = c_.ReadExact(static_cast<size_t>(len) - 4, deadline_);
    if (!rest.ok()) return rest.status();
    auto msg = DecodeOpMsg(*head + *rest);
    if (!msg.ok()) return msg.status();
    if (msg->response_to != id) return absl::InvalidArgumentError("reply to another request");
    auto doc = ParseBson(msg->body);
    if (!doc.ok()) return doc.status();
    const BsonValue* ok = BsonFind(*doc, "ok");
    if (ok == nullptr || ok->number != 1) {
      const BsonValue* err = BsonFind(*doc, "errmsg");
      const BsonValue* code = BsonFind(*doc, "code");
      return absl::FailedPreconditionError(absl::StrCat(err ? err->bytes : "command failed",
                                                        code ? absl::StrCat(" (code ", code->number, ")") : ""));
    }
    return *doc;
  }

 private:
  Conn& c_;
  absl::Time deadline_;
  int32_t next_id_ = 0;
};

}  // namespace

bool ProbeMongodb(const config::MongodbProbeConfig& c, std::string_view target, absl::Time deadline,
                  ProbeResult* r) {
  r->Set("probe_mongodb_up", 0);
  std::string host;
  absl::Time start;
  std::unique_ptr<Conn> conn = DialTarget(target, "MongoDB", deadline, r, &host, &start);
  if (conn == nullptr) return false;
  if (c.tls) {
    if (absl::Status s = conn->StartTls(c.tls_config, host, deadline); !s.ok()) {
      r->Fail(absl::StrCat("Error connecting to MongoDB: ", s.message()));
      return false;
    }
    ReportTls(conn->tls_info(), r);
  }
  MongoSession session(*conn, deadline);
  auto fail = [&](std::string_view step, const absl::Status& s) {
    r->Fail(absl::StrCat(AV(step), ": ", absl::IsDeadlineExceeded(s) ? "timeout" : s.message()));
    return false;
  };
  BsonBuilder client;
  client.Document("driver", BsonBuilder().String("name", "pharos-probe").String("version", "0.1").Finish());
  auto hello = session.Run(BsonBuilder().Int32("hello", 1).Document("client", client.Finish()).String("$db", "admin").Finish());
  if (!hello.ok() && absl::IsFailedPrecondition(hello.status())) {
    r->Info("hello refused, trying isMaster");
    hello = session.Run(BsonBuilder().Int32("isMaster", 1).String("$db", "admin").Finish());
  }
  if (!hello.ok()) return fail("hello", hello.status());
  const BsonValue* primary = BsonFind(*hello, "isWritablePrimary");
  if (primary == nullptr) primary = BsonFind(*hello, "ismaster");
  if (primary != nullptr) r->Set("probe_mongodb_is_writable_primary", primary->number != 0 ? 1 : 0);
  if (const BsonValue* wire = BsonFind(*hello, "maxWireVersion")) r->Set("probe_mongodb_max_wire_version", wire->number);
  r->Info("hello answered");

  if (!c.username.empty()) {
    auto password = config::ResolvePassword(c.password);
    if (!password.ok()) return fail("password", password.status());
    ScramSha256 scram(c.username, *password);
    auto start_reply = session.Run(BsonBuilder()
                                       .Int32("saslStart", 1)
                                       .String("mechanism", "SCRAM-SHA-256")
                                       .Binary("payload", scram.ClientFirst())
                                       .Document("options", BsonBuilder().Bool("skipEmptyExchange", true).Finish())
                                       .String("$db", c.auth_source)
                                       .Finish());
    if (!start_reply.ok()) return fail("authentication", start_reply.status());
    const BsonValue* conv = BsonFind(*start_reply, "conversationId");
    const BsonValue* payload = BsonFind(*start_reply, "payload");
    if (conv == nullptr || payload == nullptr) return fail("authentication", absl::InvalidArgumentError("saslStart reply lacks payload"));
    auto final_msg = scram.ClientFinal(payload->bytes);
    if (!final_msg.ok()) return fail("authentication", final_msg.status());
    auto cont = session.Run(BsonBuilder()
                                .Int32("saslContinue", 1)
                                .Int32("conversationId", static_cast<int32_t>(conv->number))
                                .Binary("payload", *final_msg)
                                .String("$db", c.auth_source)
                                .Finish());
    if (!cont.ok()) return fail("authentication", cont.status());
    const BsonValue* server_final = BsonFind(*cont, "payload");
    if (server_final == nullptr) return fail("authentication", absl::InvalidArgumentError("saslContinue reply lacks payload"));
    if (absl::Status s = scram.VerifyServerFinal(server_final->bytes); !s.ok()) return fail("authentication", s);
    const BsonValue* done = BsonFind(*cont, "done");
    if (done == nullptr || done->number == 0) {
      auto last = session.Run(BsonBuilder()
                                  .Int32("saslContinue", 1)
                                  .Int32("conversationId", static_cast<int32_t>(conv->number))
                                  .Binary("payload", "")
                                  .String("$db", c.auth_source)
                                  .Finish());
      if (!last.ok()) return fail("authentication", last.status());
    }
    r->Info(absl::StrCat("Authenticated user=", c.username, " auth_source=", c.auth_source));
  }
  r->Set("probe_mongodb_connect_duration_seconds", absl::ToDoubleSeconds(absl::Now() - start));
  absl::Time ping_start = absl::Now();
  auto ping = session.Run(BsonBuilder().Int32("ping", 1).String("$db", "admin").Finish());
  if (!ping.ok()) return fail("ping", ping.status());
  r->Set("probe_mongodb_ping_duration_seconds", absl::ToDoubleSeconds(absl::Now() - ping_start));
  r->Set("probe_mongodb_up", 1);
  r->Info("ping answered");
  return true;
}

}  // namespace pharos::probe::internal
