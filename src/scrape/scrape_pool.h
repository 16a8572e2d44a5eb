// ScrapePool: the targets of one scrape job and their loops. Sync() takes
// the job's current target groups (static and file-discovered), works out
// the targets as relabeling makes them, starts loops for new targets and
// stops (with staleness markers) those that are gone.
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/scrape_config.h"
#include "config/target_group.h"
#include "scrape/scrape_loop.h"
#include "scrape/target.h"
#include "storage/appender.h"

namespace pharos::scrape {

// A target as /api/v1/targets lists it.
struct TargetView {
  TargetInfo info;
  TargetStatus status;
};

class ScrapePool {
 public:
  ScrapePool(std::shared_ptr<const config::ScrapeConfig> cfg, storage::Appendable* storage);
  ~ScrapePool();

  const std::string& name() const { return cfg_->job_name; }
  std::shared_ptr<const config::ScrapeConfig> config() const;

  // Replaces the job's config and all its target groups (by discovery
  // source) at once: targets still wanted restart with the new config (their
  // series continue and their phase within the interval is kept), targets no
  // longer wanted stop with staleness markers.
  void Reload(std::shared_ptr<const config::ScrapeConfig> cfg,
              std::map<std::string, std::vector<config::TargetGroup>> groups);
  // Sets the target groups of one discovery source ("static", or a file_sd
  // index) and syncs the loops.
  void SetGroups(const std::string& source, std::vector<config::TargetGroup> groups);
  // Stops every loop; with `mark_stale`, their series get staleness markers.
  void Stop(bool mark_stale);

  std::vector<TargetView> ActiveTargets() const;
  std::vector<TargetView> DroppedTargets() const;
  // Metadata from the targets' last scrapes: (target labels, family, metadata).
  std::vector<std::tuple<Labels, std::string, MetricMetadata>> Metadata() const;
  size_t NumTargets() const;
  size_t NumDroppedTargets() const;  // without copying them

 private:
  void SyncLocked(bool restart_all);

  storage::Appendable* storage_;
  mutable std::mutex mu_;
  std::shared_ptr<const config::ScrapeConfig> cfg_;                  // guarded by mu_
  std::map<std::string, std::vector<config::TargetGroup>> groups_;  // guarded by mu_
  std::map<uint64_t, std::unique_ptr<ScrapeLoop>> loops_;           // guarded by mu_
  std::vector<TargetView> dropped_;                                  // guarded by mu_
  std::string pool_error_;  // target_limit exceeded; guarded by mu_
  std::vector<TargetInfo> over_limit_;  // targets not scraped because of target_limit
};

}  // namespace pharos::scrape
