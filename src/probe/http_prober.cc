// The http prober, on libcurl directly (http::Client hides the per-phase
// timings, the certificate chain and the HTTP version the metrics need).
//
// As blackbox_exporter does, the target's host is resolved first with the
// module's IP protocol preference and the connection is pinned to that
// address (CURLOPT_RESOLVE), so probe_ip_protocol says what was used.
#include <curl/curl.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "config/paths.h"
#include "probe/conn.h"
#include "probe/internal/probers.h"
#include "re2/re2.h"

namespace pharos::probe::internal {
namespace {

constexpr size_t kDefaultBodyLimit = 64u << 20;  // bound when the module sets none
constexpr size_t kMaxHeaderBytes = 1u << 20;

struct Transfer {
  std::string body;
  size_t body_limit = kDefaultBodyLimit;
  bool body_too_large = false;
  std::vector<std::pair<std::string, std::string>> headers;  // of the latest response
  size_t header_bytes = 0;
  CURL* curl = nullptr;
  TlsInfo tls;
};

size_t OnBody(char* data, size_t size, size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  size_t len = size * n;
  if (t->body.size() + len > t->body_limit) {
    t->body_too_large = true;
    return 0;  // aborts the transfer
  }
  t->body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  size_t len = size * n;
  t->header_bytes += len;
  if (t->header_bytes > kMaxHeaderBytes) return 0;
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {
    t->headers.clear();
    // The TLS session is alive here: record what the handshake showed.
    const curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(t->curl, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info != nullptr &&
        info->backend == CURLSSLBACKEND_OPENSSL && info->internals != nullptr) {
      t->tls = TlsInfoFromSsl(static_cast<SSL*>(info->internals));
    } else {
      t->tls = TlsInfo();
    }
    return len;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(absl::StripAsciiWhitespace(AV(line.substr(0, colon))));
    std::string value(absl::StripAsciiWhitespace(AV(line.substr(colon + 1))));
    t->headers.emplace_back(std::move(name), std::move(value));
  }
  return len;
}

std::string ReadSecretFile(const std::string& path) {
  auto s = config::ReadBoundedFile(path, 64 << 10, "secret file");
  if (!s.ok()) return "";
  std::string v = *s;
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
  return v;
}

double Seconds(CURL* c, CURLINFO what) {
  curl_off_t us = 0;
  curl_easy_getinfo(c, what, &us);
  return static_cast<double>(us) / 1e6;
}

bool StatusValid(const config::HttpProbeConfig& c, long status) {
  if (c.valid_status_codes.empty()) return status >= 200 && status < 300;
  return std::find(c.valid_status_codes.begin(), c.valid_status_codes.end(), status) != c.valid_status_codes.end();
}

}  // namespace

bool ProbeHttp(const config::HttpProbeConfig& c, std::string_view target_in, absl::Time deadline, ProbeResult* r) {
  std::string target(target_in);
  if (target.find("://") == std::string::npos) target = absl::StrCat("http://", target);
  std::unique_ptr<CURLU, void (*)(CURLU*)> url(curl_url(), curl_url_cleanup);
  if (curl_url_set(url.get(), CURLUPART_URL, target.c_str(), 0) != CURLUE_OK) {
    r->Fail(absl::StrCat("Could not parse target URL target=", target));
    return false;
  }
  char* host_c = nullptr;
  char* port_c = nullptr;
  char* scheme_c = nullptr;
  curl_url_get(url.get(), CURLUPART_HOST, &host_c, 0);
  curl_url_get(url.get(), CURLUPART_PORT, &port_c, CURLU_DEFAULT_PORT);
  curl_url_get(url.get(), CURLUPART_SCHEME, &scheme_c, 0);
  std::string host = host_c ? host_c : "";
  std::string port = port_c ? port_c : "";
  std::string scheme = scheme_c ? scheme_c : "";
  curl_free(host_c);
  curl_free(port_c);
  curl_free(scheme_c);
  if (scheme != "http" && scheme != "https") {
    r->Fail(absl::StrCat("unsupported URL scheme ", scheme));
    return false;
  }
  std::string bare_host = host;
  if (bare_host.starts_with("[") && bare_host.ends_with("]")) bare_host = bare_host.substr(1, bare_host.size() - 2);

  auto addr = ResolveTarget(bare_host, c.preferred_ip_protocol, c.ip_protocol_fallback, r);
  if (!addr.ok()) return false;

  CURL* curl = curl_easy_init();
  std::unique_ptr<CURL, void (*)(CURL*)> guard(curl, curl_easy_cleanup);
  Transfer t;
  t.curl = curl;
  if (c.body_size_limit > 0) t.body_limit = static_cast<size_t>(c.body_size_limit);

  std::string resolve_entry =
      absl::StrCat(host, ":", port, ":", addr->family == AF_INET6 ? absl::StrCat("[", addr->ip, "]") : addr->ip);
  curl_slist* resolve = curl_slist_append(nullptr, resolve_entry.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> resolve_guard(resolve, curl_slist_free_all);
  curl_slist* headers = nullptr;
  bool has_user_agent = false;
  for (const auto& [k, v] : c.headers) {
    if (absl::EqualsIgnoreCase(k, "User-Agent")) has_user_agent = true;
    headers = curl_slist_append(headers, absl::StrCat(k, ": ", v).c_str());
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers_guard(headers, curl_slist_free_all);

  int64_t remaining_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
  if (remaining_ms <= 0) {
    r->Fail("timeout before the request");
    return false;
  }
  curl_easy_setopt(curl, CURLOPT_URL, target.c_str());
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining_ms));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  if (!has_user_agent) curl_easy_setopt(curl, CURLOPT_USERAGENT, "Pharos/0.1 (blackbox_exporter compatible)");
  const config::HttpClientConfig& hc = c.http_client;
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, hc.follow_redirects ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_POSTREDIR, 0L);
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION,
                   hc.enable_http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  if (!c.compression.empty()) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, c.compression.c_str());
  if (c.method != "GET") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, c.method.c_str());
  if (c.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!c.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, c.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(c.body.size()));
  }
  if (!hc.proxy_url.empty()) curl_easy_setopt(curl, CURLOPT_PROXY, hc.proxy_url.c_str());
  std::string user, password, bearer;
  if (hc.basic_auth) {
    user = hc.basic_auth->username_file.empty() ? hc.basic_auth->username : ReadSecretFile(hc.basic_auth->username_file);
    password = hc.basic_auth->password_file.empty() ? hc.basic_auth->password
                                                    : ReadSecretFile(hc.basic_auth->password_file);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
  }
  curl_slist* auth_header = nullptr;
  if (hc.authorization) {
    std::string cred = hc.authorization->credentials_file.empty() ? hc.authorization->credentials
                                                                  : ReadSecretFile(hc.authorization->credentials_file);
    auth_header = curl_slist_append(headers, absl::StrCat("Authorization: ", hc.authorization->type, " ", cred).c_str());
    if (headers == nullptr) headers_guard.reset(auth_header);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, auth_header);
  }
  const config::TlsConfig& tls = hc.tls_config;
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!tls.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  curl_blob ca_blob{const_cast<char*>(tls.ca.data()), tls.ca.size(), CURL_BLOB_COPY};
  if (!tls.ca.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca_blob);
  if (!tls.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.key_file.c_str());
  long min_tls = CURL_SSLVERSION_TLSv1_2;
  if (tls.min_version == "TLS10") min_tls = CURL_SSLVERSION_TLSv1_0;
  if (tls.min_version == "TLS11") min_tls = CURL_SSLVERSION_TLSv1_1;
  if (tls.min_version == "TLS13") min_tls = CURL_SSLVERSION_TLSv1_3;
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, min_tls);
  curl_slist* connect_to = nullptr;
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> connect_guard(nullptr, curl_slist_free_all);
  if (!tls.server_name.empty() && scheme == "https") {
    // Verify against server_name: ask for that host, connect to the target.
    std::string sn_url = target;
    curl_url_set(url.get(), CURLUPART_HOST, tls.server_name.c_str(), 0);
    char* u = nullptr;
    curl_url_get(url.get(), CURLUPART_URL, &u, 0);
    sn_url = u ? u : target;
    curl_free(u);
    connect_to = curl_slist_append(nullptr, absl::StrCat(tls.server_name, ":", port, ":", host, ":", port).c_str());
    connect_guard.reset(connect_to);
    curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
    curl_easy_setopt(curl, CURLOPT_URL, sn_url.c_str());
    target = sn_url;
  }
  curl_easy_setopt(curl, CURLOPT_URL, target.c_str());

  r->Info(absl::StrCat("Making HTTP request url=", target, " host=", host));
  CURLcode rc = curl_easy_perform(curl);

  long status = 0, redirects = 0, version = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(curl, CURLINFO_REDIRECT_COUNT, &redirects);
  curl_easy_getinfo(curl, CURLINFO_HTTP_VERSION, &version);
  char* effective = nullptr;
  curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
  std::string final_url = effective ? effective : target;
  curl_off_t content_length = -1;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &content_length);

  const double lookup = Seconds(curl, CURLINFO_NAMELOOKUP_TIME_T);
  const double connect = Seconds(curl, CURLINFO_CONNECT_TIME_T);
  const double app = Seconds(curl, CURLINFO_APPCONNECT_TIME_T);
  const double start_transfer = Seconds(curl, CURLINFO_STARTTRANSFER_TIME_T);
  const double total = Seconds(curl, CURLINFO_TOTAL_TIME_T);
  const double redirect_time = Seconds(curl, CURLINFO_REDIRECT_TIME_T);
  const double ready = std::max(connect, app);
  r->Set("probe_http_duration_seconds", addr->lookup_seconds + lookup, {{"phase", "resolve"}});
  r->Set("probe_http_duration_seconds", std::max(0.0, connect - lookup), {{"phase", "connect"}});
  r->Set("probe_http_duration_seconds", app > 0 ? std::max(0.0, app - connect) : 0, {{"phase", "tls"}});
  r->Set("probe_http_duration_seconds", std::max(0.0, start_transfer - ready) + redirect_time,
         {{"phase", "processing"}});
  r->Set("probe_http_duration_seconds", std::max(0.0, total - std::max(start_transfer, ready)),
         {{"phase", "transfer"}});

  const bool is_ssl = absl::StartsWithIgnoreCase(final_url, "https://");
  r->Set("probe_http_redirects", redirects);
  r->Set("probe_http_ssl", is_ssl ? 1 : 0);
  r->Set("probe_http_status_code", status);
  r->Set("probe_http_content_length", static_cast<double>(content_length));
  r->Set("probe_http_uncompressed_body_length", static_cast<double>(t.body.size()));
  double http_version = version == CURL_HTTP_VERSION_1_0 ? 1.0
                        : version == CURL_HTTP_VERSION_1_1 ? 1.1
                        : version == CURL_HTTP_VERSION_2_0 ? 2.0
                        : version == CURL_HTTP_VERSION_3   ? 3.0
                                                           : 0;
  r->Set("probe_http_version", http_version);
  r->Set("probe_failed_due_to_regex", 0);
  if (t.tls.present && is_ssl) ReportTls(t.tls, r);

  if (rc != CURLE_OK) {
    std::string why = t.body_too_large ? absl::StrCat("body larger than the limit of ", t.body_limit, " bytes")
                      : rc == CURLE_OPERATION_TIMEDOUT ? std::string("context deadline exceeded (timeout)")
                                                       : std::string(curl_easy_strerror(rc));
    r->Fail(absl::StrCat("Error for HTTP request: ", why));
    return false;
  }
  r->Info(absl::StrCat("Received HTTP response status_code=", status));

  bool ok = true;
  if (!StatusValid(c, status)) {
    r->Fail(absl::StrCat("Invalid HTTP response status code status_code=", status));
    ok = false;
  }
  std::string version_name = http_version == 1.0   ? "HTTP/1.0"
                             : http_version == 1.1 ? "HTTP/1.1"
                             : http_version == 2.0 ? "HTTP/2.0"
                                                   : "HTTP/3.0";
  if (ok && !c.valid_http_versions.empty() &&
      std::find(c.valid_http_versions.begin(), c.valid_http_versions.end(), version_name) ==
          c.valid_http_versions.end()) {
    r->Fail(absl::StrCat("Invalid HTTP version number version=", version_name));
    ok = false;
  }
  if (ok && c.fail_if_ssl && is_ssl) {
    r->Fail("Final request was over SSL");
    ok = false;
  }
  if (ok && c.fail_if_not_ssl && !is_ssl) {
    r->Fail("Final request was not over SSL");
    ok = false;
  }
  bool regex_failed = false;
  if (ok) {
    for (const std::string& re : c.fail_if_body_matches_regexp) {
      if (RE2::PartialMatch(t.body, RE2(re, RE2::Quiet))) {
        r->Fail(absl::StrCat("Body matched regular expression regexp=", re));
        regex_failed = true;
        break;
      }
    }
  }
  if (ok && !regex_failed) {
    for (const std::string& re : c.fail_if_body_not_matches_regexp) {
      if (!RE2::PartialMatch(t.body, RE2(re, RE2::Quiet))) {
        r->Fail(absl::StrCat("Body did not match regular expression regexp=", re));
        regex_failed = true;
        break;
      }
    }
  }
  auto header_values = [&](const std::string& name) {
    std::vector<std::string> v;
    for (const auto& [k, val] : t.headers) {
      if (absl::EqualsIgnoreCase(k, name)) v.push_back(val);
    }
    return v;
  };
  if (ok && !regex_failed) {
    for (const config::HeaderMatchSpec& h : c.fail_if_header_matches) {
      RE2 re(h.regexp, RE2::Quiet);
      auto values = header_values(h.header);
      if (values.empty() && !h.allow_missing) {
        r->Fail(absl::StrCat("Missing required header header=", h.header));
        regex_failed = true;
        break;
      }
      for (const std::string& v : values) {
        if (RE2::PartialMatch(v, re)) {
          r->Fail(absl::StrCat("Header matched regular expression header=", h.header, " regexp=", h.regexp));
          regex_failed = true;
          break;
        }
      }
      if (regex_failed) break;
    }
  }
  if (ok && !regex_failed) {
    for (const config::HeaderMatchSpec& h : c.fail_if_header_not_matches) {
      RE2 re(h.regexp, RE2::Quiet);
      auto values = header_values(h.header);
      if (values.empty() && h.allow_missing) continue;
      bool any = false;
      for (const std::string& v : values) any = any || RE2::PartialMatch(v, re);
      if (!any) {
        r->Fail(values.empty() ? absl::StrCat("Missing required header header=", h.header)
                               : absl::StrCat("Header did not match regular expression header=", h.header,
                                              " regexp=", h.regexp));
        regex_failed = true;
        break;
      }
    }
  }
  if (regex_failed) {
    r->Set("probe_failed_due_to_regex", 1);
    ok = false;
  }
  for (const std::string& lm : header_values("Last-Modified")) {
    time_t when = curl_getdate(lm.c_str(), nullptr);
    if (when > 0) r->Set("probe_http_last_modified_timestamp_seconds", static_cast<double>(when));
  }
  return ok;
}

}  // namespace pharos::probe::internal
