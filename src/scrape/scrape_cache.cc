#include "scrape/scrape_cache.h"

#include <algorithm>

namespace pharos::scrape {

ScrapeCache::ScrapeCache() : index_(0, IndexHash{this}, IndexEq{this}) {}

const char* ScrapeCache::Store(std::string_view raw) {
  if (raw.empty()) return "";
  if (block_used_ + raw.size() > block_size_) {
    block_size_ = std::max(kArenaBlock, raw.size());
    blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* p = blocks_.back().get() + block_used_;
  std::memcpy(p, raw.data(), raw.size());
  block_used_ += raw.size();
  return p;
}

ScrapeCache::Entry* ScrapeCache::Add(std::string_view raw, storage::SeriesRef ref) {
  auto it = index_.find(raw);
  if (it != index_.end()) {
    entries_[*it].ref = ref;
    hint_ = *it + 1;
    return &entries_[*it];
  }
  Entry e;
  e.ref = ref;
  e.text = Store(raw);
  e.len = static_cast<uint32_t>(raw.size());
  e.prefix_matchable = !raw.empty() && raw.back() == '}' && raw.find('\n') == std::string_view::npos;
  entries_.push_back(e);
  const auto pos = static_cast<uint32_t>(entries_.size() - 1);
  index_.insert(pos);
  hint_ = entries_.size();
  return &entries_.back();
}

void ScrapeCache::ForEachStale(const std::function<void(std::string_view raw, Entry&)>& fn) {
  if (last_success_iter_ == 0) return;
  for (auto& e : entries_) {
    if (e.live_iter == last_success_iter_ && e.seen_iter != iter_) fn(e.raw(), e);
  }
}

void ScrapeCache::ForEachLive(const std::function<void(std::string_view raw, Entry&)>& fn) {
  if (last_success_iter_ == 0) return;
  for (auto& e : entries_) {
    if (e.live_iter == last_success_iter_) fn(e.raw(), e);
  }
}

void ScrapeCache::EndScrape(bool success) {
  if (!success) {
    // The caller has written staleness markers for ForEachLive(); a second
    // failure in a row must not write them again.
    last_success_iter_ = 0;
    return;
  }
  for (auto& e : entries_) {
    if (e.seen_iter == iter_) e.live_iter = iter_;
  }
  last_success_iter_ = iter_;
  if (iter_ % kEvictAfter != 0) return;
  // Occasional sweep: forget series and drops not seen for a while, so a
  // target whose series churn does not grow the cache without bound.
  Evict();
  if (dropped_.size() > 4 * entries_.size() + 1024) dropped_.clear();
}

void ScrapeCache::Evict() {
  auto old = [&](const Entry& e) { return iter_ - e.last_touch > kEvictAfter; };
  if (std::none_of(entries_.begin(), entries_.end(), old)) return;
  std::vector<Entry> kept;
  std::vector<std::unique_ptr<char[]>> old_blocks;
  old_blocks.swap(blocks_);
  block_used_ = block_size_ = 0;
  for (const Entry& e : entries_) {
    if (old(e)) continue;
    Entry n = e;
    n.text = Store(e.raw());
    kept.push_back(n);
  }
  entries_.swap(kept);
  index_.clear();
  for (uint32_t i = 0; i < entries_.size(); ++i) index_.insert(i);
  hint_ = 0;
}

void ScrapeCache::Clear() {
  entries_.clear();
  index_.clear();
  blocks_.clear();
  block_used_ = block_size_ = 0;
  hint_ = 0;
  dropped_.clear();
}

void ScrapeCache::SetMetadata(std::string_view family, const MetricMetadata& md) {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  metadata_[std::string(family)] = md;
}

MetricMetadata& ScrapeCache::MetadataLocked(std::string_view family) {
  // Every scrape sets the metadata of every family again: look up without
  // building a key string, and insert only a family not seen before.
  auto it = metadata_.find(AV(family));
  if (it == metadata_.end()) it = metadata_.emplace(std::string(family), MetricMetadata{}).first;
  return it->second;
}

void ScrapeCache::SetType(std::string_view family, std::string_view type) {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  std::string& t = MetadataLocked(family).type;
  if (t != type) t.assign(type);
}

void ScrapeCache::SetHelp(std::string_view family, std::string_view help) {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  std::string& h = MetadataLocked(family).help;
  if (h != help) h.assign(help);
}

void ScrapeCache::SetUnit(std::string_view family, std::string_view unit) {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  std::string& u = MetadataLocked(family).unit;
  if (u != unit) u.assign(unit);
}

std::vector<std::pair<std::string, MetricMetadata>> ScrapeCache::MetadataSnapshot() const {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  std::vector<std::pair<std::string, MetricMetadata>> out(metadata_.begin(), metadata_.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace pharos::scrape
