#include "alertmanager/testing/notify_golden.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::am::testing {
namespace {

absl::Time Parse(const char* rfc3339) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) {
    std::fprintf(stderr, "bad time %s: %s\n", rfc3339, err.c_str());
    std::abort();
  }
  return t;
}

Alert Latency(const char* instance, const char* desc, const char* starts, const char* gen) {
  Alert a;
  a.labels = {{"alertname", "HighLatency"}, {"job", "api"}, {"instance", instance}, {"severity", "page"}};
  a.annotations = {{"summary", "Latency <high> & rising"}, {"description", desc}};
  a.starts_at = Parse(starts);
  a.generator_url = gen;
  return a;
}

}  // namespace

std::string NotifyTestdataPath(std::string_view rel) {
  return absl::StrCat(PHAROS_SOURCE_DIR, "/tests/alertmanager/testdata/notify/", AV(rel));
}

std::string ReadNotifyTestdata(std::string_view rel) {
  std::ifstream in(NotifyTestdataPath(rel), std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "missing testdata %s\n", std::string(rel).c_str());
    std::abort();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Alert> LatencyAlerts(absl::Time now, bool resolved) {
  std::vector<Alert> v = {
      Latency("a:9090", "p99 above 1s", "2024-01-02T03:04:05.123Z", "http://prom.example/graph?g0.expr=up&x=1"),
      Latency("b:9090", "p99 above 2s", "2024-01-02T03:05:00Z", "http://prom.example/graph?g0.expr=up&x=2"),
  };
  for (auto& a : v) {
    a.ends_at = resolved ? Parse("2024-01-02T04:00:00Z") : now + absl::Minutes(5);
    a.timeout = !resolved;
  }
  return v;
}

std::vector<Alert> MixedAlerts(absl::Time now) {
  Alert c = Latency("c:9090", "p99 above 3s", "2024-01-02T03:10:00Z", "http://prom.example/graph?g0.expr=up&x=3");
  c.ends_at = Parse("2024-01-02T04:00:00Z");
  Alert d = Latency("d:9090", "p99 above 4s", "2024-01-02T03:20:00Z", "http://prom.example/graph?g0.expr=up&x=4");
  d.ends_at = now + absl::Minutes(5);
  d.timeout = true;
  return {c, d};
}

std::vector<Alert> DiskAlerts(absl::Time now) {
  Alert a;
  a.labels = {{"alertname", "DiskFull"}, {"job", "node"}, {"device", "/dev/sda1"}};
  a.starts_at = Parse("2024-01-02T03:00:00Z");
  a.ends_at = now + absl::Minutes(5);
  a.timeout = true;
  return {a};
}

LabelSet GroupLabelsOf(const Alert& a) {
  return {{"alertname", a.labels.at("alertname")}, {"job", a.labels.at("job")}};
}

std::string GroupKeyOf(const Alert& a) { return absl::StrCat("{}:", LabelSetString(GroupLabelsOf(a))); }

std::string MailMessage::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, AV(name))) return v;
  }
  return "";
}

namespace {

// Splits "Name: value" lines up to the first empty line; returns the rest.
std::string_view ReadHeaders(std::string_view s, std::vector<std::pair<std::string, std::string>>* out) {
  while (!s.empty()) {
    size_t eol = s.find("\r\n");
    if (eol == std::string_view::npos) eol = s.size();
    std::string_view line = s.substr(0, eol);
    s.remove_prefix(std::min(s.size(), eol + 2));
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    out->emplace_back(std::string(line.substr(0, colon)), std::string(v));
  }
  return s;
}

}  // namespace

absl::StatusOr<MailMessage> ParseMail(std::string_view data) {
  MailMessage m;
  std::string_view rest = ReadHeaders(data, &m.headers);
  std::string ct = m.Header("Content-Type");
  size_t b = ct.find("boundary=");
  if (b == std::string::npos) return absl::InvalidArgumentError("no boundary in Content-Type: " + ct);
  m.boundary = ct.substr(b + 9);
  std::string delim = "--" + m.boundary;
  size_t pos = rest.find(delim);
  if (pos == std::string_view::npos) return absl::InvalidArgumentError("no first boundary");
  rest.remove_prefix(pos + delim.size());
  while (absl::StartsWith(AV(rest), "\r\n")) {
    rest.remove_prefix(2);
    size_t next = rest.find("\r\n" + delim);
    if (next == std::string_view::npos) return absl::InvalidArgumentError("unterminated part");
    MailPart p;
    std::string_view body = ReadHeaders(rest.substr(0, next), &p.headers);
    p.body = std::string(body);
    m.parts.push_back(std::move(p));
    rest.remove_prefix(next + 2 + delim.size());
  }
  if (!absl::StartsWith(AV(rest), "--")) return absl::InvalidArgumentError("no closing boundary");
  return m;
}

std::string CapturedMailData(std::string_view rel) {
  std::string s = ReadNotifyTestdata(rel);
  constexpr std::string_view kSep = "----- DATA -----\n";
  size_t p = s.find(kSep);
  if (p == std::string::npos) return "";
  return s.substr(p + kSep.size());
}

std::string QpDecode(std::string_view s) {
  std::string out;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=' && i + 2 < s.size() + 0 && s.substr(i + 1, 2) == "\r\n") {
      i += 2;
    } else if (s[i] == '=' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      // CRLF → LF
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace pharos::am::testing
