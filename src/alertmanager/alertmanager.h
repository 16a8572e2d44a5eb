// The built-in Alertmanager: one object that owns Alertmanager 0.25's parts
// (alert store, marker, silences, notification log, inhibitor, dispatcher,
// notification pipeline and notifiers) and exposes what API v2 and the
// server need.
//
//   auto am = Alertmanager::Open({.data_dir = "data/alertmanager", ...}, std::move(cfg));
//   am->PutAlerts(alerts);            // POST /api/v2/alerts, pharos' own rules
//   am->ApplyConfig(std::move(cfg));  // reload
//
// Silences and the notification log live in `data_dir` and survive
// restarts. ApplyConfig builds the new route tree, inhibitor and notifiers
// first and swaps them in only when that worked: a bad config changes
// nothing. Alerts, silences and the notification log are kept across reloads.
//
// Thread-safety: every method is thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "alertmanager/config.h"
#include "alertmanager/silences.h"
#include "alertmanager/types.h"
#include "common/matcher.h"

namespace pharos::metrics {
class Registry;
}

namespace pharos::am {

class AlertStore;
class Clock;
class Dispatcher;
class Inhibitor;
class Marker;
class Nflog;
class Pipeline;

struct AlertmanagerOptions {
  std::string data_dir;      // silences and notification log (created when missing)
  std::string external_url;  // ExternalURL in notifications and generator links
  absl::Duration retention = absl::Hours(120);             // --data.retention
  absl::Duration maintenance_interval = absl::Minutes(15);  // GC and compaction
  absl::Duration alert_gc_interval = absl::Minutes(30);     // --alerts.gc-interval
  size_t max_alerts = 100000;
  metrics::Registry* registry = nullptr;  // alertmanager_* metrics when set
  std::string version = "0.1.0";          // in User-Agent and /api/v2/status
};

// An alert as API v2 lists it.
struct AlertView {
  Alert alert;
  uint64_t fingerprint = 0;
  AlertStatus status;
  std::vector<std::string> receivers;  // names of the routes' receivers, in route order
};

struct AlertFilter {
  Matchers matchers;  // `filter`: every matcher must match the alert's labels
  bool active = true;
  bool silenced = true;
  bool inhibited = true;
  bool unprocessed = true;
  std::string receiver_regex;  // `receiver`: anchored RE2 on a receiver name; empty: any
};

struct AlertGroupView {
  LabelSet labels;
  std::string receiver;
  std::vector<AlertView> alerts;
};

class Alertmanager {
 public:
  static absl::StatusOr<std::unique_ptr<Alertmanager>> Open(AlertmanagerOptions opts, Config config);
  ~Alertmanager();  // Stop()
  Alertmanager(const Alertmanager&) = delete;
  Alertmanager& operator=(const Alertmanager&) = delete;

  // Replaces the configuration; on an error nothing changes.
  absl::Status ApplyConfig(Config config);
  // Stops the dispatcher and background work; pending notifications are
  // cancelled. Idempotent.
  void Stop();

  // Fills in the times as API v2 does (updated_at = now, starts_at = now
  // when unset, ends_at = now + resolve_timeout when unset), validates each
  // alert (at least one label, valid label names, starts_at before ends_at)
  // and stores the valid ones. InvalidArgument naming the invalid ones,
  // which are not stored (the others are, as 0.25 makes a best effort).
  absl::Status PutAlerts(std::vector<Alert> alerts);
  std::vector<AlertView> Alerts(const AlertFilter& filter);
  std::vector<AlertGroupView> Groups(const AlertFilter& filter);

  absl::StatusOr<std::string> SetSilence(Silence s);
  absl::Status ExpireSilence(const std::string& id);
  absl::StatusOr<SilenceView> GetSilence(const std::string& id);
  std::vector<SilenceView> ListSilences(const std::vector<Matcher>& filter);

  std::string OriginalConfig();
  std::vector<std::string> ReceiverNames();
  absl::Time StartTime() const { return start_; }
  const AlertmanagerOptions& options() const { return opts_; }

 private:
  struct Generation;  // what one config builds: routes, inhibitor, notifiers, pipeline, dispatcher
  explicit Alertmanager(AlertmanagerOptions opts);
  absl::StatusOr<std::shared_ptr<Generation>> Build(Config config);
  std::shared_ptr<Generation> Current();
  bool Keep(const AlertView& v, const AlertFilter& f) const;
  void StartMaintenance();

  AlertmanagerOptions opts_;
  absl::Time start_;
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<Marker> marker_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<Silences> silences_;
  std::unique_ptr<Nflog> nflog_;

  absl::Mutex apply_mu_;  // serializes ApplyConfig and Stop
  absl::Mutex mu_;
  std::shared_ptr<Generation> gen_;  // guarded by mu_
  bool stopped_ = false;             // guarded by apply_mu_

  absl::Mutex maint_mu_;
  bool maint_stop_ = false;  // guarded by maint_mu_
  std::thread maint_thread_;  // silences and notification-log GC and compaction
};

}  // namespace pharos::am
