// Scheduler: probes the `probes.targets` of the config on their own, each
// at its interval, and appends every result to the storage as one batch:
// the result's metrics with job="probe/<name>" and instance="<target>"
// (plus the metric's own labels, e.g. phase), timestamped at the probe's end.
//
//   probe::Scheduler s(&storage);
//   RETURN_IF_ERROR(s.Apply(config.probes, file_modules));  // start / reload
//   s.Health();   // for /health/detailed
//   s.Stop();     // or the destructor
//
// Each target runs on its own thread; the first probe starts at once, the
// next one `interval` after the previous start (a probe's timeout is the
// module's, capped at the interval). Apply() validates first (an unknown or
// unsupported module refuses the whole change and keeps the old targets),
// then replaces the running set; a target unchanged by a reload keeps its
// last result. Series that disappear (a metric missing from the next
// probe, a target removed by a reload, Stop()) get staleness markers, as
// Prometheus writes for scrapes. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "config/probe_config.h"
#include "common/labels.h"
#include "storage/appender.h"

namespace pharos::probe {

struct TargetHealth {
  std::string name;
  std::string module;
  std::string target;
  bool critical = false;
  bool probed = false;   // false until the first probe finishes
  bool healthy = false;  // the last probe succeeded
  std::string reason;    // why the last probe failed ("not probed yet" before the first)
  absl::Time last_probe = absl::InfinitePast();
  double last_duration_seconds = 0;
  absl::Time unhealthy_since = absl::InfinitePast();  // start of the current failure streak

  // "healthy" or "unhealthy: <reason>" (the guide's wording for /health/detailed).
  std::string Status() const { return healthy ? "healthy" : "unhealthy: " + reason; }
};

class Scheduler {
 public:
  explicit Scheduler(storage::Appendable* storage);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  absl::Status Apply(const config::ProbesConfig& probes, const config::ProbeModules& file_modules);
  void Stop();

  // One entry per configured target, in config order.
  std::vector<TargetHealth> Health() const;
  // True when no critical target is unhealthy (targets not probed yet count
  // as unhealthy).
  bool CriticalHealthy() const;

  // Blocks until every target has finished at least `n` probes since the
  // last Apply, or `timeout` passes (for tests). False on timeout.
  bool WaitForRounds(int n, absl::Duration timeout) const;

 private:
  struct Target;
  void Loop(Target* t);
  void RunOnce(Target* t);
  // One batch; failures are logged (the next probe tries again).
  void Append(Target* t, const std::vector<std::pair<Labels, double>>& samples, int64_t ts);
  // Staleness markers for every series of the target's last probe.
  void MarkStale(Target* t);

  storage::Appendable* storage_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Target>> targets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pharos::probe
