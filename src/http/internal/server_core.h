// State shared by the server's listener and its connections (internal).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/metrics/registry.h"
#include "http/router.h"
#include "http/server.h"
#include "http/worker_pool.h"

namespace pharos::http::internal {

class Connection;

class ServerCore {
 public:
  ServerCore(ServerOptions opts, const Router* router);

  // Resolves per-route metric children; call once routes are final.
  void PrepareRoutes();

  const ServerOptions options;
  const Router* const router;
  std::unique_ptr<WorkerPool> pool;
  std::atomic<bool> stopping{false};

  metrics::CounterFamily* requests = nullptr;
  std::vector<metrics::Histogram*> route_durations;  // by Route::index
  metrics::Gauge* in_flight = nullptr;
  metrics::Gauge* open_connections = nullptr;
  metrics::CounterFamily* rejected = nullptr;

  // Connection registry, for graceful stop and the connection limit.
  uint64_t AddConnection(std::weak_ptr<Connection> c);
  void RemoveConnection(uint64_t id);
  std::vector<std::shared_ptr<Connection>> Connections();
  size_t NumConnections();
  // Waits until no connection is left or `deadline` passes; true when none is left.
  bool WaitNoConnections(std::chrono::steady_clock::time_point deadline);
  // Called when a connection closes while accepting is paused.
  void SetResumeAccept(std::function<void()> fn);

 private:
  std::unique_ptr<metrics::Registry> own_registry_;  // when options.registry is null
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_id_ = 1;                                              // guarded by mu_
  absl::flat_hash_map<uint64_t, std::weak_ptr<Connection>> conns_;  // guarded by mu_
  std::function<void()> resume_accept_;                               // guarded by mu_
};

// The request pipeline around a route handler: request id and its log scope,
// the handler (or 404/405), the X-Request-ID response header, compression,
// metrics and the access log. `received` is when the request was read.
void Serve(ServerCore& core, const Router::Match& match, Request& req, Response& res,
           std::chrono::steady_clock::time_point received);

}  // namespace pharos::http::internal
