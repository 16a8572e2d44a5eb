// The server's command-line flags. Prometheus' flag names are accepted
// wherever Pharos gives them the same meaning; flags that only make sense in
// Prometheus (console templates, agent mode storage, ...) are accepted and
// have no effect, as docs/flags.md lists.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace pharos::app {

enum class FsyncPolicy { kBatch, kInterval, kNever };

struct Flags {
  std::string config_file;  // empty: the embedded default configuration
  std::string probes_config_file;  // blackbox_exporter module file (--probes.config.file)
  // The built-in Alertmanager: its alertmanager.yml (or `alertmanager:` in
  // the config file), where its silences and notification log live (default
  // <storage.tsdb.path>/alertmanager) and how long expired silences and
  // notification-log entries are kept.
  std::string am_config_file;
  std::string am_storage_path;
  int64_t am_retention_ms = 120LL * 3600 * 1000;
  std::string listen_address = "0.0.0.0:9090";
  std::string external_url;
  std::string route_prefix;
  bool enable_lifecycle = false;
  bool enable_admin_api = false;
  int64_t read_timeout_ms = 5 * 60 * 1000;
  int max_connections = 512;
  int64_t max_body_bytes = 32LL << 20;

  std::string tsdb_path = "data/";
  int64_t retention_ms = 0;     // 0: default (15d) unless a size is set
  int64_t retention_bytes = 0;  // 0: no size limit
  FsyncPolicy wal_fsync = FsyncPolicy::kBatch;
  int64_t wal_fsync_interval_ms = 0;

  int64_t lookback_delta_ms = 5 * 60 * 1000;
  int64_t query_timeout_ms = 2 * 60 * 1000;
  int query_max_concurrency = 20;
  int64_t query_max_samples = 50'000'000;

  int64_t for_outage_tolerance_ms = 60 * 60 * 1000;
  int64_t for_grace_period_ms = 10 * 60 * 1000;
  int64_t resend_delay_ms = 60 * 1000;

  int64_t notification_queue_capacity = 10'000;  // --alertmanager.notification-queue-capacity
  bool drain_notification_queue = true;          // --alertmanager.drain-notification-queue-on-shutdown

  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::vector<std::string> features;

  // Every flag as given or defaulted, for /api/v1/status/flags (names without "--").
  std::vector<std::pair<std::string, std::string>> all;
};

// Parses "512MB", "1GB", "100KiB"... as Prometheus' units.Base2Bytes does
// (KB, MB, ... are powers of 1024).
absl::StatusOr<int64_t> ParseBytes(std::string_view s);

}  // namespace pharos::app
