// The built-in Alertmanager's alert store (Alertmanager 0.25's provider/mem)
// and the time source that the store, dispatcher and pipeline share.
//
// AlertStore keeps the latest version of each alert by fingerprint. Put()
// merges a received alert with the stored one as 0.25 does (when their
// active intervals overlap: earliest start, the newer alert's end unless the
// older one has a later explicit end) and tells its listeners (the
// dispatcher, the inhibitor) about every stored alert. GC() drops alerts
// that are resolved and their marker entries. The store is bounded: a Put
// that would add a new fingerprint beyond max_alerts is refused for that
// alert with ResourceExhausted (the other alerts of the call are stored).
//
// Thread-safety: every method of AlertStore is thread-safe. Listeners are
// called with the store's lock held, in the order alerts are stored, and
// must not call back into the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "alertmanager/marker.h"
#include "alertmanager/types.h"
#include "common/metrics/registry.h"

namespace pharos::am {

// ---- time -----------------------------------------------------------------

// Where the Alertmanager's parts read the time and wait for it, so that tests
// can drive minutes of group_wait/group_interval/repeat_interval without
// sleeping (ManualClock).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  // Waits, with *mu held (released while waiting), until *cv is signalled
  // or the clock reaches `deadline`. May return early: callers re-check
  // their condition and the time.
  virtual void WaitUntil(absl::Mutex* mu, absl::CondVar* cv, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) = 0;
};

// The wall clock (absl::Now()).
std::shared_ptr<Clock> RealClock();

// A clock that moves only when told to. Waiters poll it every millisecond of
// real time, so Advance() wakes them without knowing them.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start) : now_(start) {}
  absl::Time Now() override;
  void WaitUntil(absl::Mutex* mu, absl::CondVar* cv, absl::Time deadline) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void Advance(absl::Duration d);
  void Set(absl::Time t);
  // How many WaitUntil calls found their deadline ahead: a test waits for
  // this before it moves the time, so that the deadline the code under test
  // waits for was taken before the move.
  uint64_t Waits();

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  uint64_t waits_ ABSL_GUARDED_BY(mu_) = 0;
};

// ---- alerts -----------------------------------------------------------------

// 0.25's Alert.Merge: `a` and `b` are two versions of one alert; the result
// is the more recently updated one, with the earliest starts_at, and with
// the older version's ends_at when that is later and (if the newer one is
// firing) not a timeout, or (if both are resolved at `now`) simply later.
Alert MergeAlerts(const Alert& a, const Alert& b, absl::Time now);

// What API v2 does to an alert it receives, before Put(): updated_at = now;
// a missing starts_at becomes now (or ends_at when only that is set); a
// missing ends_at becomes now + resolve_timeout with timeout = true.
void PrepareReceivedAlert(Alert* a, absl::Time now, absl::Duration resolve_timeout);

// Called for every alert the store stores (after merging) and every alert it
// deletes.
struct AlertListener {
  std::function<void(const Alert&)> on_put;
  std::function<void(uint64_t fp)> on_delete;  // may be empty
};

class AlertStore {
 public:
  // `marker` (may be null) loses the entries of garbage-collected alerts.
  // max_alerts = 0: unbounded.
  AlertStore(std::shared_ptr<Clock> clock, Marker* marker, size_t max_alerts);
  ~AlertStore();  // stops the GC thread
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  // Stores each alert, merged with the stored version of its fingerprint when
  // their intervals overlap. An alert without updated_at gets now. Returns
  // ResourceExhausted naming how many alerts were refused when the store was
  // full; the others are stored.
  absl::Status Put(const std::vector<Alert>& alerts);

  std::optional<Alert> Get(uint64_t fp) const;
  // Every alert, by fingerprint.
  std::vector<Alert> List() const;
  size_t size() const;
  size_t max_alerts() const { return max_alerts_; }

  // Registers a listener and first calls its on_put for every stored alert,
  // so that the subscriber sees the current alerts and then every change,
  // with nothing lost in between. Returns an id for Unsubscribe.
  int Subscribe(AlertListener listener);
  void Unsubscribe(int id);

  // Deletes the alerts that are resolved now, and their marker entries;
  // returns them.
  std::vector<Alert> GC();
  // Runs GC() every `interval` on a thread until Stop() (0.25:
  // --alerts.gc-interval, 30m by default).
  void StartGC(absl::Duration interval);
  void Stop();

  // Exposes alertmanager_alerts{state="active"|"suppressed"|"unprocessed"}:
  // the alerts that are not resolved, by their marker state (0.25's
  // definition). Needs a marker; the collector goes with the store.
  void RegisterMetrics(metrics::Registry* registry);

 private:
  void GCLoop(absl::Duration interval, absl::Time first);

  const std::shared_ptr<Clock> clock_;
  Marker* const marker_;
  const size_t max_alerts_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, Alert> alerts_ ABSL_GUARDED_BY(mu_);
  std::map<int, AlertListener> listeners_ ABSL_GUARDED_BY(mu_);
  int next_listener_ ABSL_GUARDED_BY(mu_) = 1;

  absl::Mutex gc_mu_;
  absl::CondVar gc_cv_;
  bool stopping_ ABSL_GUARDED_BY(gc_mu_) = false;
  std::thread gc_thread_;

  metrics::Registry* registry_ = nullptr;
  int collector_ = 0;
};

}  // namespace pharos::am
