// Api: Pharos' Prometheus-compatible HTTP API. It is built from narrow
// dependencies (storage interfaces, provider interfaces, callbacks) and
// registers its routes on an http::Router.
//
//   api::ApiDeps deps;
//   deps.queryable = &storage;  deps.appendable = &storage;
//   deps.registry = &registry;  deps.targets = &scrape_targets; …
//   api::Api api(options, std::move(deps));
//   api.Register(server.router());
//
// Other API families add their own routes with Wrap(), which gives them
// the readiness gate, CORS headers and the JSON envelope:
//
//   router.Get("/api/v1/query", api.Wrap(QueryFunc(engine)));
//
// Lifetime: the registered handlers refer to the Api, so it must outlive
// the server that serves them. Threading: after construction, every method
// is thread-safe; handlers run on HTTP worker threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "api/api_result.h"
#include "api/providers.h"
#include "http/router.h"
#include "remote/write_receiver.h"
#include "storage/appender.h"
#include "storage/querier.h"

namespace re2 {
class RE2;
}

namespace pharos::metrics {
class Registry;
}

namespace pharos::promql {
class Engine;
}

namespace pharos::am {
class Alertmanager;
}

namespace pharos::api {

// How target URLs on this host are rewritten for "globalUrl" (Prometheus'
// GlobalURLOptions): targets on localhost get the external host.
struct GlobalUrlOptions {
  std::string listen_address;  // e.g. ":9090"
  std::string host;            // external URL's host[:port]; empty: globalUrl = scrapeUrl
  std::string scheme = "http";
};

struct ApiOptions {
  std::string app_name = "Pharos";   // in /-/healthy and /-/ready bodies
  bool enable_lifecycle = false;     // POST/PUT /-/reload
  bool enable_admin_api = false;     // /api/v1/admin/…
  std::string cors_origin = ".*";    // regex of allowed Origin values (anchored)
  GlobalUrlOptions global_url;
  remote::WriteLimits remote_write;  // bounds on /api/v1/write bodies
  int query_max_concurrency = 20;    // --query.max-concurrency: queries run at once; others wait
  // Clock for timestamps in answers (tests pin it).
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

// /api/v1/alertmanagers: URLs of the external Alertmanagers alerts go to.
struct AlertmanagerUrls {
  std::vector<std::string> active;
  std::vector<std::string> dropped;  // dropped by the alertmanagers' relabel_configs
};

struct ApiDeps {
  storage::Queryable* queryable = nullptr;    // series, labels, label values
  // /api/v1/query and query_range; null: an engine with default options.
  const promql::Engine* engine = nullptr;
  storage::Appendable* appendable = nullptr;  // remote write; null disables the receiver
  metrics::Registry* registry = nullptr;      // /metrics
  TargetsProvider* targets = nullptr;
  MetadataProvider* metadata = nullptr;       // /api/v1/metadata; null: route absent
  HealthProvider* health = nullptr;
  RulesProvider* rules = nullptr;  // /api/v1/rules and /api/v1/alerts; null: not served
  std::function<AlertmanagerUrls()> alertmanagers;  // /api/v1/alertmanagers; unset: empty lists
  // The built-in Alertmanager: API v2 (/api/v2/alerts, silences, status,
  // receivers); null: not served.
  am::Alertmanager* alertmanager = nullptr;
  BuildInfo build_info;
  std::map<std::string, std::string> flags;   // /api/v1/status/flags
  std::function<std::string()> config_yaml;   // /api/v1/status/config
  std::function<RuntimeInfo()> runtime_info;  // /api/v1/status/runtimeinfo
  // Readiness: /-/ready answers 200 and the API serves only while it is
  // true (503 "Service Unavailable" before). Always ready when unset.
  std::function<bool()> ready;
  // /-/reload: reloads the configuration; an error is answered with 500.
  std::function<absl::Status()> reload;
  // POST /api/v1/admin/tsdb/compact: compacts the head now; returns when done.
  std::function<absl::Status()> compact;
};

class Api {
 public:
  Api(ApiOptions options, ApiDeps deps);
  ~Api();

  // Registers every route of this API on `router`.
  void Register(http::Router& router) const;

  // An HTTP handler for an API function: readiness gate, CORS, envelope.
  http::Handler Wrap(ApiFunc f) const;

  bool Ready() const { return !deps_.ready || deps_.ready(); }
  const ApiOptions& options() const { return options_; }
  const ApiDeps& deps() const { return deps_; }
  // The remote write receiver (null when deps.appendable is null).
  remote::WriteReceiver* remote_write() const { return remote_write_.get(); }

 private:
  void SetCors(const http::Request& req, http::Response* res) const;

  ApiOptions options_;
  ApiDeps deps_;
  std::unique_ptr<re2::RE2> cors_;  // null when any origin is allowed
  std::unique_ptr<remote::WriteReceiver> remote_write_;
};

}  // namespace pharos::api
