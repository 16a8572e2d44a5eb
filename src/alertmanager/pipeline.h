// The notification pipeline (Alertmanager 0.25's notify.PipelineBuilder), the
// Stage the dispatcher hands each flush of an aggregation group to.
//
// For one FlushRequest, in 0.25's order:
//   1. inhibition: alerts muted by the inhibitor are dropped (the marker
//      records inhibited_by for every alert);
//   2. active_time_intervals: outside all of them, everything is dropped;
//   3. mute_time_intervals: inside any of them, everything is dropped;
//   4. silences: alerts muted by the silences are dropped (the marker records
//      silenced_by, and "active" for alerts neither silenced nor inhibited);
//   5. for each integration of the receiver, in parallel:
//      - dedup against the notification log (0.25's DedupStage.needsUpdate):
//        send when nothing was sent yet and something fires, when a firing
//        alert was not in the last notification, when everything resolved
//        after firing alerts were sent (regardless of send_resolved, so the
//        log forgets them), when send_resolved and a resolved alert is new,
//        or when repeat_interval has passed since the last notification;
//      - drop resolved alerts unless the integration sends them (with only
//        resolved alerts left it counts as sent without a request);
//      - send, retrying with exponential backoff (0.5s, x1.5, up to 1m, with
//        jitter) while Notify() says retrying can help, until req.timeout;
//      - log what was sent (all firing and resolved fingerprints) to the
//        notification log, to expire after 2 x repeat_interval.
// A stage that drops every alert ends the flush successfully.
//
// Exec() returns OK when every integration succeeded or had nothing to send;
// otherwise an error naming each failed integration. It returns by the
// request's timeout even if an integration hangs (that integration counts as
// failed and nothing is logged for it), so one receiver cannot hold up a
// group's next flush, and integrations of one receiver do not wait for each
// other. Cancel() makes running and later Exec() calls return Cancelled
// promptly (for shutdown and reload).
//
// Thread-safety: Exec may be called from many threads at once. The muters,
// marker and notification log must be thread-safe and outlive the pipeline;
// integrations and the clock are shared with the sending threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "alertmanager/alerts.h"
#include "alertmanager/config.h"
#include "alertmanager/interfaces.h"
#include "alertmanager/marker.h"
#include "common/metrics/registry.h"

namespace pharos::am {

// The integrations of each receiver, by receiver name.
using ReceiverIntegrations = std::map<std::string, std::vector<std::shared_ptr<Integration>>>;

// Whether `t` lies in the named time interval; an error for an unknown name.
using TimeIntervalFn = std::function<absl::StatusOr<bool>(const std::string& name, absl::Time t)>;

// A TimeIntervalFn over a config's named time intervals.
inline TimeIntervalFn TimeIntervalsOf(std::shared_ptr<const std::vector<NamedTimeInterval>> intervals) {
  return [intervals](const std::string& name, absl::Time t) -> absl::StatusOr<bool> {
    for (const NamedTimeInterval& ti : *intervals) {
      if (ti.name == name) return ti.Contains(t);
    }
    return absl::NotFoundError(absl::StrCat("time interval ", name, " doesn't exist in config"));
  };
}

struct PipelineOptions {
  absl::Duration initial_backoff = absl::Milliseconds(500);
  double backoff_multiplier = 1.5;
  absl::Duration max_backoff = absl::Minutes(1);
  double backoff_jitter = 0.5;  // each wait is the backoff x [1 - jitter, 1 + jitter]
  // When set: alertmanager_notifications_total, _failed_total,
  // alertmanager_notification_requests_total, _failed_total by integration.
  metrics::Registry* registry = nullptr;
};

class Pipeline final : public Stage {
 public:
  // `inhibitor`, `silences` and `marker` may be null (no such stage / no
  // marking). `nflog` must not be null.
  Pipeline(ReceiverIntegrations receivers, Muter* inhibitor, Muter* silences, Marker* marker,
           NotificationLog* nflog, TimeIntervalFn time_intervals, std::shared_ptr<Clock> clock,
           PipelineOptions opts = {});
  ~Pipeline() override;
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  absl::Status Exec(const FlushRequest& req) override;
  void Cancel();

 private:
  struct Fanout;
  struct Counters;
  absl::StatusOr<bool> InAny(const std::vector<std::string>& names, absl::Time now) const;
  bool NeedsUpdate(const std::optional<NflogEntry>& entry, const std::set<uint64_t>& firing,
                   const std::set<uint64_t>& resolved, bool send_resolved, absl::Duration repeat) const;
  static void Send(std::shared_ptr<Fanout> f, size_t i);

  const ReceiverIntegrations receivers_;
  Muter* const inhibitor_;
  Muter* const silences_;
  Marker* const marker_;
  NotificationLog* const nflog_;
  const TimeIntervalFn time_intervals_;
  const std::shared_ptr<Clock> clock_;
  const PipelineOptions opts_;
  std::shared_ptr<Counters> counters_;

  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::set<std::shared_ptr<Fanout>> running_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pharos::am
