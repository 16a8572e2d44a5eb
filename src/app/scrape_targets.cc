#include "app/scrape_targets.h"

#include "common/duration.h"
#include "scrape/relabel/target_labels.h"

namespace pharos::app {
namespace {

api::TargetHealth ToApi(scrape::TargetHealth h) {
  switch (h) {
    case scrape::TargetHealth::kUp: return api::TargetHealth::kUp;
    case scrape::TargetHealth::kDown: return api::TargetHealth::kDown;
    case scrape::TargetHealth::kUnknown: break;
  }
  return api::TargetHealth::kUnknown;
}

}  // namespace

std::vector<api::ActiveTarget> ScrapeTargets::ActiveTargets() {
  std::vector<api::ActiveTarget> out;
  for (const auto& pool : manager_->Pools()) {
    for (const auto& t : pool->ActiveTargets()) {
      api::ActiveTarget a;
      a.scrape_pool = t.info.pool;
      a.discovered_labels = t.info.discovered;
      a.labels = t.info.public_labels;
      a.scrape_url = t.info.url;
      a.last_error = t.status.last_error;
      a.last_scrape = t.status.last_scrape;
      a.last_scrape_duration = t.status.last_duration;
      a.health = ToApi(t.status.health);
      a.scrape_interval = FormatDurationMs(t.info.interval_ms);
      a.scrape_timeout = FormatDurationMs(t.info.timeout_ms);
      out.push_back(std::move(a));
    }
  }
  return out;
}

std::vector<api::DroppedTarget> ScrapeTargets::DroppedTargets() {
  std::vector<api::DroppedTarget> out;
  for (const auto& pool : manager_->Pools()) {
    for (const auto& t : pool->DroppedTargets()) out.push_back(api::DroppedTarget{t.info.pool, t.info.discovered});
  }
  return out;
}

std::map<std::string, int> ScrapeTargets::DroppedTargetCounts() {
  std::map<std::string, int> out;
  for (const auto& pool : manager_->Pools()) out[pool->name()] = static_cast<int>(pool->NumDroppedTargets());
  return out;
}

}  // namespace pharos::app
