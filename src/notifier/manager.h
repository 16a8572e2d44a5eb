// The notifier: sends the alerts of Pharos' alerting rules to the external
// Alertmanagers of the config's `alerting` section, as Prometheus 2.53's
// notifier does.
//
//   Send(alerts)   external labels added (the alert's own labels win), then
//                  alerting.alert_relabel_configs; the survivors are appended
//                  to a queue of `queue_capacity` alerts (the oldest are
//                  dropped, and counted, when it is full).
//   send thread    takes batches of at most `max_batch_size` alerts and POSTs
//                  each batch as Alertmanager API v2 JSON to every discovered
//                  Alertmanager in parallel (each with its entry's timeout,
//                  http_config and alert_relabel_configs; an entry whose
//                  relabeling leaves no alert is skipped). The next batch
//                  starts when every request of this one has finished. A batch
//                  that no Alertmanager accepted is counted as dropped.
//   discovery      static_configs at ApplyConfig; file_sd_configs re-read at
//                  ApplyConfig and whenever a file changes (polled every
//                  `discovery_poll`, and fully every refresh_interval).
//
// Metrics (in `registry` when given): prometheus_notifications_sent_total,
// _errors_total, _latency_seconds (per alertmanager URL), _dropped_total,
// _queue_length, _queue_capacity, _alertmanagers_discovered.
//
// Thread-safety: every public method is thread-safe. mu_ guards the queue, the
// Alertmanager sets and the relabeling settings; a set's own mutex guards its
// discovered URLs. HTTP clients are touched only by the send thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "common/labels.h"
#include "common/metrics/registry.h"
#include "config/alerting_config.h"
#include "notifier/relabel_alerts.h"

namespace pharos::notifier {

class AlertmanagerSet;

// Prometheus 2.53 sends at most 64 alerts per request (a constant there).
inline constexpr size_t kMaxBatchSize = 64;

struct ManagerOptions {
  size_t queue_capacity = 10'000;        // --alertmanager.notification-queue-capacity
  size_t max_batch_size = kMaxBatchSize;
  bool drain_on_shutdown = true;         // --alertmanager.drain-notification-queue-on-shutdown
  metrics::Registry* registry = nullptr; // may be null
  absl::Duration discovery_poll = absl::Seconds(1);
  std::string user_agent = "Pharos/0.1";
};

class Manager {
 public:
  explicit Manager(ManagerOptions opts);
  ~Manager();  // Stop()
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Replaces the Alertmanager sets, the external labels and the global alert
  // relabeling. Static targets and file_sd files are resolved before it
  // returns. Queued alerts stay queued.
  void ApplyConfig(const Labels& external_labels, const config::AlertingConfig& cfg);

  // Queues alerts (see above). Never blocks on the network.
  void Send(std::vector<Alert> alerts);

  // Stops the threads. With drain_on_shutdown, the queued alerts are sent
  // first; otherwise they are counted as dropped. Idempotent.
  void Stop();

  // The URLs of the discovered (active) and relabeled-away Alertmanagers,
  // in config order.
  std::vector<std::string> ActiveAlertmanagers() const;
  std::vector<std::string> DroppedAlertmanagers() const;
  size_t QueueLength() const;

 private:
  struct Metrics;

  std::vector<std::string> Urls(bool active) const;
  // Per-Alertmanager series for exactly the active Alertmanagers now
  // (metrics_sync_mu_ keeps two syncs from interleaving).
  void SyncMetrics();
  // Takes up to max_batch_size alerts off the queue (mu_ held).
  std::vector<Alert> NextBatch();
  // Sends one batch to every set; true when at least one Alertmanager took it.
  bool SendAll(const std::vector<Alert>& alerts);
  void SendLoop();
  void DiscoveryLoop();

  const ManagerOptions opts_;
  std::unique_ptr<Metrics> metrics_;
  int collector_id_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Alert> queue_;                     // guarded by mu_
  std::vector<std::shared_ptr<AlertmanagerSet>> sets_;  // guarded by mu_
  Labels external_labels_;                      // guarded by mu_
  std::vector<config::RelabelConfig> relabel_;  // guarded by mu_
  bool stopping_ = false;                       // guarded by mu_
  bool stopped_ = false;                        // guarded by mu_
  std::mutex metrics_sync_mu_;
  std::thread send_thread_;
  std::thread discovery_thread_;
};

}  // namespace pharos::notifier
