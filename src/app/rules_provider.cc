#include "app/rules_provider.h"

namespace pharos::app {
namespace {

Labels ToLabels(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::vector<Label> ls;
  for (const auto& [k, v] : kv) ls.push_back(Label{k, v});
  return Labels::FromUnsorted(std::move(ls));
}

absl::Time FromMs(int64_t ms) { return ms == 0 ? absl::InfinitePast() : absl::FromUnixMillis(ms); }

}  // namespace

std::vector<api::RuleGroupInfo> ManagerRulesProvider::RuleGroups() {
  std::vector<api::RuleGroupInfo> out;
  for (const auto& g : manager_->Groups()) {
    api::RuleGroupInfo gi;
    gi.name = g->name();
    gi.file = g->file();
    gi.interval_s = static_cast<double>(g->interval_ms()) / 1000.0;
    gi.limit = g->limit();
    gi.evaluation_time_s = g->eval_seconds();
    gi.last_evaluation = FromMs(g->last_eval_ms());
    for (const auto& r : g->Snapshot()) {
      api::RuleInfo ri;
      ri.alerting = r.node.is_alert();
      ri.name = r.node.name();
      ri.query = r.node.expr;
      ri.duration_s = r.node.for_ms / 1000;
      ri.keep_firing_for_s = r.node.keep_firing_for_ms / 1000;
      ri.labels = ToLabels(r.node.labels);
      ri.annotations = ToLabels(r.node.annotations);
      ri.health = rules::RuleHealthName(r.health);
      ri.last_error = r.last_error;
      ri.evaluation_time_s = r.eval_seconds;
      ri.last_evaluation = FromMs(r.last_eval_ms);
      for (const auto& a : r.alerts) {
        ri.alerts.push_back(api::RuleAlert{a.labels, ToLabels(a.annotations), rules::AlertStateName(a.state),
                                           FromMs(a.active_at_ms), a.value});
      }
      gi.rules.push_back(std::move(ri));
    }
    out.push_back(std::move(gi));
  }
  return out;
}

}  // namespace pharos::app
