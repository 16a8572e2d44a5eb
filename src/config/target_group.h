// Target groups: what static_configs and file_sd files list, as Prometheus'
// targetgroup.Group: a set of targets (each a label set holding at least
// __address__) sharing common labels, identified by a source string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "config/yaml_node.h"

namespace pharos::config {

inline constexpr std::string_view kAddressLabel = "__address__";

struct TargetGroup {
  std::vector<Labels> targets;  // each {__address__="host:port"}
  Labels labels;                // shared by every target of the group
  std::string source;           // "0", "1"... for static_configs; "FILE:INDEX" for file_sd

  friend bool operator==(const TargetGroup&, const TargetGroup&) = default;
};

enum class TargetGroupSyntax {
  kYaml,  // strict: unknown keys are errors (Prometheus reads YAML strictly)
  kJson,  // lenient about unknown keys, strict about types (Go's encoding/json)
};

// Reads one {targets: [...], labels: {...}} mapping. Label names must be
// valid ("\"a-b\" is not a valid label name").
absl::StatusOr<TargetGroup> ParseTargetGroup(const YamlNode& node, TargetGroupSyntax syntax);

// Reads a list of target groups (a static_configs list, or a whole file_sd
// file). Sources are the indexes, prefixed with `source_prefix` when not
// empty ("file.yml:0").
absl::StatusOr<std::vector<TargetGroup>> ParseTargetGroups(const YamlNode& list,
                                                           TargetGroupSyntax syntax,
                                                           std::string_view source_prefix);

// A static_configs list (YAML syntax, sources "0", "1", ...).
absl::StatusOr<std::vector<TargetGroup>> ParseStaticConfigs(const YamlNode& list);

// Prometheus' check for URLs written as targets: an address holding a '/'
// fails with "\"http://x/\" is not a valid hostname" at `where`.
absl::Status CheckTargetAddresses(const std::vector<TargetGroup>& groups, const YamlNode& where);

}  // namespace pharos::config
