// Manager: all scrape jobs of the configuration. It owns one ScrapePool per
// job, feeds each its static target groups, and watches file_sd files:
// every second it looks for files whose set (the globs' matches) or
// modification time changed, and re-reads every file of a job after its
// refresh_interval anyway. A file that fails to parse keeps its previous
// targets (and the error is logged), as Prometheus does.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "scrape/scrape_pool.h"
#include "storage/appender.h"

namespace pharos::scrape {

class Manager {
 public:
  explicit Manager(storage::Appendable* storage);
  ~Manager();

  // Applies a (validated) configuration: new jobs start, removed jobs stop
  // with staleness markers, changed jobs reload.
  void ApplyConfig(const config::Config& cfg);
  void Stop();

  // Pools by job name, in name order.
  std::vector<std::shared_ptr<ScrapePool>> Pools() const;
  size_t NumTargets() const;

 private:
  struct FileSdState {
    std::string job;
    size_t index = 0;
    config::FileSdConfig cfg;
    std::map<std::string, std::pair<int64_t, std::vector<config::TargetGroup>>> files;  // path -> (mtime, groups)
    int64_t last_full_read_ms = 0;
  };

  void WatchLoop();
  static std::vector<config::TargetGroup> GroupsOf(const FileSdState& st);
  // Re-reads what changed; returns true when the job's groups changed.
  bool RefreshFileSd(FileSdState* st, bool force);

  storage::Appendable* storage_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<ScrapePool>> pools_;  // guarded by mu_
  std::vector<FileSdState> file_sd_;                          // guarded by mu_
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread watcher_;
};

}  // namespace pharos::scrape
