// Internal to the alertmanager.yml loader (config.cc, config_receivers.cc,
// time_interval.cc): the pieces each file parses, with the YAML positions
// that the cross-checks of config.cc report errors at.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "alertmanager/config.h"
#include "config/yaml_node.h"

namespace pharos::am::internal {

using config::YamlNode;

// A sequence value: `each(item)` for every item in order (null is empty); a
// scalar or mapping is the type error naming `go_type`.
template <typename Each>
absl::Status ForEachItem(const YamlNode& v, std::string_view go_type, Each each) {
  if (v.IsScalar() || v.IsMap()) return v.TypeError(go_type);
  absl::StatusOr<std::vector<YamlNode>> items = v.Items();
  if (!items.ok()) return items.status();
  for (const YamlNode& item : *items) {
    if (absl::Status s = each(item); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Alertmanager's URL rule (config.parseURL): http or https and a host.
// Errors are Alertmanager's text ("unsupported scheme \"\" for URL",
// "missing host for URL", "parse \"...\": ...").
absl::Status CheckUrl(std::string_view url);
// A URL-valued key: reads the string and checks it; an error is
// "FILE:L:C: <key>: <why>" at the value. "<secret>" (as DumpConfig prints
// secret URLs) is taken as is when `secret`.
absl::StatusOr<std::string> ReadUrl(const YamlNode& v, std::string_view key, bool secret);
// An http_config mapping (prometheus/common's HTTP client settings), its
// relative file names resolved against `dir`.
absl::StatusOr<config::HttpClientConfig> ParseHttpConfig(const YamlNode& node, std::string_view dir);
// Alertmanager's HostPort (smtp_smarthost, smarthost): "" or host:port with
// a non-empty port; errors as Go's net.SplitHostPort words them.
absl::Status CheckSmarthost(const YamlNode& v, std::string_view s);
// A *_file key: the file's content, whitespace-trimmed (Alertmanager trims
// secrets read from files). `dir` resolves a relative name. Errors name the
// key and the file at the value's position.
absl::StatusOr<std::string> ReadSecretFile(const YamlNode& v, std::string_view key, std::string_view dir);

// time_intervals / mute_time_intervals items.
absl::StatusOr<NamedTimeInterval> ParseNamedTimeInterval(const YamlNode& n, bool mute);
// "HH:MM" for a minute of the day (24:00 for 1440).
std::string FormatMinute(int minute);
// Range printing as Alertmanager marshals them ("monday:friday", "3", "-7:-1").
std::string FormatWeekdayRange(const InclusiveRange& r);
std::string FormatMonthRange(const InclusiveRange& r);
std::string FormatNumberRange(const InclusiveRange& r);

// One notifier config as parsed, with what the global defaults step needs.
struct NotifierMeta {
  YamlNode where;
  bool http_config_set = false;
  bool url_set = false;          // slack api_url(_file), pagerduty url
  bool require_tls_set = false;  // email
};

struct ParsedReceiver {
  Receiver receiver;
  YamlNode where;
  YamlNode name_node;
  std::vector<NotifierMeta> webhook, slack, pagerduty, email;
};

// One `receivers` item (defaults of its own kind applied, global ones not yet).
absl::StatusOr<ParsedReceiver> ParseReceiver(const YamlNode& n, std::string_view dir);

// Global settings the receivers take defaults from.
struct GlobalMeta {
  bool slack_api_url_set = false;
};
// Fills each notifier's unset settings from `global`, in Alertmanager's
// order of checks ("no global SMTP smarthost set", ...), errors at the
// notifier's position.
absl::Status ApplyGlobalDefaults(const GlobalConfig& global, const GlobalMeta& meta, ParsedReceiver* r);

}  // namespace pharos::am::internal
