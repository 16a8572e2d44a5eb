// Probe modules and the `probes:` section (docs/probes.md).
//
// A module file is blackbox_exporter's own (`modules: {NAME: {prober, timeout,
// http|tcp|dns|icmp|grpc: ...}}`); blackbox_exporter's files load unchanged.
// Pharos adds the probers postgres, redis and mongodb. icmp and grpc modules
// are read and validated (so a real blackbox.yml loads) but cannot be run:
// ProbeModule::Unsupported() says why, a probe with one fails with that
// message, and a `probes.targets` entry naming one is refused at load.
//
// The `probes:` section of the main config holds inline modules and the
// targets Pharos probes on its own:
//
//   probes:
//     modules: {redis_ping: {prober: redis, timeout: 2s}}
//     targets: [{name: redis, module: redis_ping, target: '127.0.0.1:6379',
//                interval: 15s, critical: true}]
//
// Parsing is strict: unknown keys, wrong types, bad regexes, bad DSNs and
// unknown probers are InvalidArgument "FILE:LINE:COL: what". Secrets
// (passwords, bearer tokens, DSN passwords) are kept as loaded; DescribeModule
// prints them as <secret>.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "config/http_client_config.h"
#include "config/yaml_node.h"

namespace pharos::config {

struct HeaderMatchSpec {
  std::string header;
  std::string regexp;
  bool allow_missing = false;
};

struct HttpProbeConfig {
  std::vector<int> valid_status_codes;           // empty: any 2xx
  std::vector<std::string> valid_http_versions;  // "HTTP/1.1", "HTTP/2.0"; empty: any
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string compression;  // "", gzip, br, deflate, identity
  int64_t body_size_limit = 0;
  bool fail_if_ssl = false;
  bool fail_if_not_ssl = false;
  std::vector<std::string> fail_if_body_matches_regexp;
  std::vector<std::string> fail_if_body_not_matches_regexp;
  std::vector<HeaderMatchSpec> fail_if_header_matches;
  std::vector<HeaderMatchSpec> fail_if_header_not_matches;
  std::string preferred_ip_protocol = "ip6";  // "ip4" or "ip6"
  bool ip_protocol_fallback = true;
  bool skip_resolve_phase_with_proxy = false;
  // basic_auth, authorization/bearer_token, tls_config, proxy, follow_redirects
  // (no_follow_redirects: true sets follow_redirects false), enable_http2.
  HttpClientConfig http_client;
};

struct QueryResponse {
  std::string expect;  // RE2; ${1} in `send` refers to its groups
  std::string send;
  bool starttls = false;
};

struct TcpProbeConfig {
  std::string preferred_ip_protocol = "ip6";
  bool ip_protocol_fallback = true;
  std::string source_ip_address;
  std::vector<QueryResponse> query_response;
  bool tls = false;
  TlsConfig tls_config;
};

struct DnsRRValidator {
  std::vector<std::string> fail_if_matches_regexp;
  std::vector<std::string> fail_if_all_match_regexp;
  std::vector<std::string> fail_if_not_matches_regexp;
  std::vector<std::string> fail_if_none_matches_regexp;
};

struct DnsProbeConfig {
  std::string preferred_ip_protocol = "ip6";
  bool ip_protocol_fallback = true;
  std::string source_ip_address;
  std::string transport_protocol = "udp";  // only udp is implemented; tcp is refused
  bool dns_over_tls = false;                // refused
  TlsConfig tls_config;
  std::string query_name;
  std::string query_type = "ANY";
  std::string query_class = "IN";
  bool recursion_desired = true;
  std::vector<std::string> valid_rcodes = {"NOERROR"};
  DnsRRValidator validate_answer_rrs;
  DnsRRValidator validate_authority_rrs;
  DnsRRValidator validate_additional_rrs;
};

struct IcmpProbeConfig {
  std::string preferred_ip_protocol = "ip6";
  bool ip_protocol_fallback = true;
  std::string source_ip_address;
  bool dont_fragment = false;
  int64_t payload_size = 0;
  int64_t ttl = 0;
};

struct GrpcProbeConfig {
  std::string service;
  std::string preferred_ip_protocol;
  bool ip_protocol_fallback = true;
  bool tls = false;
  TlsConfig tls_config;
};

// Where a database prober's password comes from: inline (secret), a file
// (first line, trailing newline stripped) or an environment variable.
struct PasswordSource {
  std::string password;  // secret
  std::string password_file;
  std::string password_env;
  bool empty() const { return password.empty() && password_file.empty() && password_env.empty(); }
};

// Reads the password now (files and the environment are read at probe time,
// so a rotated secret is picked up without a reload).
absl::StatusOr<std::string> ResolvePassword(const PasswordSource& p);

struct PostgresProbeConfig {
  std::string dsn;  // libpq keyword/value string or postgres:// URI; may hold a password (secret)
  std::string user;
  PasswordSource password;
  std::string database;
  std::string sslmode;  // "" keeps libpq's default (or the DSN's)
  std::string query = "SELECT 1";
  std::optional<std::string> expected;  // the first column of the first row must equal it
};

struct RedisProbeConfig {
  std::string username;  // ACL user (Redis 6+); AUTH with the password only when empty
  PasswordSource password;
  int64_t db = 0;
  bool tls = false;
  TlsConfig tls_config;
  // INFO field → RE2 the value must fully match (e.g. role: master).
  std::vector<std::pair<std::string, std::string>> info_checks;
};

struct MongodbProbeConfig {
  std::string username;  // SCRAM-SHA-256 when set
  PasswordSource password;
  std::string auth_source = "admin";
  bool tls = false;
  TlsConfig tls_config;
};

struct ProbeModule {
  std::string name;
  std::string prober;      // http, tcp, dns, icmp, grpc, postgres, redis, mongodb
  int64_t timeout_ms = 0;  // 0: the caller's (scrape timeout or interval)
  HttpProbeConfig http;
  TcpProbeConfig tcp;
  DnsProbeConfig dns;
  IcmpProbeConfig icmp;
  GrpcProbeConfig grpc;
  PostgresProbeConfig postgres;
  RedisProbeConfig redis;
  MongodbProbeConfig mongodb;
  std::string where;  // "FILE:LINE:COL" of the module's name

  // Why this module cannot run in Pharos ("" when it can).
  std::string Unsupported() const;
};

struct ProbeModules {
  std::map<std::string, ProbeModule> modules;
  const ProbeModule* Find(std::string_view name) const;
};

struct ProbeTarget {
  std::string name;
  std::string module;
  std::string target;
  int64_t interval_ms = 15'000;
  bool critical = false;
  std::string where;  // "FILE:LINE:COL" of the entry
};

struct ProbesConfig {
  ProbeModules modules;  // inline under probes.modules
  std::vector<ProbeTarget> targets;
};

// The `modules:` mapping of a blackbox_exporter file (`node` is the document
// root: {modules: {...}}).
absl::StatusOr<ProbeModules> ParseProbeModules(const YamlNode& node);
absl::StatusOr<ProbeModules> LoadProbeModulesString(std::string_view yaml, std::string_view filename);
// Reads a module file (bounded); relative file names inside are joined with
// the file's directory.
absl::StatusOr<ProbeModules> LoadProbeModulesFile(const std::string& path);

// Joins relative file names (TLS files, password files) with `dir`.
void ResolveProbeModulePaths(const std::string& dir, ProbeModules* mods);

// The `probes:` section. Targets naming an inline module that is unsupported
// are refused here; targets naming a module not defined inline are checked by
// CheckProbeTargets once the module file is known.
absl::StatusOr<ProbesConfig> ParseProbesConfig(const YamlNode& node);

// Every target's module must exist in `inline_modules` or `file_modules`
// (inline first) and be supported; the error names the target's position.
absl::Status CheckProbeTargets(const ProbesConfig& probes, const ProbeModules& file_modules);

// The module resolved as the scheduler does: inline first, then the file.
const ProbeModule* FindProbeModule(const ProbesConfig& probes, const ProbeModules& file_modules,
                                   std::string_view name);

// A readable description of the module's settings for debug output, with
// every secret printed as <secret>.
std::string DescribeModule(const ProbeModule& m);

// Validates a libpq connection string (keyword=value pairs or a
// postgres(ql):// URI): syntax and known keywords. The message names the
// offending part (never the password).
absl::Status ValidatePostgresDsn(std::string_view dsn);

// The DSN with any password replaced by <secret>.
std::string RedactDsn(std::string_view dsn);

}  // namespace pharos::config
