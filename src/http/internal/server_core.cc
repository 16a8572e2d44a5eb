#include "http/internal/server_core.h"

#include <exception>

#include "common/log.h"
#include "http/compression.h"
#include "http/request_id.h"

namespace pharos::http::internal {

ServerCore::ServerCore(ServerOptions opts, const Router* r) : options(std::move(opts)), router(r) {
  metrics::Registry* reg = options.registry;
  if (reg == nullptr) {
    own_registry_ = std::make_unique<metrics::Registry>();
    reg = own_registry_.get();
  }
  requests = reg->NewCounterFamily("pharos_http_requests_total", "Counter of HTTP requests.", {"handler", "code"});
  in_flight = reg->NewGauge("pharos_http_requests_in_flight", "Number of HTTP requests being handled.");
  open_connections = reg->NewGauge("pharos_http_connections", "Number of open HTTP connections.");
  rejected = reg->NewCounterFamily("pharos_http_requests_rejected_total",
                                   "HTTP requests refused before reaching a handler, by reason.", {"reason"});
}

void ServerCore::PrepareRoutes() {
  metrics::Registry* reg = options.registry != nullptr ? options.registry : own_registry_.get();
  auto* durations = reg->NewHistogramFamily("pharos_http_request_duration_seconds",
                                            "Histogram of latencies for HTTP requests.", {"handler"},
                                            {.1, .2, .4, 1, 3, 8, 20, 60, 120});
  route_durations.clear();
  for (const Route& r : router->routes()) route_durations.push_back(durations->With({r.options.metric_name}));
}

uint64_t ServerCore::AddConnection(std::weak_ptr<Connection> c) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t id = next_id_++;
  conns_.emplace(id, std::move(c));
  open_connections->Inc();
  return id;
}

void ServerCore::RemoveConnection(uint64_t id) {
  std::function<void()> resume;
  {
    std::lock_guard<std::mutex> lock(mu_);
    conns_.erase(id);
    open_connections->Dec();
    resume = std::move(resume_accept_);
    resume_accept_ = nullptr;
  }
  cv_.notify_all();
  if (resume) resume();
}

std::vector<std::shared_ptr<Connection>> ServerCore::Connections() {
  std::vector<std::shared_ptr<Connection>> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, w] : conns_) {
    if (auto c = w.lock()) out.push_back(std::move(c));
  }
  return out;
}

size_t ServerCore::NumConnections() {
  std::lock_guard<std::mutex> lock(mu_);
  return conns_.size();
}

bool ServerCore::WaitNoConnections(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [this] { return conns_.empty(); });
}

void ServerCore::SetResumeAccept(std::function<void()> fn) {
  bool now = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (conns_.size() < options.max_connections) {
      now = true;
    } else {
      resume_accept_ = std::move(fn);
    }
  }
  if (now) fn();
}

void Serve(ServerCore& core, const Router::Match& match, Request& req, Response& res,
           std::chrono::steady_clock::time_point received) {
  req.request_id = RequestIdFor(req.Header(kRequestIdHeader));
  log::ScopedRequestId scope(req.request_id);
  const Route* route = match.route;
  if (route == nullptr) {
    if (match.status == 405) {
      res.SetError(405, "Method Not Allowed");
      res.SetHeader("Allow", match.allow);
    } else {
      res.SetError(404, "404 page not found");
    }
  } else {
    core.in_flight->Inc();
    try {
      route->handler(req, res);
    } catch (const std::exception& e) {
      log::Error("http", "handler threw", {{"handler", route->options.metric_name}, {"err", e.what()}});
      res = Response();
      res.SetError(500, "internal server error");
    }
    core.in_flight->Dec();
  }
  res.SetHeader(kRequestIdHeader, req.request_id);
  if (route != nullptr && route->options.compress && !res.body.empty() && res.Header("Content-Encoding").empty()) {
    Encoding enc = ChooseEncoding(req.Header("Accept-Encoding"));
    if (enc != Encoding::kIdentity) {
      std::string z;
      if (Compress(enc, res.body, core.options.compression_level, &z).ok()) {
        res.body.swap(z);
        res.SetHeader("Content-Encoding", EncodingName(enc));
      }
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count();
  if (route != nullptr) {
    core.requests->With({route->options.metric_name, std::to_string(res.status)})->Inc();
    core.route_durations[route->index]->Observe(seconds);
  }
  if (log::Enabled(log::Level::kDebug)) {
    log::Debug("http", "request",
               {{"method", req.method},
                {"path", req.path},
                {"status", res.status},
                {"duration_seconds", seconds},
                {"bytes", res.body.size()},
                {"remote", req.remote_address}});
  }
}

}  // namespace pharos::http::internal
