#include "config/alerting_config.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/quote.h"
#include "config/yaml_map.h"

namespace pharos::config {

absl::StatusOr<AlertmanagerConfig> ParseAlertmanagerConfig(const YamlNode& node) {
  AlertmanagerConfig c;
  LegacyBearer bearer;
  auto other = [&](const YamlEntry& e) -> absl::Status {
    const std::string& k = e.name();
    if (IsHttpClientKey(k)) return ParseHttpClientField(e, &c.http_client, &bearer);
    if (k == "sigv4") return e.key.Error("sigv4 is not supported by pharos yet");
    return RefuseUnsupportedDiscovery(e);
  };
  RETURN_IF_ERROR(ReadMap(
      node, "alertmanager_config",
      {
          {"scheme", [&](const YamlNode& v) { return ReadScheme(v, &c.scheme); }},
          {"path_prefix", Into(&c.path_prefix)},
          {"timeout", IntoDuration(&c.timeout_ms)},
          {"api_version",
           [&](const YamlNode& v) -> absl::Status {
             RETURN_IF_ERROR(Into(&c.api_version)(v));
             if (c.api_version != "v2") {
               return v.Error(absl::StrCat("expected Alertmanager api version to be one of [v2] but got ",
                                           c.api_version));
             }
             return absl::OkStatus();
           }},
          {"static_configs", IntoParsed(&c.static_configs, ParseStaticConfigs)},
          {"file_sd_configs", IntoParsed(&c.file_sd_configs, ParseFileSdConfigs)},
          {"relabel_configs",
           IntoRelabelConfigs(&c.relabel_configs, "empty or null Alertmanager target relabeling rule")},
          {"alert_relabel_configs",
           IntoRelabelConfigs(&c.alert_relabel_configs, "empty or null Alertmanager alert relabeling rule")},
      },
      other));
  RETURN_IF_ERROR(FinishHttpClientConfig(node, &c.http_client, std::move(bearer)));
  // Users who put URLs in targets are told so, unless relabeling may fix them.
  if (c.relabel_configs.empty()) RETURN_IF_ERROR(CheckTargetAddresses(c.static_configs, node));
  return c;
}

absl::StatusOr<AlertingConfig> ParseAlertingConfig(const YamlNode& node) {
  AlertingConfig a;
  RETURN_IF_ERROR(ReadMap(
      node, "alerting",
      {
          {"alert_relabel_configs",
           IntoRelabelConfigs(&a.alert_relabel_configs, "empty or null alert relabeling rule")},
          {"alertmanagers",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsScalar() || v.IsMap()) return v.TypeError("[]*config.AlertmanagerConfig");
             ASSIGN_OR_RETURN(auto items, v.Items());
             for (const YamlNode& item : items) {
               if (item.IsNull()) return item.Error("empty or null alertmanager config section");
               ASSIGN_OR_RETURN(AlertmanagerConfig am, ParseAlertmanagerConfig(item));
               a.alertmanagers.push_back(std::move(am));
             }
             return absl::OkStatus();
           }},
      }));
  return a;
}

}  // namespace pharos::config
