#include "scrape/manager.h"

#include <sys/stat.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "config/file_sd.h"

namespace pharos::scrape {
namespace {

int64_t MtimeNs(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec + st.st_size;
}

std::string FileSdSource(size_t index) { return absl::StrCat("file_sd/", index); }

}  // namespace

std::vector<config::TargetGroup> Manager::GroupsOf(const FileSdState& st) {
  std::vector<config::TargetGroup> groups;
  for (const auto& [path, f] : st.files) groups.insert(groups.end(), f.second.begin(), f.second.end());
  return groups;
}

namespace {

}  // namespace

Manager::Manager(storage::Appendable* storage) : storage_(storage) {
  watcher_ = std::thread([this] { WatchLoop(); });
}

Manager::~Manager() { Stop(); }

void Manager::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, pool] : pools_) pool->Stop(false);
  pools_.clear();
}

void Manager::ApplyConfig(const config::Config& cfg) {
  std::lock_guard<std::mutex> lock(mu_);
  // File discovery restarts from the new config; files are read right away.
  file_sd_.clear();
  for (const auto& sc : cfg.scrape_configs) {
    for (size_t i = 0; i < sc.file_sd_configs.size(); ++i) {
      FileSdState st;
      st.job = sc.job_name;
      st.index = i;
      st.cfg = sc.file_sd_configs[i];
      RefreshFileSd(&st, true);
      file_sd_.push_back(std::move(st));
    }
  }
  std::map<std::string, std::shared_ptr<ScrapePool>> next;
  for (const auto& sc : cfg.scrape_configs) {
    std::map<std::string, std::vector<config::TargetGroup>> groups;
    groups["static"] = sc.static_configs;
    for (const auto& st : file_sd_) {
      if (st.job == sc.job_name) groups[FileSdSource(st.index)] = GroupsOf(st);
    }
    auto shared = std::make_shared<const config::ScrapeConfig>(sc);
    auto it = pools_.find(sc.job_name);
    std::shared_ptr<ScrapePool> pool;
    if (it != pools_.end()) {
      pool = it->second;
      pools_.erase(it);
    } else {
      pool = std::make_shared<ScrapePool>(shared, storage_);
    }
    pool->Reload(shared, std::move(groups));
    next.emplace(sc.job_name, std::move(pool));
  }
  for (auto& [name, pool] : pools_) pool->Stop(true);  // jobs that are gone
  pools_ = std::move(next);
}

bool Manager::RefreshFileSd(FileSdState* st, bool force) {
  int64_t now = absl::ToUnixMillis(absl::Now());
  if (now - st->last_full_read_ms >= st->cfg.refresh_interval_ms) force = true;
  if (force) st->last_full_read_ms = now;
  std::vector<std::string> paths = config::MatchFileSdFiles(st->cfg);
  bool changed = false;
  std::map<std::string, std::pair<int64_t, std::vector<config::TargetGroup>>> next;
  for (const auto& path : paths) {
    int64_t mtime = MtimeNs(path);
    auto old = st->files.find(path);
    if (!force && old != st->files.end() && old->second.first == mtime) {
      next.emplace(path, std::move(old->second));
      continue;
    }
    auto groups = config::ReadTargetGroupFile(path);
    if (!groups.ok()) {
      log::Error("discovery", "reading a file_sd file failed; keeping its previous targets",
                 {{"job", st->job}, {"err", groups.status()}});
      if (old != st->files.end()) next.emplace(path, std::move(old->second));
      continue;
    }
    if (old == st->files.end() || old->second.second != *groups) changed = true;
    next.emplace(path, std::make_pair(mtime, *std::move(groups)));
  }
  if (next.size() != st->files.size()) changed = true;
  st->files = std::move(next);
  return changed;
}

void Manager::WatchLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    if (stopping_) return;
    for (auto& st : file_sd_) {
      if (!RefreshFileSd(&st, false)) continue;
      auto pool = pools_.find(st.job);
      if (pool != pools_.end()) pool->second->SetGroups(FileSdSource(st.index), GroupsOf(st));
    }
  }
}

std::vector<std::shared_ptr<ScrapePool>> Manager::Pools() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<ScrapePool>> out;
  for (const auto& [name, pool] : pools_) out.push_back(pool);
  return out;
}

size_t Manager::NumTargets() const {
  size_t n = 0;
  for (const auto& p : Pools()) n += p->NumTargets();
  return n;
}

}  // namespace pharos::scrape
