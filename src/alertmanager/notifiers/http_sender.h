// HttpSender: the HTTP side of the webhook, Slack and PagerDuty notifiers —
// POST a JSON body with the receiver's http_config (basic auth, bearer
// authorization, TLS files) and a hard per-request timeout, from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "config/http_client_config.h"
#include "http/client.h"

namespace pharos::am::notifiers {

class HttpSender {
 public:
  // Refuses settings the HTTP client cannot honour (proxies, inline TLS
  // PEMs, authorization types other than Bearer) instead of ignoring them.
  static absl::StatusOr<std::unique_ptr<HttpSender>> Make(const config::HttpClientConfig& cfg,
                                                          absl::Duration timeout);

  struct Response {
    int status = 0;
    std::string body;  // at most kMaxResponseBytes
  };
  static constexpr size_t kMaxResponseBytes = 1 << 20;

  // POSTs `body` as application/json. Transport failures (connection, TLS,
  // timeout, an oversized or malformed response) are errors; an HTTP error
  // status is not.
  absl::StatusOr<Response> PostJson(const std::string& url, std::string_view body);

 private:
  explicit HttpSender(http::ClientOptions options) : options_(std::move(options)) {}

  http::ClientOptions options_;
  absl::Mutex mu_;
  // Idle clients (each keeps its connection alive); one per concurrent call.
  std::vector<std::unique_ptr<http::Client>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pharos::am::notifiers
