#include "notifier/relabel_alerts.h"

#include "scrape/relabel/relabel.h"

namespace pharos::notifier {

std::vector<Alert> RelabelAlerts(std::span<const config::RelabelConfig> rules, const Labels& external_labels,
                                 std::vector<Alert> alerts) {
  if (rules.empty() && external_labels.empty()) return alerts;
  std::vector<Alert> out;
  out.reserve(alerts.size());
  LabelsBuilder lb;
  std::vector<Label> pairs;
  for (Alert& a : alerts) {
    pairs.clear();
    for (auto& [n, v] : a.labels) pairs.push_back(Label{n, v});
    lb.Reset(Labels::FromUnsorted(pairs));
    for (const Label& l : external_labels) {
      if (lb.Get(l.name).empty()) lb.Set(l.name, l.value);
    }
    if (!relabel::ProcessBuilder(rules, &lb)) continue;
    if (lb.pairs().empty()) continue;
    a.labels.clear();
    for (const Label& l : lb.pairs()) a.labels.emplace_back(l.name, l.value);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace pharos::notifier
