// The rule manager: loads rule files (globs), runs each group on its own
// thread at its interval (aligned by Group::EvalTimestamp), restores `for`
// state after the first evaluation, and hands alerts due for sending to a
// notifier callback in Alertmanager's API v2 shape.
//
// Thread-safety: Update/Stop/Groups take mu_; each group thread only
// touches its Group (which has its own lock).
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "rules/group.h"

namespace pharos::rules {

// One alert as POST /api/v2/alerts takes it. Times in ms since the epoch;
// ends_at_ms is validUntil for firing alerts, resolvedAt for resolved ones.
struct NotifierAlert {
  std::vector<std::pair<std::string, std::string>> labels;       // sorted
  std::vector<std::pair<std::string, std::string>> annotations;  // sorted
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;
  std::string generator_url;
};
using NotifyFunc = std::function<void(const std::vector<NotifierAlert>&)>;

// The API v2 JSON body for a list of alerts.
std::string NotifierAlertsJson(const std::vector<NotifierAlert>& alerts);

struct ManagerOptions {
  storage::Queryable* queryable = nullptr;
  storage::Appendable* appendable = nullptr;
  const promql::Engine* engine = nullptr;
  std::map<std::string, std::string> external_labels;
  std::string external_url;
  int64_t outage_tolerance_ms = 3600 * 1000;  // --rules.alert.for-outage-tolerance
  int64_t grace_period_ms = 600 * 1000;       // --rules.alert.for-grace-period
  int64_t resend_delay_ms = 60 * 1000;        // --rules.alert.resend-delay
  NotifyFunc notify;                          // may be empty
  std::function<int64_t()> now_ms;            // wall clock when empty
};

class Manager {
 public:
  explicit Manager(ManagerOptions opts);
  ~Manager();  // Stop()

  // Loads the files matching `globs` and replaces all groups (threads of
  // the old groups are stopped first). Nothing changes on an error.
  absl::Status Update(const std::vector<std::string>& globs, int64_t default_interval_ms);
  void Stop();

  std::vector<std::shared_ptr<Group>> Groups() const;

 private:
  void Run(std::shared_ptr<Group> g);
  void StopThreadsLocked(std::unique_lock<std::mutex>& lock);

  ManagerOptions opts_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                      // guarded by mu_
  bool loaded_ = false;                        // guarded by mu_: Update succeeded once
  std::vector<std::shared_ptr<Group>> groups_; // guarded by mu_
  std::vector<std::thread> threads_;           // guarded by mu_
};

}  // namespace pharos::rules
