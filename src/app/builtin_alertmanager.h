// The server's built-in Alertmanager: where its configuration comes from
// (--alertmanager.config.file, else `alertmanager:` in the config file,
// else a single receiver without notifiers), where its state lives
// (--alertmanager.storage.path, default <storage.tsdb.path>/alertmanager),
// and how pharos' own alerting rules reach it.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "alertmanager/alertmanager.h"
#include "alertmanager/config.h"
#include "app/flags.h"
#include "config/config.h"
#include "rules/manager.h"

namespace pharos::metrics {
class Registry;
}

namespace pharos::app {

// The alertmanager.yml to run: the flag's file, the inline section of
// `cfg` (null when the config is not loaded yet), or the built-in default.
// Both a file and an inline section is an error.
absl::StatusOr<am::Config> LoadBuiltinAmConfig(const Flags& flags, const config::Config* cfg);

absl::StatusOr<std::unique_ptr<am::Alertmanager>> OpenBuiltinAlertmanager(const Flags& flags, am::Config cfg,
                                                                          metrics::Registry* registry);

// Pharos' alerts as API v2 would receive them from Prometheus.
std::vector<am::Alert> ToAmAlerts(const std::vector<rules::NotifierAlert>& alerts);

}  // namespace pharos::app
