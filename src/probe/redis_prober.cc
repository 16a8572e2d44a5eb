// The redis prober: RESP2 over a probe Conn (optional TLS). AUTH (with an
// ACL user when set), SELECT, PING, then INFO for the role, the replica
// count, the version and the configured info_checks.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "probe/conn.h"
#include "probe/internal/probers.h"
#include "re2/re2.h"

namespace pharos::probe::internal {
namespace {

constexpr size_t kMaxBulkBytes = 1u << 20;

struct Reply {
  char type = 0;      // '+', '-', ':', '$', '*'
  std::string text;   // simple string, error, integer digits or bulk payload
  bool null = false;
};

std::string Command(const std::vector<std::string>& args) {
  std::string out = absl::StrCat("*", args.size(), "\r\n");
  for (const std::string& a : args) absl::StrAppend(&out, "$", a.size(), "\r\n", a, "\r\n");
  return out;
}

// Reads one reply; arrays are read and flattened into `text` (not needed by
// the commands used) so that the stream stays in sync.
absl::StatusOr<Reply> ReadReply(Conn& c, absl::Time deadline, int depth = 0) {
  if (depth > 4) return absl::InvalidArgumentError("reply nested too deeply");
  auto line = c.ReadLine(deadline, kMaxBulkBytes);
  if (!line.ok()) return line.status();
  if (line->empty()) return absl::InvalidArgumentError("empty reply line");
  Reply r;
  r.type = (*line)[0];
  std::string rest = line->substr(1);
  switch (r.type) {
    case '+':
    case '-':
    case ':':
      r.text = rest;
      return r;
    case '$':
    case '*': {
      int64_t n = 0;
      if (!absl::SimpleAtoi(rest, &n) || n < -1 || static_cast<uint64_t>(n) > kMaxBulkBytes) {
        return absl::InvalidArgumentError(absl::StrCat("bad length in reply: ", rest.substr(0, 32)));
      }
      if (n == -1) {
        r.null = true;
        return r;
      }
      if (r.type == '$') {
        auto data = c.ReadExact(static_cast<size_t>(n) + 2, deadline);
        if (!data.ok()) return data.status();
        r.text = data->substr(0, n);
        return r;
      }
      if (n > 1024) return absl::InvalidArgumentError("array reply too long");
      for (int64_t i = 0; i < n; ++i) {
        auto item = ReadReply(c, deadline, depth + 1);
        if (!item.ok()) return item.status();
        absl::StrAppend(&r.text, i ? " " : "", item->text);
      }
      return r;
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("not a RESP reply: ", line->substr(0, 32)));
  }
}

absl::StatusOr<Reply> Call(Conn& c, const std::vector<std::string>& args, absl::Time deadline) {
  if (absl::Status s = c.Write(Command(args), deadline); !s.ok()) return s;
  return ReadReply(c, deadline);
}

}  // namespace

bool ProbeRedis(const config::RedisProbeConfig& c, std::string_view target, absl::Time deadline, ProbeResult* r) {
  r->Set("probe_redis_up", 0);
  std::string host;
  absl::Time start;
  std::unique_ptr<Conn> conn = DialTarget(target, "Redis", deadline, r, &host, &start);
  if (conn == nullptr) return false;
  Conn& cn = *conn;
  if (c.tls) {
    if (absl::Status s = cn.StartTls(c.tls_config, host, deadline); !s.ok()) {
      r->Fail(absl::StrCat("Error connecting to Redis: ", s.message()));
      return false;
    }
    ReportTls(cn.tls_info(), r);
  }
  auto fail = [&](std::string_view step, const absl::Status& s) {
    r->Fail(absl::StrCat(AV(step), ": ", absl::IsDeadlineExceeded(s) ? "timeout" : s.message()));
    return false;
  };
  if (!c.password.empty()) {
    auto pw = config::ResolvePassword(c.password);
    if (!pw.ok()) return fail("password", pw.status());
    std::vector<std::string> args = {"AUTH"};
    if (!c.username.empty()) args.push_back(c.username);
    args.push_back(*pw);
    auto rep = Call(cn, args, deadline);
    if (!rep.ok()) return fail("AUTH", rep.status());
    if (rep->type == '-') {
      r->Fail(absl::StrCat("AUTH failed: ", rep->text));
      return false;
    }
  }
  if (c.db != 0) {
    auto rep = Call(cn, {"SELECT", std::to_string(c.db)}, deadline);
    if (!rep.ok()) return fail("SELECT", rep.status());
    if (rep->type == '-') {
      r->Fail(absl::StrCat("SELECT failed: ", rep->text));
      return false;
    }
  }
  r->Set("probe_redis_connect_duration_seconds", absl::ToDoubleSeconds(absl::Now() - start));
  absl::Time ping_start = absl::Now();
  auto pong = Call(cn, {"PING"}, deadline);
  if (!pong.ok()) return fail("PING", pong.status());
  if (pong->type == '-' || pong->text != "PONG") {
    r->Fail(absl::StrCat("PING failed: ", pong->type == '-' ? "" : "unexpected reply ", pong->text));
    return false;
  }
  r->Set("probe_redis_ping_duration_seconds", absl::ToDoubleSeconds(absl::Now() - ping_start));
  r->Set("probe_redis_up", 1);
  r->Info("PING answered PONG");

  auto info = Call(cn, {"INFO"}, deadline);
  if (!info.ok()) return fail("INFO", info.status());
  if (info->type != '$') {
    r->Fail(absl::StrCat("INFO failed: ", info->text));
    return false;
  }
  std::vector<std::pair<std::string, std::string>> fields;
  for (absl::string_view line : absl::StrSplit(info->text, '\n')) {
    line = absl::StripSuffix(line, "\r");
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    fields.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  auto field = [&](std::string_view name) -> const std::string* {
    for (const auto& [k, v] : fields) {
      if (k == name) return &v;
    }
    return nullptr;
  };
  if (const std::string* role = field("role")) r->Set("probe_redis_role_master", *role == "master" ? 1 : 0);
  if (const std::string* n = field("connected_slaves")) {
    double v = 0;
    if (absl::SimpleAtod(*n, &v)) r->Set("probe_redis_connected_slaves", v);
  }
  if (const std::string* v = field("redis_version")) r->Set("probe_redis_version_info", 1, {{"version", *v}});
  bool ok = true;
  for (const auto& [name, re] : c.info_checks) {
    const std::string* v = field(name);
    bool match = v != nullptr && RE2::FullMatch(*v, RE2(re, RE2::Quiet));
    r->Set("probe_redis_info_check_success", match ? 1 : 0, {{"field", name}});
    if (!match) {
      r->Fail(v == nullptr ? absl::StrCat("INFO has no field ", name)
                           : absl::StrCat("INFO field ", name, "=", *v, " does not match ", re));
      ok = false;
    }
  }
  return ok;
}

}  // namespace pharos::probe::internal
