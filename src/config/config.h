// Pharos' configuration file: a superset of Prometheus 2.53's prometheus.yml.
//
// LoadFile / LoadString parse strictly (an unknown key, a wrong type, a bad
// duration or regex, a repeated key is an error), fill Prometheus' defaults
// (scrape configs inherit interval, timeout, protocols and limits from
// `global`) and validate as Prometheus does. Every error a user can cause is
// InvalidArgument "FILE:LINE:COL: what" (1-based). Sections Pharos does not
// implement (remote_write, remote_read, tracing, service discovery other
// than static and file) are refused at their position, never ignored.
//
// A Config is an immutable value once loaded: share it between threads by
// const reference or shared_ptr<const Config>.
//
// Pharos' own sections (alertmanager, probes, logs, traces, dashboards) are
// added by giving Config a member and config.cc's section table a row that
// parses it; until then they are unknown keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "config/alerting_config.h"
#include "config/probe_config.h"
#include "config/relabel_config.h"
#include "config/scrape_config.h"

namespace pharos::config {

struct TsdbConfig {
  int64_t out_of_order_time_window_ms = 0;
};

struct ExemplarsConfig {
  int64_t max_exemplars = 100'000;
};

struct StorageConfig {
  std::optional<TsdbConfig> tsdb;
  std::optional<ExemplarsConfig> exemplars;
};

struct Config {
  GlobalConfig global;
  AlertingConfig alerting;
  // Glob patterns as written, joined with the config file's directory when
  // relative (LoadFile). Expanding them is the rule manager's job.
  std::vector<std::string> rule_files;
  std::vector<ScrapeConfig> scrape_configs;
  StorageConfig storage;
  ProbesConfig probes;  // Pharos' `probes:` section (config/probe_config.h)
  // Pharos' `alertmanager:` section: an alertmanager.yml inline, kept as a
  // node for the built-in Alertmanager's loader (alertmanager/config.h).
  std::optional<YamlNode> alertmanager;

  // Where it came from: the file name given to LoadFile/LoadString and the
  // directory relative paths were resolved against ("" for LoadString).
  std::string filename;
  std::string base_dir;

  // The scrape config of a job, or nullptr.
  const ScrapeConfig* FindJob(std::string_view job_name) const;
};

// Largest config file accepted.
inline constexpr size_t kMaxConfigBytes = 16u << 20;

// Reads, parses and validates the file; relative paths in it (rule_files,
// file_sd files, TLS and credential files, query_log_file) are joined with
// the file's directory. A missing file is NotFound naming it.
absl::StatusOr<Config> LoadFile(const std::string& path);

// Parses and validates `yaml`; `filename` is used in messages only and
// relative paths are kept as written.
absl::StatusOr<Config> LoadString(std::string_view yaml, std::string_view filename);

// The effective configuration (defaults filled) as YAML, in the shape and
// key order of Prometheus' /api/v1/status/config. Passwords, credentials,
// bearer tokens and TLS keys print as <secret>.
std::string DumpYaml(const Config& config);

// `pharos check config FILE`: loads the file, then parses every file_sd file
// its patterns match now (rule_files need not exist). On success a summary
// for people, in promtool's words ("SUCCESS: ... is valid ..."); otherwise
// the first error.
absl::StatusOr<std::string> CheckConfigFile(const std::string& path);

}  // namespace pharos::config
