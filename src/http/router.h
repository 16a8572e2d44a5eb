// Router: maps (method, path) to a handler. Patterns are exact paths
// ("/api/v1/labels"), paths with parameters ("/api/v1/label/:name/values",
// one segment each) or a trailing catch-all ("/static/*filepath"). For a
// given method an exact path wins over a pattern; patterns are tried in
// registration order.
//
// A path that matches a route under another method answers 405 with an
// Allow header; HEAD falls back to the GET route when there is no HEAD one.
//
// Threading: routes are added before the server starts; afterwards the
// router is read-only and Find() may run on any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "http/request.h"

namespace pharos::http {

// Runs on a worker thread (may block) unless RouteOptions::run_inline.
using Handler = std::function<void(Request& req, Response& res)>;

struct RouteOptions {
  // The "handler" label of the route's metrics; the pattern when empty.
  std::string metric_name;
  // Run on the I/O thread instead of the worker pool. Only for handlers that
  // never block (health probes), so they answer even when workers are busy.
  bool run_inline = false;
  // Compress the response when the client accepts gzip or deflate.
  bool compress = true;
};

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
  std::vector<std::string> segments;  // pattern split on '/'
  size_t index = 0;                   // position in Router::routes()
};

class Router {
 public:
  // Adds a route. Registering the same method and pattern twice, or a
  // malformed pattern, aborts (a programming error).
  void Handle(std::string_view method, std::string_view pattern, Handler handler, RouteOptions options = {});
  void Get(std::string_view pattern, Handler h, RouteOptions o = {}) { Handle("GET", pattern, std::move(h), o); }
  void Post(std::string_view pattern, Handler h, RouteOptions o = {}) { Handle("POST", pattern, std::move(h), o); }

  struct Match {
    const Route* route = nullptr;  // set when status == 0
    int status = 0;                // 0, 404 or 405
    std::string allow;             // for 405: "GET, POST"
    Pairs params;
  };
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  bool MatchPattern(const Route& r, const std::vector<std::string_view>& segs, Pairs* params) const;

  std::vector<Route> routes_;
  // Exact patterns: path → indexes of its routes (one per method).
  absl::flat_hash_map<std::string, std::vector<size_t>> exact_;
  std::vector<size_t> patterned_;
};

}  // namespace pharos::http
