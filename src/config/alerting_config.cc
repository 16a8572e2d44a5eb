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
    if (k.ends_with("_sd_configs")) {
      return e.key.Error(absl::StrCat(
          k, " is not supported by pharos: use static_configs or file_sd_configs"));
    }
    return absl::NotFoundError("");
  };
  RETURN_IF_ERROR(ReadMap(
      node, "alertmanager_config",
      {
          {"scheme",
           [&](const YamlNode& v) -> absl::Status {
             RETURN_IF_ERROR(Into(&c.scheme)(v));
             if (c.scheme.empty()) c.scheme = "http";
             if (c.scheme != "http" && c.scheme != "https") {
               return v.Error(absl::StrCat("invalid scheme ", GoQuote(c.scheme), ": must be http or https"));
             }
             return absl::OkStatus();
           }},
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
          {"static_configs",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(c.static_configs, ParseTargetGroups(v, TargetGroupSyntax::kYaml, ""));
             return absl::OkStatus();
           }},
          {"file_sd_configs",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsScalar() || v.IsMap()) return v.TypeError("[]*file.SDConfig");
             ASSIGN_OR_RETURN(auto items, v.Items());
             for (const YamlNode& item : items) {
               ASSIGN_OR_RETURN(FileSdConfig f, ParseFileSdConfig(item));
               c.file_sd_configs.push_back(std::move(f));
             }
             return absl::OkStatus();
           }},
          {"relabel_configs",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(c.relabel_configs,
                              ParseRelabelConfigs(v, "empty or null Alertmanager target relabeling rule"));
             return absl::OkStatus();
           }},
          {"alert_relabel_configs",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(c.alert_relabel_configs,
                              ParseRelabelConfigs(v, "empty or null Alertmanager alert relabeling rule"));
             return absl::OkStatus();
           }},
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
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(a.alert_relabel_configs,
                              ParseRelabelConfigs(v, "empty or null alert relabeling rule"));
             return absl::OkStatus();
           }},
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
