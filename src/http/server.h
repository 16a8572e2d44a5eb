// Server: Pharos' HTTP/1.1 server (Boost.Beast), serving one Router.
//
//   http::Server server(options);
//   api.Register(server.router());          // routes first
//   RETURN_IF_ERROR(server.Start());        // binds, starts threads
//   ... server.port() ...                   // the bound port (for ":0")
//   server.Stop(absl::Seconds(30));         // graceful
//
// Model: `io_threads` run the sockets (keep-alive, pipelining, timeouts);
// handlers run on `worker_threads` from a bounded queue (so they may block)
// unless the route is run_inline; the worker writes a keep-alive answer
// itself when the socket takes it whole. While a handler runs, its connection keeps
// reading the socket, so that Request::ClientGone() turns true when the
// client goes away. Every request gets an X-Request-ID (the client's, or a
// new one) echoed in the response and attached to the log lines written
// while its handler runs; an access line is logged at debug level; per-route
// metrics pharos_http_requests_total{handler,code} and
// pharos_http_request_duration_seconds{handler} are kept; responses are
// gzip/deflate-compressed when the client accepts it.
//
// Limits: a header larger than max_header_bytes answers 431, a body larger
// than max_body_bytes answers 413 (and the connection closes); a full queue
// answers 503; idle and slow clients are disconnected after the timeouts.
//
// Threading: Start/Stop from one thread. The router must not change after
// Start(). Stop() stops accepting, lets in-flight requests finish (their
// responses close the connection), closes idle connections, and after
// `grace` cancels what is left (ClientGone() becomes true).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "http/router.h"

namespace pharos::metrics {
class Registry;
}

namespace pharos::http {

struct ServerOptions {
  std::string listen_address = ":9090";
  int io_threads = 2;
  int worker_threads = 8;
  size_t max_queued_requests = 1024;
  size_t max_connections = 512;  // beyond it, accepting pauses (as --web.max-connections)
  size_t max_header_bytes = 1 << 20;
  size_t max_body_bytes = 32 << 20;
  absl::Duration header_timeout = absl::Minutes(1);  // first request's header
  absl::Duration read_timeout = absl::Minutes(5);    // a request's body
  absl::Duration idle_timeout = absl::Minutes(5);    // between keep-alive requests
  absl::Duration write_timeout = absl::Minutes(5);
  int compression_level = 1;  // zlib level for gzip/deflate responses
  // Where the server's own metrics go; none are kept when null.
  metrics::Registry* registry = nullptr;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // Stop(absl::ZeroDuration()) if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Add routes before Start().
  Router& router();

  // Binds and starts serving. Fails (Unavailable / InvalidArgument) naming
  // the address when it cannot listen.
  absl::Status Start();
  // The bound port, valid after Start() (the chosen one when the address
  // asked for port 0).
  uint16_t port() const;

  void Stop(absl::Duration grace = absl::Seconds(30));

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pharos::http
