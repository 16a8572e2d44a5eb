#include "scrape/scrape_cache.h"

#include <algorithm>

namespace pharos::scrape {

ScrapeCache::Entry* ScrapeCache::Add(std::string_view raw, storage::SeriesRef ref) {
  Entry& e = series_[std::string(raw)];
  e.ref = ref;
  return &e;
}

void ScrapeCache::ForEachStale(const std::function<void(std::string_view raw, Entry&)>& fn) {
  if (last_success_iter_ == 0) return;
  for (auto& [raw, e] : series_) {
    if (e.live_iter == last_success_iter_ && e.seen_iter != iter_) fn(raw, e);
  }
}

void ScrapeCache::ForEachLive(const std::function<void(std::string_view raw, Entry&)>& fn) {
  if (last_success_iter_ == 0) return;
  for (auto& [raw, e] : series_) {
    if (e.live_iter == last_success_iter_) fn(raw, e);
  }
}

void ScrapeCache::EndScrape(bool success) {
  if (!success) {
    // The caller has written staleness markers for ForEachLive(); a second
    // failure in a row must not write them again.
    last_success_iter_ = 0;
    return;
  }
  for (auto& [raw, e] : series_) {
    if (e.seen_iter == iter_) e.live_iter = iter_;
  }
  last_success_iter_ = iter_;
  if (iter_ % kEvictAfter != 0) return;
  // Occasional sweep: forget series and drops not seen for a while, so a
  // target whose series churn does not grow the cache without bound.
  absl::erase_if(series_, [&](const auto& kv) { return iter_ - kv.second.last_touch > kEvictAfter; });
  if (dropped_.size() > 4 * series_.size() + 1024) dropped_.clear();
}

void ScrapeCache::Clear() {
  series_.clear();
  dropped_.clear();
}

void ScrapeCache::SetMetadata(std::string_view family, const MetricMetadata& md) {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  metadata_[std::string(family)] = md;
}

void ScrapeCache::SetType(std::string_view family, std::string_view type) {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  metadata_[std::string(family)].type.assign(type);
}

void ScrapeCache::SetHelp(std::string_view family, std::string_view help) {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  metadata_[std::string(family)].help.assign(help);
}

void ScrapeCache::SetUnit(std::string_view family, std::string_view unit) {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  metadata_[std::string(family)].unit.assign(unit);
}

std::vector<std::pair<std::string, MetricMetadata>> ScrapeCache::MetadataSnapshot() const {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  std::vector<std::pair<std::string, MetricMetadata>> out(metadata_.begin(), metadata_.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace pharos::scrape
