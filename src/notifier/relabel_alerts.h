// Alert relabeling as Prometheus 2.53's notifier does it: external labels are
// added to each alert where the alert has no (or an empty) value for the name
// (the alert's own labels win), then the relabel rules run; an alert that the
// rules drop, or that they leave without labels, is removed.
//
// Thread-safe (pure function).
#pragma once

#include <span>
#include <vector>

#include "common/labels.h"
#include "config/relabel_config.h"
#include "rules/manager.h"

namespace pharos::notifier {

using Alert = rules::NotifierAlert;

std::vector<Alert> RelabelAlerts(std::span<const config::RelabelConfig> rules, const Labels& external_labels,
                                 std::vector<Alert> alerts);

}  // namespace pharos::notifier
