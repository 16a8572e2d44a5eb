// Marker: what the Alertmanager knows about each alert's state, as API v2
// reports it in an alert's `status` (Alertmanager 0.25's types.MemMarker).
//
// An alert the marker has never seen is "unprocessed". The notification
// pipeline records the result of its inhibition and silence stages here:
// an alert is "suppressed" while it is silenced or inhibited (either list is
// non-empty) and "active" otherwise. The alert store deletes an alert's
// entry when it garbage-collects the alert.
//
// Thread-safety: every method is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "alertmanager/interfaces.h"
#include "alertmanager/types.h"

namespace pharos::am {

class Marker {
 public:
  Marker() = default;
  Marker(const Marker&) = delete;
  Marker& operator=(const Marker&) = delete;

  // Records the silences (ids) that currently mute the alert; empty clears
  // them. Keeps the inhibition part.
  void SetSilenced(uint64_t fp, std::vector<std::string> silence_ids);
  // Records the alerts (fingerprints in hex) that currently inhibit it;
  // empty clears them. Keeps the silence part.
  void SetInhibited(uint64_t fp, std::vector<std::string> inhibiting_fps);
  // Marks the alert active (neither silenced nor inhibited).
  void SetActive(uint64_t fp);

  // The alert's status; unprocessed when the marker has no entry.
  AlertStatus Status(uint64_t fp) const;
  void Delete(uint64_t fp);

  // Number of known alerts in `state` (for alertmanager_alerts{state}).
  // kUnprocessed counts entries explicitly unprocessed only.
  size_t Count(AlertState state) const;
  size_t size() const;

 private:
  static void UpdateState(AlertStatus* s);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, AlertStatus> status_ ABSL_GUARDED_BY(mu_);
};

// Asks the inhibitor and the silences (either may be null) about `labels`
// and records the answers, as 0.25's API does before it reports an alert's
// status (GET /api/v2/alerts). Returns true when the alert is muted.
bool RefreshStatus(Marker* marker, Muter* inhibitor, Muter* silences, const LabelSet& labels, absl::Time now);

}  // namespace pharos::am
