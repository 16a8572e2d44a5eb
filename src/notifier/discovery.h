// Alertmanager discovery: from the target groups of one `alertmanagers`
// entry (static_configs, file_sd_configs) to the URLs alerts are POSTed to,
// as Prometheus 2.53's notifier builds them:
//
//   1. the target's labels, then __scheme__ (the entry's scheme) and
//      __alerts_path__ (path_prefix joined with /api/v2/alerts, cleaned like
//      Go's path.Join), then the group's labels the target does not set;
//   2. the entry's relabel_configs; a dropped target is listed as dropped
//      with the URL of its labels before relabeling;
//   3. __address__ must not hold a '/' (otherwise the whole group is refused);
//   4. URL = <__scheme__>://<__address__><__alerts_path__>.
//
// Pure functions over immutable config: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "config/alerting_config.h"
#include "config/target_group.h"

namespace pharos::notifier {

inline constexpr std::string_view kAlertsPathLabel = "__alerts_path__";
inline constexpr std::string_view kSchemeLabel = "__scheme__";

struct DiscoveredAlertmanagers {
  std::vector<std::string> active;   // URLs, in target order (may repeat across groups)
  std::vector<std::string> dropped;  // URLs of targets dropped by relabel_configs
};

// Go's path.Join("/", prefix, "/api/<version>/alerts"): slashes collapsed,
// "." and ".." resolved, always absolute.
std::string AlertsPath(std::string_view path_prefix, std::string_view api_version);

// The URL of an Alertmanager target from its labels.
std::string AlertmanagerUrl(const Labels& labels);

// The Alertmanagers of one target group. InvalidArgument when a kept target's
// address is not a host[:port] ("\"http://x/\" is not a valid hostname").
absl::StatusOr<DiscoveredAlertmanagers> AlertmanagersFromGroup(const config::TargetGroup& group,
                                                               const config::AlertmanagerConfig& cfg);

}  // namespace pharos::notifier
