#include "http/client.h"

#include <curl/curl.h>

#include <chrono>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::http {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct WriteState {
  std::string* body;
  size_t limit;
  bool exceeded = false;
};

size_t OnWrite(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<WriteState*>(user);
  size_t len = size * n;
  if (s->limit != 0 && s->body->size() + len > s->limit) {
    s->exceeded = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  s->body->append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<Pairs*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    headers->clear();  // a new response (after a redirect or 100 Continue)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    headers->emplace_back(std::string(line.substr(0, colon)), std::string(v));
  }
  return size * n;
}

absl::StatusCode CodeFor(CURLcode c) {
  switch (c) {
    case CURLE_OPERATION_TIMEDOUT: return absl::StatusCode::kDeadlineExceeded;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return absl::StatusCode::kInvalidArgument;
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE: return absl::StatusCode::kFailedPrecondition;
    default: return absl::StatusCode::kUnavailable;
  }
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t start = scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string_view userinfo = authority.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return std::string(url);
  return absl::StrCat(AV(url.substr(0, start)), AV(userinfo.substr(0, colon)), ":xxxxx",
                      AV(url.substr(start + at)));
}

struct Client::Impl {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};
};

Client::Client(ClientOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->curl = curl_easy_init();
}

Client::~Client() {
  if (impl_->curl != nullptr) curl_easy_cleanup(impl_->curl);
}

absl::StatusOr<ClientResponse> Client::Get(std::string url, std::string* body) {
  ClientRequest r;
  r.url = std::move(url);
  return Do(r, body);
}

absl::StatusOr<ClientResponse> Client::Post(std::string url, std::string_view content_type, std::string_view payload,
                                            std::string* body) {
  ClientRequest r;
  r.method = "POST";
  r.url = std::move(url);
  r.headers.emplace_back("Content-Type", std::string(content_type));
  r.body = payload;
  return Do(r, body);
}

absl::StatusOr<ClientResponse> Client::Do(const ClientRequest& req, std::string* body) {
  std::string what = absl::StrCat(req.method, " ", RedactUrl(req.url));
  CURL* c = impl_->curl;
  if (c == nullptr) return absl::InternalError(absl::StrCat(what, ": curl_easy_init failed"));
  body->clear();
  // Resetting keeps the connection cache: a kept-alive connection to the
  // same target is reused.
  curl_easy_reset(c);
  impl_->error[0] = '\0';
  WriteState ws{body, req.max_body_bytes != 0 ? req.max_body_bytes : options_.max_body_bytes};
  ClientResponse resp;
  absl::Duration timeout = req.timeout != absl::ZeroDuration() ? req.timeout : options_.timeout;

  std::string url = req.url;
  std::string connect_to;
  std::string host_header;
  curl_slist* connect_list = nullptr;
  if (!options_.tls.server_name.empty()) {
    // Present server_name for SNI and verification while connecting to the
    // URL's host: rewrite the URL's host and tell curl where to connect.
    CURLU* u = curl_url();
    char *host = nullptr, *port = nullptr, *scheme = nullptr;
    bool ok = curl_url_set(u, CURLUPART_URL, req.url.c_str(), 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK;
    if (ok && std::string_view(scheme) == "https") {
      connect_to = absl::StrCat(options_.tls.server_name, ":", port, ":", host, ":", port);
      char* rewritten = nullptr;
      curl_url_set(u, CURLUPART_HOST, options_.tls.server_name.c_str(), 0);
      if (curl_url_get(u, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) url = rewritten;
      curl_free(rewritten);
      char* orig_port = nullptr;
      host_header = absl::StrCat("Host: ", host);
      if (curl_url_get(u, CURLUPART_PORT, &orig_port, 0) == CURLUE_OK) absl::StrAppend(&host_header, ":", orig_port);
      curl_free(orig_port);
    }
    curl_free(host);
    curl_free(port);
    curl_free(scheme);
    curl_url_cleanup(u);
    if (!connect_to.empty()) connect_list = curl_slist_append(nullptr, connect_to.c_str());
  }

  curl_slist* headers = nullptr;
  bool has_host = false, has_content_type = false;
  for (const auto& [k, v] : req.headers) {
    has_host |= EqualsIgnoreCase(k, "Host");
    has_content_type |= EqualsIgnoreCase(k, "Content-Type");
    headers = curl_slist_append(headers, absl::StrCat(k, ": ", v).c_str());
  }
  // curl would label a POST body as a form; send no Content-Type unless asked.
  if (!has_content_type) headers = curl_slist_append(headers, "Content-Type:");
  if (!host_header.empty() && !has_host) headers = curl_slist_append(headers, host_header.c_str());
  if (!options_.bearer_token.empty()) {
    headers = curl_slist_append(headers, absl::StrCat("Authorization: Bearer ", options_.bearer_token).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, impl_->error);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ws);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (options_.follow_redirects) {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  if (options_.accept_gzip) curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
  if (connect_list != nullptr) curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_list);
  if (!options_.basic_auth_username.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.basic_auth_username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.basic_auth_password.c_str());
  }
  const TlsOptions& tls = options_.tls;
  if (!tls.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, tls.key_file.c_str());
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    if (req.method == "POST") {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
    } else {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }

  auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(c);
  resp.duration = absl::FromChrono(std::chrono::steady_clock::now() - start);
  curl_slist_free_all(headers);
  curl_slist_free_all(connect_list);

  if (ws.exceeded) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, ": response body exceeds the limit of ", ws.limit, " bytes"));
  }
  if (rc != CURLE_OK) {
    std::string detail = impl_->error[0] != '\0' ? impl_->error : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) detail = absl::StrCat("timeout after ", absl::FormatDuration(timeout), " (", detail, ")");
    return absl::Status(CodeFor(rc), absl::StrCat(what, ": ", detail));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  resp.status = static_cast<int>(status);
  char* ct = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != nullptr) resp.content_type = ct;
  return resp;
}

}  // namespace pharos::http
