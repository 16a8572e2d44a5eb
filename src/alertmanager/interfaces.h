// The seams between the built-in Alertmanager's parts, so that the
// dispatcher and notification pipeline (dispatch.h, pipeline.h), silences
// and the notification log (silences.h, nflog.h) and the notifiers
// (notifiers.h) depend on each other only through these.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "alertmanager/types.h"

namespace pharos::am {

// Something that can mute an alert: the silences (ids of the active
// silences that match) and the inhibitor (fingerprints of the firing source
// alerts that inhibit it). Empty: not muted.
class Muter {
 public:
  virtual ~Muter() = default;
  virtual std::vector<std::string> MutedBy(const LabelSet& labels, absl::Time now) = 0;
};

// Which integration of which receiver a notification-log entry is for
// (Alertmanager's nflogpb.Receiver).
struct ReceiverKey {
  std::string group_name;   // receiver name
  std::string integration;  // "webhook", "slack", "pagerduty", "email"
  uint32_t idx = 0;         // index among the receiver's configs of that type
  friend bool operator==(const ReceiverKey&, const ReceiverKey&) = default;
};

// One notification-log entry: what was last sent to an integration for an
// aggregation group.
struct NflogEntry {
  std::string group_key;
  ReceiverKey receiver;
  absl::Time timestamp = absl::InfinitePast();
  std::vector<uint64_t> firing_alerts;    // fingerprints (hash of labels)
  std::vector<uint64_t> resolved_alerts;
  absl::Time expires_at = absl::InfinitePast();
};

class NotificationLog {
 public:
  virtual ~NotificationLog() = default;
  // The latest entry for (receiver, group_key), if any.
  virtual std::optional<NflogEntry> Query(const ReceiverKey& receiver, const std::string& group_key) = 0;
  // Records that `firing`/`resolved` were sent now; the entry expires after
  // `expiry` (Alertmanager keeps it for the repeat interval plus the
  // retention). Must be durable when it returns OK.
  virtual absl::Status Log(const ReceiverKey& receiver, const std::string& group_key,
                           const std::vector<uint64_t>& firing, const std::vector<uint64_t>& resolved,
                           absl::Duration expiry) = 0;
};

// What a notifier needs to know about the notification besides the alerts.
struct NotifyContext {
  std::string receiver;   // receiver name
  std::string group_key;  // the aggregation group's key
  LabelSet group_labels;
  absl::Duration repeat_interval;
  absl::Time now;
};

// One configured notifier (one entry of webhook_configs, slack_configs, …).
// Notify() is called from the pipeline's worker threads; an integration
// must not block past its HTTP/SMTP timeout.
class Integration {
 public:
  virtual ~Integration() = default;
  virtual const ReceiverKey& key() const = 0;
  virtual bool SendResolved() const = 0;
  // Sends one notification for `alerts` (already filtered: firing, plus
  // resolved ones when SendResolved()). On failure, `retry` says whether
  // trying again can help (5xx, 429, connection errors) or not (4xx,
  // template errors).
  struct Result {
    absl::Status status;
    bool retry = false;
  };
  virtual Result Notify(const NotifyContext& ctx, const std::vector<Alert>& alerts) = 0;
};

// One flush of an aggregation group, as the dispatcher hands it to the
// notification pipeline: every alert of the group (firing and resolved),
// and the route's settings that the pipeline applies.
struct FlushRequest {
  NotifyContext ctx;  // receiver, group key and labels, repeat interval, now
  std::vector<std::string> mute_time_intervals;    // names, from the route
  std::vector<std::string> active_time_intervals;
  absl::Duration timeout;  // how long retries may go on (group_interval, at least 10s)
  std::vector<Alert> alerts;
};

// The notification pipeline (pipeline.h implements it): inhibition, time
// intervals, silences, then for each integration of the receiver in
// parallel: deduplication against the notification log, sending with
// retries, and logging what was sent. Returns OK when every integration
// succeeded (or had nothing to send); the dispatcher keeps resolved alerts
// of a failed flush for the next one.
class Stage {
 public:
  virtual ~Stage() = default;
  virtual absl::Status Exec(const FlushRequest& req) = 0;
};

}  // namespace pharos::am
