#include "probe/result.h"

#include <arpa/inet.h>

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/metrics/snapshot.h"
#include "common/metrics/text_format.h"
#include "common/strings.h"

namespace pharos::probe {
namespace {

// Help texts of the metrics (our own words); names are blackbox_exporter's.
const std::map<std::string_view, std::string_view>& HelpTexts() {
  static const auto* m = new std::map<std::string_view, std::string_view>{
      {"probe_success", "Whether the probe succeeded (1) or failed (0)"},
      {"probe_duration_seconds", "How long the probe took in seconds"},
      {"probe_dns_lookup_time_seconds", "Time spent resolving the target's name in seconds"},
      {"probe_ip_protocol", "IP protocol used for the probe: 4 or 6"},
      {"probe_ip_addr_hash", "Hash of the IP address probed, to notice when it changes"},
      {"probe_failed_due_to_regex", "Whether the probe failed because of a regular expression check"},
      {"probe_http_status_code", "HTTP status code of the final response"},
      {"probe_http_content_length", "Content-Length of the final response (-1 when unknown)"},
      {"probe_http_uncompressed_body_length", "Length of the response body after decompression"},
      {"probe_http_redirects", "Number of redirects followed"},
      {"probe_http_ssl", "Whether the final request used TLS"},
      {"probe_http_version", "HTTP version of the final response"},
      {"probe_http_duration_seconds", "Duration of the HTTP request by phase, summed over redirects"},
      {"probe_http_last_modified_timestamp_seconds", "Last-Modified header of the response as a Unix time"},
      {"probe_ssl_earliest_cert_expiry", "Earliest expiry (Unix time) among the certificates the peer sent"},
      {"probe_ssl_last_chain_expiry_timestamp_seconds", "Earliest expiry (Unix time) in the verified chain"},
      {"probe_ssl_last_chain_info", "Information about the peer's leaf certificate"},
      {"probe_tls_version_info", "The TLS version negotiated"},
      {"probe_expect_info", "Groups of the regular expression matched by a query_response expect"},
      {"probe_dns_answer_rrs", "Number of records in the answer section"},
      {"probe_dns_authority_rrs", "Number of records in the authority section"},
      {"probe_dns_additional_rrs", "Number of records in the additional section"},
      {"probe_dns_duration_seconds", "Duration of the DNS request by phase"},
      {"probe_dns_query_succeeded", "Whether the DNS query got an answer"},
      {"probe_dns_serial", "Serial number of the SOA record"},
      {"probe_postgres_up", "Whether a PostgreSQL session could be opened and authenticated"},
      {"probe_postgres_connect_duration_seconds", "Time to connect and authenticate to PostgreSQL"},
      {"probe_postgres_query_duration_seconds", "Time to run the probe query"},
      {"probe_postgres_query_success", "Whether the probe query ran (and returned the expected value)"},
      {"probe_postgres_server_version", "server_version_num of the PostgreSQL server"},
      {"probe_postgres_in_recovery", "Whether the server is a standby (pg_is_in_recovery)"},
      {"probe_redis_up", "Whether Redis answered PING with PONG after authentication"},
      {"probe_redis_connect_duration_seconds", "Time to connect (and TLS, AUTH, SELECT) to Redis"},
      {"probe_redis_ping_duration_seconds", "Round-trip time of PING"},
      {"probe_redis_info_check_success", "Whether an INFO field matched its check, by field"},
      {"probe_redis_role_master", "Whether the server reports role:master"},
      {"probe_redis_connected_slaves", "connected_slaves from INFO replication"},
      {"probe_redis_version_info", "The redis_version the server reports"},
      {"probe_mongodb_up", "Whether MongoDB answered hello and ping (after authentication)"},
      {"probe_mongodb_connect_duration_seconds", "Time to connect (and TLS, hello, authenticate) to MongoDB"},
      {"probe_mongodb_ping_duration_seconds", "Round-trip time of the ping command"},
      {"probe_mongodb_is_writable_primary", "Whether hello says the node is a writable primary"},
      {"probe_mongodb_max_wire_version", "maxWireVersion from hello"},
  };
  return *m;
}

}  // namespace

void ProbeResult::Set(std::string_view name, double value, LabelPairs labels) {
  for (ProbeSample& s : samples_) {
    if (s.name == name && s.labels == labels) {
      s.value = value;
      return;
    }
  }
  samples_.push_back(ProbeSample{std::string(name), std::move(labels), value});
}

void ProbeResult::Info(std::string_view msg) {
  log_.push_back(absl::StrFormat("ts=%.6fs level=info msg=%s", absl::ToDoubleSeconds(absl::Now() - start_), AV(msg)));
}

void ProbeResult::Error(std::string_view msg) {
  log_.push_back(absl::StrFormat("ts=%.6fs level=error msg=%s", absl::ToDoubleSeconds(absl::Now() - start_), AV(msg)));
}

void ProbeResult::Fail(std::string_view reason) {
  Error(reason);
  if (failure_.empty()) failure_ = std::string(reason);
}

void ProbeResult::Finish(bool success, absl::Time end) {
  success_ = success && failure_.empty();
  if (!success_ && failure_.empty()) failure_ = "probe failed";
  duration_seconds_ = absl::ToDoubleSeconds(end - start_);
  Set("probe_duration_seconds", duration_seconds_);
  Set("probe_success", success_ ? 1 : 0);
  if (success_) {
    Info(absl::StrCat("Probe succeeded duration_seconds=", duration_seconds_));
  } else {
    Error(absl::StrCat("Probe failed duration_seconds=", duration_seconds_));
  }
}

double ProbeResult::Value(std::string_view name, double fallback) const {
  for (const ProbeSample& s : samples_) {
    if (s.name == name && s.labels.empty()) return s.value;
  }
  return fallback;
}

bool ProbeResult::Has(std::string_view name) const {
  for (const ProbeSample& s : samples_) {
    if (s.name == name) return true;
  }
  return false;
}

std::string RenderText(const ProbeResult& r) {
  std::map<std::string, metrics::FamilySnapshot> families;
  for (const ProbeSample& s : r.samples()) {
    metrics::FamilySnapshot& f = families[s.name];
    if (f.name.empty()) {
      f.name = s.name;
      auto it = HelpTexts().find(s.name);
      f.help = it == HelpTexts().end() ? "Probe result" : std::string(it->second);
      f.type = metrics::MetricType::kGauge;
    }
    metrics::MetricSnapshot m;
    m.labels = s.labels;
    m.value = s.value;
    f.metrics.push_back(std::move(m));
  }
  std::vector<metrics::FamilySnapshot> ordered;
  for (auto& [name, f] : families) {
    std::stable_sort(f.metrics.begin(), f.metrics.end(),
                     [](const metrics::MetricSnapshot& a, const metrics::MetricSnapshot& b) { return a.labels < b.labels; });
    ordered.push_back(std::move(f));
  }
  std::string out;
  metrics::AppendTextFormat(ordered, &out);
  return out;
}

double IpAddrHash(std::string_view ip) {
  // Over the address' bytes (4 for IPv4), as blackbox_exporter hashes them.
  unsigned char raw[16];
  size_t n = 0;
  std::string s(ip);
  if (inet_pton(AF_INET, s.c_str(), raw) == 1) {
    n = 4;
  } else if (inet_pton(AF_INET6, s.c_str(), raw) == 1) {
    n = 16;
  }
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = raw[i];
    h ^= c;
    h *= 16777619u;
  }
  return static_cast<double>(h);
}

}  // namespace pharos::probe
