#include "api/testing/api_server.h"

#include <cstdlib>

#include "http/request.h"

namespace pharos::api::testing {

std::string Reply::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (http::EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

ApiServer::ApiServer(ApiOptions options, ApiDeps deps) {
  api_ = std::make_unique<Api>(std::move(options), std::move(deps));
  http::ServerOptions so;
  so.listen_address = "127.0.0.1:0";
  so.registry = api_->deps().registry;
  so.worker_threads = 2;
  server_ = std::make_unique<http::Server>(so);
  api_->Register(server_->router());
  if (!server_->Start().ok()) std::abort();
  base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  http::ClientOptions co;
  co.accept_gzip = false;
  co.follow_redirects = false;
  client_ = std::make_unique<http::Client>(co);
}

ApiServer::~ApiServer() { server_->Stop(absl::Seconds(2)); }

Reply ApiServer::Do(const std::string& method, const std::string& target, std::string_view body,
                    http::Pairs headers) {
  http::ClientRequest req;
  req.method = method;
  req.url = base_ + target;
  req.body = body;
  req.headers = std::move(headers);
  Reply r;
  auto resp = client_->Do(req, &r.body);
  if (!resp.ok()) {
    r.status = -1;
    r.body = std::string(resp.status().message());
    return r;
  }
  r.status = resp->status;
  r.content_type = resp->content_type;
  r.headers = resp->headers;
  return r;
}

Reply ApiServer::Get(const std::string& target, http::Pairs headers) {
  return Do("GET", target, "", std::move(headers));
}

Reply ApiServer::PostForm(const std::string& target, const std::string& form) {
  return Do("POST", target, form, {{"Content-Type", "application/x-www-form-urlencoded"}});
}

}  // namespace pharos::api::testing
