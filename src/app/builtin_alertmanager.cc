#include "app/builtin_alertmanager.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace pharos::app {

namespace {

// Alertmanager's smallest valid configuration: everything goes to one
// receiver that has no notifiers (alerts are still listed by API v2).
constexpr char kDefaultAmConfig[] = R"(route:
  receiver: default
receivers:
  - name: default
)";

}  // namespace

absl::StatusOr<am::Config> LoadBuiltinAmConfig(const Flags& flags, const config::Config* cfg) {
  bool inline_section = cfg != nullptr && cfg->alertmanager.has_value();
  if (!flags.am_config_file.empty()) {
    if (inline_section) {
      return absl::InvalidArgumentError(absl::StrCat(
          cfg->alertmanager->Where(), ": an `alertmanager` section and --alertmanager.config.file=",
          flags.am_config_file, " are both given; use one"));
    }
    return am::LoadConfigFile(flags.am_config_file);
  }
  if (inline_section) return am::LoadConfigNode(*cfg->alertmanager, cfg->base_dir);
  return am::LoadConfig(kDefaultAmConfig, "<built-in alertmanager default>");
}

absl::StatusOr<std::unique_ptr<am::Alertmanager>> OpenBuiltinAlertmanager(const Flags& flags, am::Config cfg,
                                                                          metrics::Registry* registry) {
  am::AlertmanagerOptions o;
  o.data_dir = flags.am_storage_path.empty()
                   ? (std::filesystem::path(flags.tsdb_path) / "alertmanager").string()
                   : flags.am_storage_path;
  o.external_url = flags.external_url;
  while (!o.external_url.empty() && o.external_url.back() == '/') o.external_url.pop_back();
  o.retention = absl::Milliseconds(flags.am_retention_ms);
  o.registry = registry;
  return am::Alertmanager::Open(std::move(o), std::move(cfg));
}

std::vector<am::Alert> ToAmAlerts(const std::vector<rules::NotifierAlert>& alerts) {
  std::vector<am::Alert> out;
  out.reserve(alerts.size());
  for (const auto& n : alerts) {
    am::Alert a;
    for (const auto& [k, v] : n.labels) a.labels[k] = v;
    for (const auto& [k, v] : n.annotations) a.annotations[k] = v;
    if (n.starts_at_ms != 0) a.starts_at = absl::FromUnixMillis(n.starts_at_ms);
    if (n.ends_at_ms != 0) a.ends_at = absl::FromUnixMillis(n.ends_at_ms);
    a.generator_url = n.generator_url;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace pharos::app
