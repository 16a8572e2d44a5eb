// The built-in Alertmanager's core values, shared by the config loader, the
// dispatcher, silences, the notification log, the notifiers and API v2.
//
// Alerts follow Alertmanager 0.25's model: a label set identifies an alert
// (its fingerprint), starts_at/ends_at bound when it is active, and an alert
// whose ends_at has passed is resolved. Times are absl::Time; "unset" is
// absl::InfinitePast() (Go's zero time.Time).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace pharos::am {

// Label names to values, sorted by name (as Alertmanager's model.LabelSet
// is sorted when hashed or printed).
using LabelSet = std::map<std::string, std::string>;

// Prometheus' model.LabelSet.Fingerprint(): FNV-1a 64 over name, 0xff, value,
// 0xff for each pair in name order. The same value Alertmanager prints as a
// 16-digit lower-case hex string.
uint64_t Fingerprint(const LabelSet& labels);
std::string FingerprintHex(uint64_t fp);  // "%016x"

// {a="1", b="2"} with Go %q quoting of values, as Alertmanager prints a label
// set (used in group keys and logs).
std::string LabelSetString(const LabelSet& labels);

struct Alert {
  LabelSet labels;
  LabelSet annotations;
  absl::Time starts_at = absl::InfinitePast();
  absl::Time ends_at = absl::InfinitePast();
  std::string generator_url;
  absl::Time updated_at = absl::InfinitePast();
  // True when ends_at was not given by the client and was set to
  // now + resolve_timeout on receipt.
  bool timeout = false;

  uint64_t fingerprint() const { return Fingerprint(labels); }
  // Resolved at `now`: ends_at is set and not after now.
  bool ResolvedAt(absl::Time now) const { return ends_at != absl::InfinitePast() && ends_at <= now; }
};

// What the marker knows about an alert, as API v2 reports it in `status`.
enum class AlertState { kUnprocessed, kActive, kSuppressed };
std::string_view AlertStateName(AlertState s);  // "unprocessed", "active", "suppressed"

struct AlertStatus {
  AlertState state = AlertState::kUnprocessed;
  std::vector<std::string> silenced_by;   // silence ids
  std::vector<std::string> inhibited_by;  // fingerprints (hex) of inhibiting alerts
};

}  // namespace pharos::am
