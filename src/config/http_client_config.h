// The HTTP client settings that scrape configs and alertmanager configs take
// inline (prometheus/common's HTTPClientConfig): authentication, TLS, proxy,
// redirects, HTTP/2.
//
// Legacy bearer_token / bearer_token_file are folded into `authorization`
// (type Bearer) at load, as Prometheus does, so users of this struct only
// look at basic_auth and authorization. Secrets are kept as loaded; DumpYaml
// prints them as <secret>. Relative file names are resolved against the
// config file's directory by LoadFile.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "config/yaml_node.h"
#include "config/yaml_writer.h"

namespace pharos::config {

struct BasicAuth {
  std::string username;
  std::string username_file;
  std::string password;  // secret
  std::string password_file;
};

struct Authorization {
  std::string type = "Bearer";
  std::string credentials;  // secret
  std::string credentials_file;
};

struct TlsConfig {
  std::string ca;  // PEM inline
  std::string ca_file;
  std::string cert;  // PEM inline
  std::string cert_file;
  std::string key;  // PEM inline, secret
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;
  std::string min_version;  // "", "TLS10", "TLS11", "TLS12", "TLS13"
  std::string max_version;

  bool IsZero() const;
};

struct HttpClientConfig {
  std::optional<BasicAuth> basic_auth;
  std::optional<Authorization> authorization;
  TlsConfig tls_config;
  std::string proxy_url;
  std::string no_proxy;
  bool proxy_from_environment = false;
  bool follow_redirects = true;
  bool enable_http2 = true;
};

// True for the keys HttpClientConfig takes inline (so a struct that embeds it
// can route them to ParseHttpClientField).
bool IsHttpClientKey(std::string_view key);

// Reads one inline key into `c`. Keys of the family that Pharos does not
// implement (oauth2, http_headers, proxy_connect_header) are refused with a
// "not supported yet" error at their position. `legacy_bearer` collects
// bearer_token / bearer_token_file until FinishHttpClientConfig.
struct LegacyBearer {
  std::string token;
  std::string token_file;
};
absl::Status ParseHttpClientField(const YamlEntry& entry, HttpClientConfig* c,
                                  LegacyBearer* legacy_bearer);

// Prometheus' cross-field rules (at most one of basic_auth/authorization/
// bearer_token, credentials vs credentials_file, TLS cert/key pairs, proxy
// combinations) and the folding of the legacy bearer fields. Errors are
// reported at `where` (the enclosing mapping).
absl::Status FinishHttpClientConfig(const YamlNode& where, HttpClientConfig* c,
                                    LegacyBearer legacy_bearer);

// Reads a `scheme` value: http (also for an empty value) or https.
absl::Status ReadScheme(const YamlNode& value, std::string* scheme);

// Joins relative file names with `dir` (Prometheus' SetDirectory).
void ResolveHttpClientPaths(std::string_view dir, HttpClientConfig* c);

// The settings as YAML in Prometheus' layout, secrets as <secret>: the
// inline keys into `m`, and a tls_config mapping.
void DumpHttpClientConfig(YamlOut& m, const HttpClientConfig& c);
YamlOut DumpTlsConfig(const TlsConfig& t);

}  // namespace pharos::config
