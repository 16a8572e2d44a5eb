// The dispatcher (Alertmanager 0.25's dispatch.Dispatcher): sorts alerts
// into aggregation groups and flushes each group to the notification
// pipeline on its own schedule.
//
// Every alert the store stores goes to the routes that match it (route.h).
// Per route, alerts with the same values of the route's group_by labels
// (all labels for '...') form an aggregation group, identified by the group
// key "<route key>:<group labels>" (e.g. `{}/{severity="critical"}:{alertname="X"}`).
//
// Timing, as 0.25:
//  - a new group flushes group_wait after it was created, or at once when
//    an alert inserted before its first flush started more than group_wait
//    ago (e.g. alerts that were already firing when Pharos restarted);
//  - then every group_interval (measured from the start of the previous
//    flush; a flush that overruns is followed at once by the next);
//  - repeat_interval is the pipeline's business (its dedup stage).
// A flush sends every alert of the group: firing ones with ends_at cleared
// (so they cannot turn resolved as time passes), resolved ones as they are,
// sorted by job, instance, then labels. After a successful flush the
// resolved alerts that were not updated meanwhile leave the group; a group
// left empty is removed at the next cleanup (every 30s).
//
// Flushes run on their own threads (up to max_concurrent_flushes at once),
// so a receiver that is slow or hangs delays only its own group; a group
// never has two flushes in flight.
//
// Lifetime: Start() subscribes to the store (the dispatcher first sees all
// stored alerts, as after a reload); Stop() unsubscribes and waits for the
// flushes in flight (each is bounded by its timeout; cancel the pipeline
// first to end them sooner). The route tree, store, stage and clock must
// outlive the dispatcher.
//
// Thread-safety: all public methods are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "alertmanager/alerts.h"
#include "alertmanager/interfaces.h"
#include "alertmanager/route.h"

namespace pharos::am {

struct DispatcherOptions {
  // Lower bound of a flush's timeout (0.25: notify.MinTimeout); the timeout
  // is the route's group_interval otherwise.
  absl::Duration min_flush_timeout = absl::Seconds(10);
  // How often empty groups are removed.
  absl::Duration cleanup_interval = absl::Seconds(30);
  size_t max_concurrent_flushes = 256;
};

// One aggregation group as GET /api/v2/alerts/groups shows it.
struct AlertGroup {
  LabelSet labels;
  std::string receiver;
  std::string group_key;
  std::string route_id;
  std::vector<Alert> alerts;  // as stored in the group (not the flush copies)
};

struct AlertGroups {
  // Sorted by labels (0.25's LabelSet.Before), then receiver; alerts sorted
  // as in a flush.
  std::vector<AlertGroup> groups;
  // For each alert in the groups, the receivers of its groups, sorted.
  std::map<uint64_t, std::vector<std::string>> receivers;
};

// Sorts as 0.25's types.AlertSlice: by the job label, then instance (alerts
// with the label first), then by labels (fewer labels first, then by the
// sorted names and values).
void SortAlerts(std::vector<Alert>* alerts);
// 0.25's model.LabelSet.Before.
bool LabelSetBefore(const LabelSet& a, const LabelSet& b);

class Dispatcher {
 public:
  Dispatcher(const RouteNode* root, AlertStore* store, Stage* stage, std::shared_ptr<Clock> clock,
             DispatcherOptions opts = {});
  ~Dispatcher();  // Stop()
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();
  void Stop();

  // The groups with at least one alert passing the filters (null: all).
  // The filters run on a copy, without the dispatcher's lock.
  AlertGroups Groups(const std::function<bool(const RouteNode&)>& route_filter = nullptr,
                     const std::function<bool(const Alert&, absl::Time now)>& alert_filter = nullptr) const;
  size_t group_count() const;

 private:
  struct Group;
  struct Flush;
  void Insert(const Alert& alert);
  void Run();
  void StartFlush(const std::shared_ptr<Group>& g, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DoFlush(std::shared_ptr<Group> g, absl::Time now, Flush* self);
  void ReapFinished() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RouteNode* const root_;
  AlertStore* const store_;
  Stage* const stage_;
  const std::shared_ptr<Clock> clock_;
  const DispatcherOptions opts_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;  // wakes the scheduler: new groups, due times changed, flushes done, stop
  // By route, then by the fingerprint of the group labels.
  std::map<const RouteNode*, std::map<uint64_t, std::shared_ptr<Group>>> groups_ ABSL_GUARDED_BY(mu_);
  size_t group_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::list<Flush> flushes_ ABSL_GUARDED_BY(mu_);  // in flight or finished, not yet joined
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int subscription_ = 0;
  std::thread scheduler_;
};

}  // namespace pharos::am
