// Rule evaluation with Prometheus 2.53's semantics: recording rules write
// their result back through a storage::Appendable; alerting rules keep
// their alerts' state (inactive -> pending -> firing -> resolved, with
// keep_firing_for) and write ALERTS{alertstate} and ALERTS_FOR_STATE.
// Series a rule produced at the previous evaluation and not at this one
// get a staleness marker.
//
//   auto g = Group::FromNode(file, node, opts);   // parses expr + templates
//   g->Eval(t_ms);                                // one evaluation
//   g->FiringAndPendingAlerts() ...
//
// Thread-safety: Eval and the accessors take the group's mutex (mu_), so
// the API may read a group while the manager evaluates it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "rules/rule_file.h"
#include "storage/appender.h"
#include "storage/querier.h"
#include "template/template.h"

namespace pharos::rules {

enum class AlertState { kInactive, kPending, kFiring };
const char* AlertStateName(AlertState s);  // "inactive", "pending", "firing"

struct Alert {
  AlertState state = AlertState::kInactive;
  Labels labels;
  std::vector<std::pair<std::string, std::string>> annotations;  // sorted by name
  double value = 0;
  int64_t active_at_ms = 0;
  int64_t fired_at_ms = 0;
  int64_t resolved_at_ms = 0;  // 0 = not resolved
  int64_t last_sent_at_ms = 0;
  int64_t valid_until_ms = 0;
  int64_t keep_firing_since_ms = 0;
};

struct GroupOptions {
  storage::Queryable* queryable = nullptr;   // required
  storage::Appendable* appendable = nullptr; // required
  const promql::Engine* engine = nullptr;    // required
  std::map<std::string, std::string> external_labels;
  std::string external_url;
  int64_t default_interval_ms = 60000;
  // Whether alerting rules must restore `for` state before writing ALERTS
  // (false in unit tests: rules start "restored").
  bool restore = false;
};

enum class RuleHealth { kUnknown, kOk, kErr };
const char* RuleHealthName(RuleHealth h);  // "unknown", "ok", "err"

class Rule {
 public:
  const RuleNode& node() const { return node_; }
  bool is_alert() const { return node_.is_alert(); }
  RuleHealth health = RuleHealth::kUnknown;
  std::string last_error;
  int64_t last_eval_ms = 0;       // wall time of the last evaluation
  double eval_seconds = 0;
  // Alerting rules: active alerts by label hash.
  std::map<uint64_t, Alert> active;
  bool restored = true;

 private:
  friend class Group;
  RuleNode node_;
  std::unique_ptr<promql::Expr> expr_;
  tmpl::TemplateSet templates_;
  std::vector<Labels> last_series_;  // series written at the last evaluation
};

class Group {
 public:
  static absl::StatusOr<std::unique_ptr<Group>> Create(const std::string& file, const RuleGroupNode& node,
                                                       GroupOptions opts);

  const std::string& name() const { return name_; }
  const std::string& file() const { return file_; }
  int64_t interval_ms() const { return interval_ms_; }
  int64_t limit() const { return limit_; }

  // One evaluation of every rule at `t_ms`. Returns the first rule error
  // (the other rules are still evaluated; the error is also kept in the
  // rule's last_error).
  absl::Status Eval(int64_t t_ms);

  // Prometheus' alignment: the latest time <= now that is congruent to a
  // hash of the group's name and file modulo the interval.
  int64_t EvalTimestamp(int64_t now_ms) const;

  // Restores the `for` state of pending/firing alerts from ALERTS_FOR_STATE
  // (Prometheus' RestoreForState) at `t_ms`.
  void RestoreForState(int64_t t_ms, int64_t outage_tolerance_ms, int64_t grace_period_ms);

  // Alerts that should be (re)sent at `t_ms` with the given resend delay;
  // marks them sent. Resolved alerts are sent until 15 minutes after.
  std::vector<Alert> AlertsToSend(int64_t t_ms, int64_t resend_delay_ms, int64_t eval_interval_ms);

  // Copies of the rules (under the lock) for the API.
  struct RuleSnapshot {
    RuleNode node;
    RuleHealth health;
    std::string last_error;
    int64_t last_eval_ms;
    double eval_seconds;
    std::vector<Alert> alerts;  // pending and firing
  };
  std::vector<RuleSnapshot> Snapshot() const;
  int64_t last_eval_ms() const;
  double eval_seconds() const;

  // Prometheus' CopyState on reload: each rule takes the state (active
  // alerts, series of the last evaluation, health) of the first not yet
  // used rule of `from` with the same name and labels, so pending alerts
  // keep their `for` progress and firing ones stay firing. Both groups'
  // evaluations must be stopped.
  void CopyStateFrom(const Group& from);

  // Pending and firing alerts of the alerting rule named `name` (all rules
  // of that name).
  std::vector<Alert> ActiveAlerts(std::string_view alertname) const;

 private:
  Group() = default;
  absl::Status EvalRecording(Rule& r, int64_t t, std::vector<std::pair<Labels, double>>* out);
  absl::Status EvalAlerting(Rule& r, int64_t t, std::vector<std::pair<Labels, double>>* out);
  absl::StatusOr<promql::QueryResult> Query(const promql::Expr& e, int64_t t);
  // The instant result of `e` at t as (labels, value) pairs (a scalar gives
  // empty labels); other result types are an error.
  absl::Status QuerySamples(const promql::Expr& e, int64_t t, std::vector<std::pair<Labels, double>>* samples);

  std::string name_, file_;
  int64_t interval_ms_ = 0;
  int64_t limit_ = 0;
  GroupOptions opts_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Rule>> rules_;  // guarded by mu_
  int64_t last_eval_ms_ = 0;                  // guarded by mu_
  double eval_seconds_ = 0;                   // guarded by mu_
};

}  // namespace pharos::rules
