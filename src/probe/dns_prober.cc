// The dns prober over UDP: one query to the target server, answered before
// the deadline by a message with the same id, checked as blackbox_exporter
// checks it (valid rcodes, regexes over each section's records).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "probe/conn.h"
#include "probe/dns_message.h"
#include "probe/internal/probers.h"
#include "re2/re2.h"

namespace pharos::probe::internal {
namespace {

// blackbox_exporter's four checks over one section; false when one fails.
bool ValidateRRs(const std::vector<DnsRecord>& rrs, const config::DnsRRValidator& v, std::string_view section,
                 ProbeResult* r) {
  std::vector<std::string> lines;
  for (const DnsRecord& rec : rrs) lines.push_back(rec.ToString());
  for (const std::string& re : v.fail_if_matches_regexp) {
    RE2 x(re, RE2::Quiet);
    for (const std::string& l : lines) {
      if (RE2::PartialMatch(l, x)) {
        r->Fail(absl::StrCat("At least one RR in ", AV(section), " matched regexp=", re, " rr=", l));
        return false;
      }
    }
  }
  for (const std::string& re : v.fail_if_all_match_regexp) {
    RE2 x(re, RE2::Quiet);
    bool all = !lines.empty();
    for (const std::string& l : lines) all = all && RE2::PartialMatch(l, x);
    if (all) {
      r->Fail(absl::StrCat("All RRs in ", AV(section), " matched regexp=", re));
      return false;
    }
  }
  for (const std::string& re : v.fail_if_not_matches_regexp) {
    RE2 x(re, RE2::Quiet);
    for (const std::string& l : lines) {
      if (!RE2::PartialMatch(l, x)) {
        r->Fail(absl::StrCat("At least one RR in ", AV(section), " did not match regexp=", re, " rr=", l));
        return false;
      }
    }
  }
  for (const std::string& re : v.fail_if_none_matches_regexp) {
    RE2 x(re, RE2::Quiet);
    bool any = false;
    for (const std::string& l : lines) any = any || RE2::PartialMatch(l, x);
    if (!any) {
      r->Fail(absl::StrCat("No RRs in ", AV(section), " matched regexp=", re));
      return false;
    }
  }
  return true;
}

}  // namespace

bool ProbeDns(const config::DnsProbeConfig& c, std::string_view target, absl::Time deadline, ProbeResult* r) {
  std::string host;
  uint16_t port = 53;
  bool has_port = !target.empty() && (target.starts_with("[") ? target.find("]:") != std::string_view::npos
                                                               : target.find(':') != std::string_view::npos &&
                                                                     target.find(':') == target.rfind(':'));
  if (has_port) {
    if (absl::Status s = SplitHostPort(target, &host, &port); !s.ok()) {
      r->Fail(SV(s.message()));
      return false;
    }
  } else {
    host = std::string(target);
    if (host.starts_with("[") && host.ends_with("]")) host = host.substr(1, host.size() - 2);
  }
  r->Set("probe_dns_query_succeeded", 0);
  absl::Time t0 = absl::Now();
  auto addr = ResolveTarget(host, c.preferred_ip_protocol, c.ip_protocol_fallback, r);
  if (!addr.ok()) return false;
  r->Set("probe_dns_duration_seconds", absl::ToDoubleSeconds(absl::Now() - t0), {{"phase", "resolve"}});

  std::mt19937 rng(std::random_device{}());
  const uint16_t id = static_cast<uint16_t>(rng());
  auto query = BuildDnsQuery(id, c.query_name, DnsTypeCode(c.query_type), DnsClassCode(c.query_class),
                             c.recursion_desired);
  if (!query.ok()) {
    r->Fail(SV(query.status().message()));
    return false;
  }
  absl::Time t1 = absl::Now();
  int fd = socket(addr->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    r->Fail(absl::StrCat("socket: ", strerror(errno)));
    return false;
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  sockaddr_storage ss{};
  socklen_t len;
  if (addr->family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, addr->ip.c_str(), &a->sin_addr);
    len = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, addr->ip.c_str(), &a->sin6_addr);
    len = sizeof(sockaddr_in6);
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    r->Fail(absl::StrCat("connect: ", strerror(errno)));
    return false;
  }
  r->Set("probe_dns_duration_seconds", absl::ToDoubleSeconds(absl::Now() - t1), {{"phase", "connect"}});
  absl::Time t2 = absl::Now();
  r->Info(absl::StrCat("Making DNS query target=", addr->ip, ":", port, " dial_protocol=udp query=", c.query_name,
                       " type=", c.query_type, " class=", c.query_class));
  if (send(fd, query->data(), query->size(), 0) < 0) {
    r->Fail(absl::StrCat("send: ", strerror(errno)));
    return false;
  }
  std::string buf(kMaxDnsMessageBytes, '\0');
  absl::StatusOr<DnsMessage> msg = absl::DeadlineExceededError("timeout");
  for (int attempts = 0; attempts < 64; ++attempts) {
    int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) break;
    pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1'000'000)));
    if (n <= 0) continue;
    ssize_t got = recv(fd, buf.data(), buf.size(), 0);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      msg = absl::UnavailableError(absl::StrCat("read udp: ", strerror(errno)));
      break;
    }
    auto parsed = ParseDnsMessage(std::string_view(buf.data(), got));
    if (!parsed.ok()) {
      msg = parsed.status();
      break;
    }
    if (parsed->id != id || !parsed->response) continue;  // not our answer
    msg = std::move(parsed);
    break;
  }
  r->Set("probe_dns_duration_seconds", absl::ToDoubleSeconds(absl::Now() - t2), {{"phase", "request"}});
  if (!msg.ok()) {
    r->Fail(absl::StrCat("Error while sending a DNS query: ", msg.status().message()));
    return false;
  }
  r->Set("probe_dns_query_succeeded", 1);
  r->Set("probe_dns_answer_rrs", msg->answer.size());
  r->Set("probe_dns_authority_rrs", msg->authority.size());
  r->Set("probe_dns_additional_rrs", msg->additional.size());
  for (const DnsRecord& rec : msg->answer) {
    if (rec.type == 6) r->Set("probe_dns_serial", rec.soa_serial);
  }
  r->Info(absl::StrCat("Got response rcode=", DnsRcodeName(msg->rcode), " answers=", msg->answer.size()));
  std::string rcode = DnsRcodeName(msg->rcode);
  bool rcode_ok = false;
  for (const std::string& v : c.valid_rcodes) rcode_ok = rcode_ok || v == rcode;
  if (!rcode_ok) {
    r->Fail(absl::StrCat("Rcode is not one of the valid rcodes rcode=", rcode));
    return false;
  }
  return ValidateRRs(msg->answer, c.validate_answer_rrs, "answer", r) &&
         ValidateRRs(msg->authority, c.validate_authority_rrs, "authority", r) &&
         ValidateRRs(msg->additional, c.validate_additional_rrs, "additional", r);
}

}  // namespace pharos::probe::internal
