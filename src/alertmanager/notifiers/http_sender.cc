#include "alertmanager/notifiers/http_sender.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "alertmanager/notifiers/notify_util.h"
#include "common/strings.h"

namespace pharos::am::notifiers {
namespace {

// Secrets from *_file settings are read when the notifier is built; a
// trailing newline is dropped as Prometheus does.
absl::StatusOr<std::string> ReadSecret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpSender>> HttpSender::Make(const config::HttpClientConfig& cfg,
                                                             absl::Duration timeout) {
  http::ClientOptions o;
  o.user_agent = std::string(kUserAgent);
  o.timeout = timeout;
  o.max_body_bytes = kMaxResponseBytes;
  o.accept_gzip = false;
  o.follow_redirects = cfg.follow_redirects;
  if (!cfg.proxy_url.empty() || cfg.proxy_from_environment) {
    return absl::UnimplementedError("http_config: proxies are not supported by Pharos' notifiers");
  }
  const auto& t = cfg.tls_config;
  if (!t.ca.empty() || !t.cert.empty() || !t.key.empty()) {
    return absl::UnimplementedError("http_config.tls_config: inline ca/cert/key are not supported; use *_file");
  }
  o.tls.ca_file = t.ca_file;
  o.tls.cert_file = t.cert_file;
  o.tls.key_file = t.key_file;
  o.tls.server_name = t.server_name;
  o.tls.insecure_skip_verify = t.insecure_skip_verify;
  if (cfg.basic_auth.has_value()) {
    const auto& b = *cfg.basic_auth;
    o.basic_auth_username = b.username;
    if (!b.username_file.empty()) {
      auto s = ReadSecret(b.username_file);
      if (!s.ok()) return s.status();
      o.basic_auth_username = *s;
    }
    o.basic_auth_password = b.password;
    if (!b.password_file.empty()) {
      auto s = ReadSecret(b.password_file);
      if (!s.ok()) return s.status();
      o.basic_auth_password = *s;
    }
  }
  if (cfg.authorization.has_value()) {
    const auto& a = *cfg.authorization;
    if (!absl::EqualsIgnoreCase(a.type, "Bearer")) {
      return absl::UnimplementedError(
          absl::StrCat("http_config.authorization: type ", a.type, " is not supported (only Bearer)"));
    }
    o.bearer_token = a.credentials;
    if (!a.credentials_file.empty()) {
      auto s = ReadSecret(a.credentials_file);
      if (!s.ok()) return s.status();
      o.bearer_token = *s;
    }
  }
  return std::unique_ptr<HttpSender>(new HttpSender(std::move(o)));
}

absl::StatusOr<HttpSender::Response> HttpSender::PostJson(const std::string& url, std::string_view body) {
  std::unique_ptr<http::Client> client;
  {
    absl::MutexLock l(&mu_);
    if (!idle_.empty()) {
      client = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!client) client = std::make_unique<http::Client>(options_);
  Response r;
  auto resp = client->Post(url, "application/json", body, &r.body);
  {
    absl::MutexLock l(&mu_);
    idle_.push_back(std::move(client));
  }
  if (!resp.ok()) return resp.status();
  r.status = resp->status;
  return r;
}

}  // namespace pharos::am::notifiers
