// GET /probe?module=&target=[&debug=true], blackbox_exporter's endpoint.
//
//   auto modules = std::make_shared<probe::ModuleSet>();
//   modules->Update(file_modules, config.probes.modules);   // and on reload
//   router.Get("/probe", probe::ProbeHandler(modules));
//
// The answer is the probe's metrics in the text exposition format (status
// 200 even when the probe fails: probe_success says so). As blackbox_exporter
// does: `module` defaults to http_2xx, an unknown module or a missing target
// is 400, the timeout follows X-Prometheus-Scrape-Timeout-Seconds (less
// 0.5s) unless the module's is shorter, and debug=true answers a text page
// with the probe's log, the metrics and the module (secrets as <secret>).
// The handler blocks for up to the timeout: register it on the worker pool.
#pragma once

#include <memory>

#include "absl/synchronization/mutex.h"
#include "config/probe_config.h"
#include "http/router.h"

namespace pharos::probe {

// The modules /probe and the scheduler resolve names against: the module
// file's, overridden by the config's inline ones. Thread-safe.
class ModuleSet {
 public:
  void Update(const config::ProbeModules& file_modules, const config::ProbeModules& inline_modules);
  std::shared_ptr<const config::ProbeModules> Snapshot() const;

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const config::ProbeModules> modules_ ABSL_GUARDED_BY(mu_) =
      std::make_shared<const config::ProbeModules>();
};

http::Handler ProbeHandler(std::shared_ptr<ModuleSet> modules);

}  // namespace pharos::probe
