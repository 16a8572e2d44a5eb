// The tcp prober: connect, optional TLS, then query_response steps (read
// lines until `expect` matches, send a line with ${N} replaced by the
// match's groups, or upgrade to TLS with starttls).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "probe/conn.h"
#include "probe/internal/probers.h"
#include "re2/re2.h"

namespace pharos::probe::internal {
namespace {

constexpr int kMaxGroups = 16;
constexpr int kMaxLinesPerExpect = 10'000;

// "${1}" and "$1" are replaced by the groups of the last match.
std::string Expand(std::string_view tmpl, const std::vector<std::string>& groups) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '$' && i + 1 < tmpl.size()) {
      size_t j = i + 1;
      bool brace = tmpl[j] == '{';
      if (brace) ++j;
      size_t k = j;
      while (k < tmpl.size() && tmpl[k] >= '0' && tmpl[k] <= '9') ++k;
      if (k > j && (!brace || (k < tmpl.size() && tmpl[k] == '}'))) {
        size_t n = std::stoul(std::string(tmpl.substr(j, std::min<size_t>(k - j, 3))));
        if (n < groups.size()) out += groups[n];
        i = brace ? k : k - 1;
        continue;
      }
    }
    out += tmpl[i];
  }
  return out;
}

}  // namespace

bool ProbeTcp(const config::TcpProbeConfig& c, std::string_view target, absl::Time deadline, ProbeResult* r) {
  std::string host;
  uint16_t port = 0;
  if (absl::Status s = SplitHostPort(target, &host, &port); !s.ok()) {
    r->Fail(SV(s.message()));
    return false;
  }
  auto addr = ResolveTarget(host, c.preferred_ip_protocol, c.ip_protocol_fallback, r);
  if (!addr.ok()) return false;
  r->Set("probe_failed_due_to_regex", 0);
  r->Info(absl::StrCat("Dialing TCP ", c.tls ? "with TLS" : "without TLS"));
  auto conn = Conn::Dial(*addr, port, deadline);
  if (!conn.ok()) {
    r->Fail(absl::StrCat("Error dialing TCP: ", conn.status().message()));
    return false;
  }
  Conn& cn = **conn;
  if (c.tls) {
    if (absl::Status s = cn.StartTls(c.tls_config, host, deadline); !s.ok()) {
      r->Fail(absl::StrCat("Error dialing TCP: ", s.message()));
      return false;
    }
    ReportTls(cn.tls_info(), r);
  }
  r->Info("Successfully dialed");
  std::vector<std::string> groups;
  for (size_t i = 0; i < c.query_response.size(); ++i) {
    const config::QueryResponse& qr = c.query_response[i];
    r->Info(absl::StrCat("Processing query response entry entry_number=", i));
    if (!qr.expect.empty()) {
      RE2 re(qr.expect, RE2::Quiet);
      const int n = std::min(re.NumberOfCapturingGroups(), kMaxGroups);
      std::vector<re2::StringPiece> m(n + 1);
      bool matched = false;
      for (int lines = 0; lines < kMaxLinesPerExpect && !matched; ++lines) {
        auto line = cn.ReadLine(deadline);
        if (!line.ok()) {
          r->Set("probe_failed_due_to_regex", 1);
          r->Fail(absl::StrCat("Error reading from connection while expecting ", qr.expect, ": ",
                               line.status().message()));
          return false;
        }
        r->Info(absl::StrCat("Read line line=", *line));
        if (re.Match(*line, 0, line->size(), RE2::UNANCHORED, m.data(), n + 1)) {
          matched = true;
          groups.assign(m.size(), "");
          for (size_t g = 0; g < m.size(); ++g) groups[g] = std::string(m[g].data(), m[g].size());
          r->Info(absl::StrCat("Regexp matched regexp=", qr.expect, " line=", *line));
        }
      }
      if (!matched) {
        r->Set("probe_failed_due_to_regex", 1);
        r->Fail(absl::StrCat("Regexp did not match regexp=", qr.expect));
        return false;
      }
    }
    if (qr.starttls) {
      if (absl::Status s = cn.StartTls(c.tls_config, host, deadline); !s.ok()) {
        r->Fail(absl::StrCat("TLS upgrade failed: ", s.message()));
        return false;
      }
      ReportTls(cn.tls_info(), r);
      r->Info("TLS upgrade successful");
    }
    if (!qr.send.empty()) {
      std::string line = Expand(qr.send, groups);
      r->Info(absl::StrCat("Sending line line=", line));
      if (absl::Status s = cn.Write(absl::StrCat(line, "\n"), deadline); !s.ok()) {
        r->Fail(absl::StrCat("Failed to send: ", s.message()));
        return false;
      }
    }
  }
  return true;
}

}  // namespace pharos::probe::internal
