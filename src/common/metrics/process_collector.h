// Process statistics read from /proc at scrape time, exported under the
// names and help texts of Prometheus' Go client (process_cpu_seconds_total,
// process_resident_memory_bytes, …) so that existing dashboards work.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics/registry.h"

namespace pharos::metrics {

struct ProcessStats {
  double cpu_seconds = 0;          // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;   // since the Unix epoch
  double open_fds = 0;
  double max_fds = 0;              // soft limit
  double max_virtual_bytes = 0;    // soft limit; 2^64-1 when unlimited
};

// Reads the statistics of the process whose /proc directory is `proc_pid_dir`
// (e.g. "/proc/self"); `proc_dir` is the /proc root (for the boot time).
// Fails with the file and the reason when a file is missing or malformed.
absl::StatusOr<ProcessStats> ReadProcessStats(const std::string& proc_pid_dir = "/proc/self",
                                              const std::string& proc_dir = "/proc");

// Registers a collector exporting ReadProcessStats("/proc/self") on every
// scrape. When /proc cannot be read, the process families are omitted.
void RegisterProcessCollector(Registry* registry);

}  // namespace pharos::metrics
