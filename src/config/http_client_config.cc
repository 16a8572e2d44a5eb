#include "config/http_client_config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/paths.h"
#include "config/yaml_map.h"

namespace pharos::config {
namespace {

constexpr std::string_view kHttpKeys[] = {
    "basic_auth",   "authorization",        "oauth2",           "bearer_token", "bearer_token_file",
    "tls_config",   "proxy_url",            "no_proxy",         "proxy_from_environment",
    "proxy_connect_header", "follow_redirects", "enable_http2", "http_headers",
};

absl::Status NotSupportedYet(const YamlEntry& e) {
  return e.key.Error(absl::StrCat(e.name(), " is not supported by pharos yet"));
}

absl::Status ParseTlsVersion(const YamlNode& v, std::string* out) {
  auto s = ReadString(v);
  if (!s.ok()) return s.status();
  if (!s->empty() && *s != "TLS10" && *s != "TLS11" && *s != "TLS12" && *s != "TLS13") {
    return v.Error(absl::StrCat("unknown TLS version: ", *s));
  }
  *out = std::move(*s);
  return absl::OkStatus();
}

absl::Status ParseTls(const YamlNode& node, TlsConfig* t) {
  *t = TlsConfig();
  auto refused = [](const YamlEntry& e) -> absl::Status {
    if (e.name() == "ca_ref" || e.name() == "cert_ref" || e.name() == "key_ref") {
      return NotSupportedYet(e);
    }
    return absl::NotFoundError("");
  };
  RETURN_IF_ERROR(ReadMap(node, "tls_config",
                          {
                              {"ca", Into(&t->ca)},
                              {"ca_file", Into(&t->ca_file)},
                              {"cert", Into(&t->cert)},
                              {"cert_file", Into(&t->cert_file)},
                              {"key", Into(&t->key)},
                              {"key_file", Into(&t->key_file)},
                              {"server_name", Into(&t->server_name)},
                              {"insecure_skip_verify", Into(&t->insecure_skip_verify)},
                              {"min_version", [t](const YamlNode& v) { return ParseTlsVersion(v, &t->min_version); }},
                              {"max_version", [t](const YamlNode& v) { return ParseTlsVersion(v, &t->max_version); }},
                          },
                          refused));
  if (!t->ca.empty() && !t->ca_file.empty()) {
    return node.Error("at most one of ca, ca_file & ca_ref must be configured");
  }
  if (!t->cert.empty() && !t->cert_file.empty()) {
    return node.Error("at most one of cert, cert_file & cert_ref must be configured");
  }
  if (!t->key.empty() && !t->key_file.empty()) {
    return node.Error("at most one of key and key_file must be configured");
  }
  bool cert = !t->cert.empty() || !t->cert_file.empty();
  bool key = !t->key.empty() || !t->key_file.empty();
  if (cert && !key) {
    return node.Error(
        "exactly one of key or key_file must be configured when a client certificate is configured");
  }
  if (key && !cert) {
    return node.Error(
        "exactly one of cert or cert_file must be configured when a client key is configured");
  }
  return absl::OkStatus();
}

}  // namespace

bool TlsConfig::IsZero() const {
  return ca.empty() && ca_file.empty() && cert.empty() && cert_file.empty() && key.empty() &&
         key_file.empty() && server_name.empty() && !insecure_skip_verify && min_version.empty() &&
         max_version.empty();
}

bool IsHttpClientKey(std::string_view key) {
  for (auto k : kHttpKeys) {
    if (k == key) return true;
  }
  return false;
}

absl::Status ParseHttpClientField(const YamlEntry& e, HttpClientConfig* c, LegacyBearer* legacy) {
  const std::string& k = e.name();
  const YamlNode& v = e.value;
  auto refused_ref = [](const YamlEntry& x) -> absl::Status {
    if (x.name().ends_with("_ref")) return NotSupportedYet(x);
    return absl::NotFoundError("");
  };
  if (k == "basic_auth") {
    if (v.IsNull()) {
      c->basic_auth.reset();
      return absl::OkStatus();
    }
    BasicAuth b;
    RETURN_IF_ERROR(ReadMap(v, "basic_auth",
                            {
                                {"username", Into(&b.username)},
                                {"username_file", Into(&b.username_file)},
                                {"password", Into(&b.password)},
                                {"password_file", Into(&b.password_file)},
                            },
                            refused_ref));
    if (!b.username.empty() && !b.username_file.empty()) {
      return v.Error("at most one of basic_auth username, username_file & username_ref must be configured");
    }
    if (!b.password.empty() && !b.password_file.empty()) {
      return v.Error("at most one of basic_auth password, password_file & password_ref must be configured");
    }
    c->basic_auth = std::move(b);
    return absl::OkStatus();
  }
  if (k == "authorization") {
    if (v.IsNull()) {
      c->authorization.reset();
      return absl::OkStatus();
    }
    Authorization a;
    a.type.clear();
    RETURN_IF_ERROR(ReadMap(v, "authorization",
                            {
                                {"type", Into(&a.type)},
                                {"credentials", Into(&a.credentials)},
                                {"credentials_file", Into(&a.credentials_file)},
                            },
                            refused_ref));
    if (!a.credentials.empty() && !a.credentials_file.empty()) {
      return v.Error("at most one of authorization credentials & credentials_file must be configured");
    }
    a.type = std::string(absl::StripAsciiWhitespace(a.type));
    if (a.type.empty()) a.type = "Bearer";
    if (absl::AsciiStrToLower(a.type) == "basic") {
      return v.Error("authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    }
    c->authorization = std::move(a);
    return absl::OkStatus();
  }
  if (k == "bearer_token") return Into(&legacy->token)(v);
  if (k == "bearer_token_file") return Into(&legacy->token_file)(v);
  if (k == "tls_config") return ParseTls(v, &c->tls_config);
  if (k == "proxy_url") {
    RETURN_IF_ERROR(Into(&c->proxy_url)(v));
    if (!c->proxy_url.empty() && c->proxy_url.find("://") == std::string::npos) {
      return v.Error(absl::StrCat("invalid proxy_url \"", c->proxy_url, "\": missing scheme"));
    }
    return absl::OkStatus();
  }
  if (k == "no_proxy") return Into(&c->no_proxy)(v);
  if (k == "proxy_from_environment") return Into(&c->proxy_from_environment)(v);
  if (k == "follow_redirects") return Into(&c->follow_redirects)(v);
  if (k == "enable_http2") return Into(&c->enable_http2)(v);
  // oauth2, http_headers, proxy_connect_header.
  return NotSupportedYet(e);
}

absl::Status FinishHttpClientConfig(const YamlNode& where, HttpClientConfig* c, LegacyBearer legacy) {
  const bool bearer = !legacy.token.empty() || !legacy.token_file.empty();
  if (!legacy.token.empty() && !legacy.token_file.empty()) {
    return where.Error("at most one of bearer_token & bearer_token_file must be configured");
  }
  if (c->basic_auth && bearer) {
    return where.Error(
        "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  }
  if (c->authorization) {
    if (bearer) {
      return where.Error("authorization is not compatible with bearer_token & bearer_token_file");
    }
    if (c->basic_auth) {
      return where.Error("at most one of basic_auth, oauth2 & authorization must be configured");
    }
  } else if (bearer) {
    Authorization a;
    a.credentials = std::move(legacy.token);
    a.credentials_file = std::move(legacy.token_file);
    c->authorization = std::move(a);
  }
  if (c->proxy_from_environment && !c->proxy_url.empty()) {
    return where.Error("if proxy_from_environment is configured, proxy_url must not be configured");
  }
  if (c->proxy_from_environment && !c->no_proxy.empty()) {
    return where.Error("if proxy_from_environment is configured, no_proxy must not be configured");
  }
  if (c->proxy_url.empty() && !c->no_proxy.empty()) {
    return where.Error("if no_proxy is configured, proxy_url must also be configured");
  }
  return absl::OkStatus();
}

absl::Status ReadScheme(const YamlNode& v, std::string* scheme) {
  RETURN_IF_ERROR(Into(scheme)(v));
  if (scheme->empty()) *scheme = "http";
  if (*scheme != "http" && *scheme != "https") {
    return v.Error(absl::StrCat("invalid scheme \"", *scheme, "\": must be http or https"));
  }
  return absl::OkStatus();
}

void ResolveHttpClientPaths(std::string_view dir, HttpClientConfig* c) {
  if (c->basic_auth) {
    c->basic_auth->username_file = JoinDir(dir, c->basic_auth->username_file);
    c->basic_auth->password_file = JoinDir(dir, c->basic_auth->password_file);
  }
  if (c->authorization) {
    c->authorization->credentials_file = JoinDir(dir, c->authorization->credentials_file);
  }
  TlsConfig& t = c->tls_config;
  t.ca_file = JoinDir(dir, t.ca_file);
  t.cert_file = JoinDir(dir, t.cert_file);
  t.key_file = JoinDir(dir, t.key_file);
}

}  // namespace pharos::config
