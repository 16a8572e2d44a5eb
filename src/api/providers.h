// What the API needs from the rest of the program, as narrow interfaces and
// plain structs. The app implements them over the scrape manager, the
// config loader, the TSDB and its own flags; tests use fakes.
//
// Threading: every method may be called from several HTTP worker threads at
// once; implementations synchronise themselves.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/labels.h"

namespace pharos::api {

// /api/v1/targets

enum class TargetHealth { kUnknown, kUp, kDown };

struct ActiveTarget {
  std::string scrape_pool;  // the job
  Labels discovered_labels;  // before relabeling
  Labels labels;             // after relabeling (those attached to samples)
  std::string scrape_url;
  std::string last_error;  // "" when the last scrape succeeded
  absl::Time last_scrape = absl::InfinitePast();  // InfinitePast: never scraped
  absl::Duration last_scrape_duration;
  TargetHealth health = TargetHealth::kUnknown;
  std::string scrape_interval;  // "15s"
  std::string scrape_timeout;   // "10s"
};

struct DroppedTarget {
  std::string scrape_pool;
  Labels discovered_labels;
};

class TargetsProvider {
 public:
  virtual ~TargetsProvider() = default;
  virtual std::vector<ActiveTarget> ActiveTargets() = 0;
  // Dropped targets kept for display (keep_dropped_targets may cap them).
  virtual std::vector<DroppedTarget> DroppedTargets() = 0;
  // Number of dropped targets per scrape pool, kept or not.
  virtual std::map<std::string, int> DroppedTargetCounts() = 0;
};

// /api/v1/status/buildinfo, in Prometheus' field names.
struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;
  std::string go_version;  // the toolchain (Prometheus names it goVersion)
};

// /api/v1/status/runtimeinfo, in Prometheus' field names (Go-specific ones
// carry the nearest equivalent: threads for goroutines, cores for GOMAXPROCS).
struct RuntimeInfo {
  absl::Time start_time = absl::InfinitePast();
  std::string cwd;
  bool reload_config_success = false;
  absl::Time last_config_time = absl::InfinitePast();
  int64_t corruption_count = 0;
  int64_t goroutine_count = 0;
  int64_t gomaxprocs = 0;
  int64_t gomemlimit = 0;
  std::string gogc;
  std::string godebug;
  std::string storage_retention;  // "15d"
};

// /health/detailed

enum class ComponentState {
  kHealthy,
  kUnhealthy,    // makes the whole answer "degraded" (503)
  kUnavailable,  // not configured or not applicable; reported, not degrading
};

struct ComponentHealth {
  std::string name;  // "storage", "wal", "scraping", …
  ComponentState state = ComponentState::kHealthy;
  std::string reason;  // for kUnhealthy
  // A component that is not critical shows as unhealthy without making the
  // whole answer degraded (a dependency probe not marked critical).
  bool critical = true;
};

class HealthProvider {
 public:
  virtual ~HealthProvider() = default;
  // Components in the order they are to be listed.
  virtual std::vector<ComponentHealth> CheckHealth() = 0;
};

}  // namespace pharos::api
