// scrape_configs entries and the global section, with Prometheus 2.53's
// defaults: after LoadFile/LoadString every ScrapeConfig has its interval,
// timeout, protocols and limits filled from `global` where it left them
// unset, so the scrape manager reads one struct.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"
#include "config/file_sd.h"
#include "config/http_client_config.h"
#include "config/relabel_config.h"
#include "config/target_group.h"
#include "config/yaml_node.h"

namespace pharos::config {

// Exposition formats a scrape may ask for, in 2.53's spelling.
inline constexpr std::string_view kScrapeProtocolPrometheusProto = "PrometheusProto";
inline constexpr std::string_view kScrapeProtocolPrometheusText004 = "PrometheusText0.0.4";
inline constexpr std::string_view kScrapeProtocolOpenMetrics001 = "OpenMetricsText0.0.1";
inline constexpr std::string_view kScrapeProtocolOpenMetrics100 = "OpenMetricsText1.0.0";
// The order Prometheus 2.53 proposes by default.
std::vector<std::string> DefaultScrapeProtocols();
// The Accept media type of a protocol ("" for an unknown one).
std::string_view ScrapeProtocolHeader(std::string_view protocol);

// Limits shared by global and each scrape config (0 = no limit).
struct ScrapeLimits {
  int64_t body_size_limit = 0;  // bytes
  uint64_t sample_limit = 0;
  uint64_t target_limit = 0;
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
  uint64_t keep_dropped_targets = 0;

  friend bool operator==(const ScrapeLimits&, const ScrapeLimits&) = default;
};

struct GlobalConfig {
  int64_t scrape_interval_ms = 60'000;
  int64_t scrape_timeout_ms = 10'000;
  std::vector<std::string> scrape_protocols = DefaultScrapeProtocols();
  int64_t evaluation_interval_ms = 60'000;
  int64_t rule_query_offset_ms = 0;
  std::string query_log_file;
  Labels external_labels;
  ScrapeLimits limits;
};

struct ScrapeConfig {
  std::string job_name;
  bool honor_labels = false;
  bool honor_timestamps = true;
  bool track_timestamps_staleness = false;
  std::map<std::string, std::vector<std::string>> params;  // URL query, sorted by name
  int64_t scrape_interval_ms = 0;                          // filled from global when 0
  int64_t scrape_timeout_ms = 0;                           // filled from global when 0
  std::vector<std::string> scrape_protocols;               // filled from global when unset
  bool scrape_classic_histograms = false;
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  bool enable_compression = true;
  ScrapeLimits limits;  // each 0 filled from global
  HttpClientConfig http_client;
  std::vector<TargetGroup> static_configs;
  std::vector<FileSdConfig> file_sd_configs;
  std::vector<RelabelConfig> relabel_configs;
  std::vector<RelabelConfig> metric_relabel_configs;
};

// Reads the global section (defaults for what it leaves out; a null or empty
// section is all defaults) and checks it.
absl::StatusOr<GlobalConfig> ParseGlobalConfig(const YamlNode& node);

// Reads one scrape config. `protocols_written` tells whether the entry set
// scrape_protocols itself. Inheritance from global is ApplyGlobal's job.
absl::StatusOr<ScrapeConfig> ParseScrapeConfig(const YamlNode& node, bool* protocols_written);

// Fills what the scrape config left unset from `global` and checks the
// result (timeout not above interval, protocols). Errors at `where`.
absl::Status ApplyGlobal(const GlobalConfig& global, const YamlNode& where, bool protocols_written,
                         ScrapeConfig* c);

// Checks a scrape_protocols list as 2.53 does (not empty, known, no repeats).
absl::Status ValidateScrapeProtocols(const std::vector<std::string>& protocols);

}  // namespace pharos::config
