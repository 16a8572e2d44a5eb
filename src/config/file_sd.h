// File-based service discovery (file_sd_configs): the config entry, the
// parsing of target-group files (JSON or YAML, chosen by extension as
// Prometheus does), and the expansion of a config's globs into files and
// their groups.
//
// Watching the files and re-reading them on change is the scrape manager's
// job: it calls ExpandFileSd every refresh_interval (or on a change
// notification) and compares the result with the previous one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "config/target_group.h"
#include "config/yaml_node.h"

namespace pharos::config {

// The label file_sd adds to every group: the path of the file it came from.
inline constexpr std::string_view kFileSdPathLabel = "__meta_filepath";
// Largest target-group file read (bytes).
inline constexpr size_t kMaxTargetFileBytes = 16u << 20;

struct FileSdConfig {
  // Patterns as Prometheus takes them: a path whose last element may hold a
  // `*` glob, ending in .json, .yml or .yaml. Resolved against the config
  // file's directory by LoadFile.
  std::vector<std::string> files;
  int64_t refresh_interval_ms = 5 * 60 * 1000;

  friend bool operator==(const FileSdConfig&, const FileSdConfig&) = default;
};

// Reads one file_sd_configs entry (files required and well-formed).
absl::StatusOr<FileSdConfig> ParseFileSdConfig(const YamlNode& node);
// Reads a file_sd_configs list.
absl::StatusOr<std::vector<FileSdConfig>> ParseFileSdConfigs(const YamlNode& list);

// For a key of a config that takes service discovery: the refusal of the
// mechanisms Pharos does not implement (kubernetes_sd_configs, ...) at the
// key's position, or NotFound when `entry` is not a *_sd_configs key.
absl::Status RefuseUnsupportedDiscovery(const YamlEntry& entry);

// Parses the content of a target-group file named `path`: JSON when it ends
// in .json, YAML for .yml/.yaml (case-insensitive). Every group gets
// __meta_filepath=path and the source "path:index". Errors are
// "path:LINE:COL: what".
absl::StatusOr<std::vector<TargetGroup>> ParseTargetGroupFile(std::string_view content,
                                                              const std::string& path);
// Reads and parses the file (at most kMaxTargetFileBytes).
absl::StatusOr<std::vector<TargetGroup>> ReadTargetGroupFile(const std::string& path);

// The result for one matched file.
struct FileSdFile {
  std::string path;
  absl::StatusOr<std::vector<TargetGroup>> groups;
};

// The files the patterns match now, sorted and without duplicates. A pattern
// that matches nothing contributes nothing (as in Prometheus).
std::vector<std::string> MatchFileSdFiles(const FileSdConfig& c);
// MatchFileSdFiles, then each file parsed. A file that fails keeps its error
// in its entry; the others are still returned.
std::vector<FileSdFile> ExpandFileSd(const FileSdConfig& c);

}  // namespace pharos::config
