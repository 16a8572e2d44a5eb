// Client: outbound HTTP over libcurl, for scrapes, probes, webhooks and
// remote write.
//
// A Client keeps one curl handle and its connection cache: consecutive
// requests to the same target reuse the kept-alive connection. Options that
// describe the target's access (TLS, credentials, default timeout and body
// limit) are fixed per Client; a request carries its method, URL, headers
// and body. The response body goes into a caller-owned string, cleared and
// reused between calls (its capacity is kept).
//
// Errors are absl::Status values naming the method and URL (credentials in
// the URL are redacted): DeadlineExceeded on timeout, ResourceExhausted when
// the body passes the limit (the transfer is aborted), InvalidArgument for a
// malformed URL, Unavailable for connection, TLS and protocol failures. An
// HTTP error status is not an error here: the caller reads `status`.
//
// Threading: a Client is used by one thread at a time; use one per target
// or per thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "http/request.h"

namespace pharos::http {

struct TlsOptions {
  std::string ca_file;    // PEM bundle to verify the server with (system CAs when empty)
  std::string cert_file;  // client certificate (PEM), with key_file
  std::string key_file;
  std::string server_name;  // SNI and the name the certificate must carry
  bool insecure_skip_verify = false;
};

struct ClientOptions {
  TlsOptions tls;
  std::string basic_auth_username;  // basic auth when non-empty
  std::string basic_auth_password;
  std::string bearer_token;  // "Authorization: Bearer …" when non-empty
  std::string user_agent = "Pharos/0.1";
  absl::Duration timeout = absl::Seconds(10);
  size_t max_body_bytes = 64 << 20;  // decoded size; 0 means no limit
  bool accept_gzip = true;           // send Accept-Encoding: gzip and decode
  bool follow_redirects = true;
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  Pairs headers;
  std::string_view body;  // sent for POST/PUT/… (not copied; must outlive Do())
  absl::Duration timeout = absl::ZeroDuration();  // ZeroDuration: the client's
  size_t max_body_bytes = 0;                      // 0: the client's
};

struct ClientResponse {
  int status = 0;
  std::string content_type;
  Pairs headers;  // of the final response (after redirects)
  absl::Duration duration;
};

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  absl::StatusOr<ClientResponse> Do(const ClientRequest& req, std::string* body);
  absl::StatusOr<ClientResponse> Get(std::string url, std::string* body);
  absl::StatusOr<ClientResponse> Post(std::string url, std::string_view content_type, std::string_view payload,
                                      std::string* body);

  const ClientOptions& options() const { return options_; }

 private:
  struct Impl;
  ClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

// The URL with any "user:password@" replaced by "user:xxxxx@".
std::string RedactUrl(std::string_view url);

}  // namespace pharos::http
