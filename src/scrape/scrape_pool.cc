#include "scrape/scrape_pool.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "scrape/relabel/target_labels.h"
#include "xxhash.h"

namespace pharos::scrape {
namespace {

uint64_t TargetHash(const Labels& public_labels, const std::string& url) {
  return public_labels.Hash() ^ XXH3_64bits(url.data(), url.size());
}

}  // namespace

ScrapePool::ScrapePool(std::shared_ptr<const config::ScrapeConfig> cfg, storage::Appendable* storage)
    : storage_(storage), cfg_(std::move(cfg)) {}

ScrapePool::~ScrapePool() { Stop(false); }

std::shared_ptr<const config::ScrapeConfig> ScrapePool::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cfg_;
}

void ScrapePool::Reload(std::shared_ptr<const config::ScrapeConfig> cfg,
                        std::map<std::string, std::vector<config::TargetGroup>> groups) {
  std::lock_guard<std::mutex> lock(mu_);
  cfg_ = std::move(cfg);
  groups_ = std::move(groups);
  SyncLocked(true);
}

void ScrapePool::SetGroups(const std::string& source, std::vector<config::TargetGroup> groups) {
  std::lock_guard<std::mutex> lock(mu_);
  groups_[source] = std::move(groups);
  SyncLocked(false);
}

void ScrapePool::SyncLocked(bool restart_all) {
  std::vector<relabel::TargetLabels> targets;
  std::vector<std::string> failures;
  for (const auto& [source, groups] : groups_) {
    for (const auto& g : groups) relabel::TargetsFromGroup(g, *cfg_, {}, &targets, &failures);
  }
  for (const auto& f : failures) log::Warn("scrape", "target dropped", {{"job", cfg_->job_name}, {"err", f}});

  std::map<uint64_t, TargetInfo> wanted;
  dropped_.clear();
  for (auto& t : targets) {
    if (t.dropped()) {
      if (cfg_->limits.keep_dropped_targets == 0 || dropped_.size() < cfg_->limits.keep_dropped_targets) {
        TargetView v;
        v.info.pool = cfg_->job_name;
        v.info.discovered = std::move(t.discovered);
        dropped_.push_back(std::move(v));
      }
      continue;
    }
    TargetInfo info;
    info.pool = cfg_->job_name;
    info.public_labels = relabel::PublicLabels(t.labels);
    info.url = relabel::TargetUrl(t.labels, *cfg_);
    info.labels = std::move(t.labels);
    info.discovered = std::move(t.discovered);
    info.interval_ms = t.interval_ms;
    info.timeout_ms = t.timeout_ms;
    info.hash = TargetHash(info.public_labels, info.url);
    wanted.emplace(info.hash, std::move(info));  // duplicates collapse, as in Prometheus
  }

  over_limit_.clear();
  pool_error_.clear();
  if (cfg_->limits.target_limit > 0 && wanted.size() > cfg_->limits.target_limit) {
    pool_error_ = absl::StrCat("target_limit exceeded (number of targets: ", wanted.size(),
                               ", limit: ", cfg_->limits.target_limit, ")");
    for (auto& [h, loop] : loops_) loop->Stop(true);
    loops_.clear();
    for (auto& [h, info] : wanted) over_limit_.push_back(std::move(info));
    return;
  }

  for (auto it = loops_.begin(); it != loops_.end();) {
    if (wanted.count(it->first) == 0) {
      it->second->Stop(true);
      it = loops_.erase(it);
    } else if (restart_all) {
      // Loops hold the old config: replace them. The new loop keeps the
      // target's phase (it depends on the target, not on the loop).
      it->second->Stop(false);
      it = loops_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [h, info] : wanted) {
    if (loops_.count(h) != 0) continue;
    auto loop = std::make_unique<ScrapeLoop>(std::move(info), cfg_, storage_);
    loop->Start();
    loops_.emplace(h, std::move(loop));
  }
}

void ScrapePool::Stop(bool mark_stale) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [h, loop] : loops_) loop->Stop(mark_stale);
  loops_.clear();
}

std::vector<TargetView> ScrapePool::ActiveTargets() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<TargetView> out;
  for (const auto& [h, loop] : loops_) out.push_back(TargetView{loop->info(), loop->status()});
  for (const auto& info : over_limit_) {
    TargetView v{info, {}};
    v.status.health = TargetHealth::kDown;
    v.status.last_error = pool_error_;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<TargetView> ScrapePool::DroppedTargets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

std::vector<std::tuple<Labels, std::string, MetricMetadata>> ScrapePool::Metadata() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::tuple<Labels, std::string, MetricMetadata>> out;
  for (const auto& [h, loop] : loops_) {
    for (auto& [family, md] : loop->cache().MetadataSnapshot()) {
      out.emplace_back(loop->info().public_labels, family, md);
    }
  }
  return out;
}

size_t ScrapePool::NumTargets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loops_.size();
}

size_t ScrapePool::NumDroppedTargets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_.size();
}

}  // namespace pharos::scrape
