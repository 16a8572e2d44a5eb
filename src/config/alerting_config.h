// The `alerting` section: relabeling of outgoing alerts and the external
// Alertmanagers to send them to, with Prometheus 2.53's defaults (scheme
// http, timeout 10s, api_version v2; v1 is refused as 2.53 refuses it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "config/file_sd.h"
#include "config/http_client_config.h"
#include "config/relabel_config.h"
#include "config/target_group.h"
#include "config/yaml_node.h"

namespace pharos::config {

struct AlertmanagerConfig {
  HttpClientConfig http_client;
  std::string scheme = "http";
  std::string path_prefix;
  int64_t timeout_ms = 10'000;
  std::string api_version = "v2";
  std::vector<TargetGroup> static_configs;
  std::vector<FileSdConfig> file_sd_configs;
  std::vector<RelabelConfig> relabel_configs;        // on the discovered Alertmanager targets
  std::vector<RelabelConfig> alert_relabel_configs;  // on alerts sent to this Alertmanager
};

struct AlertingConfig {
  std::vector<RelabelConfig> alert_relabel_configs;
  std::vector<AlertmanagerConfig> alertmanagers;
};

absl::StatusOr<AlertingConfig> ParseAlertingConfig(const YamlNode& node);
absl::StatusOr<AlertmanagerConfig> ParseAlertmanagerConfig(const YamlNode& node);

}  // namespace pharos::config
