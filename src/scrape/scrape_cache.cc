#include "scrape/scrape_cache.h"

#include <algorithm>

namespace pharos::scrape {

ScrapeCache::ScrapeCache() : index_(0, IndexHash{this}, IndexEq{this}) {}

void ScrapeCache::Encode(std::string_view raw, std::string_view previous, Entry* e) {
  size_t shared = 0;
  if (entries_.size() % kRestart != 0) {
    const size_t max = std::min({raw.size(), previous.size(), kMaxShared});
    while (shared < max && raw[shared] == previous[shared]) ++shared;
  }
  e->text_pos = static_cast<uint32_t>(texts_.size());
  texts_.push_back(static_cast<char>(shared & 0xFF));
  texts_.push_back(static_cast<char>(shared >> 8));
  texts_.append(raw.substr(shared));
}

void ScrapeCache::Decode(size_t i, std::string* out) const {
  size_t from = i - i % kRestart;
  out->clear();
  for (size_t j = from; j <= i; ++j) {
    const Entry& e = entries_[j];
    const size_t shared = Shared(e);
    out->resize(shared);
    out->append(Suffix(e), e.len - shared);
  }
}

std::string_view ScrapeCache::TextOf(const Entry& e) {
  Decode(static_cast<size_t>(&e - entries_.data()), &decoded_);
  return decoded_;
}

bool ScrapeCache::TextEquals(uint32_t i, std::string_view s) {
  if (entries_[i].len != s.size()) return false;
  Decode(i, &decoded_);
  return decoded_ == s;
}

ScrapeCache::Entry* ScrapeCache::Find(std::string_view raw) {
  auto it = index_.find(raw);
  if (it == index_.end()) return nullptr;
  SetHint(*it + 1);
  SetHintText(raw);
  return &entries_[*it];
}

ScrapeCache::Entry* ScrapeCache::Add(std::string_view raw, storage::SeriesRef ref) {
  if (Entry* e = Find(raw); e != nullptr) {
    e->ref = ref;
    return e;
  }
  Entry e;
  e.ref = ref;
  e.len = static_cast<uint32_t>(raw.size());
  e.prefix_matchable = !raw.empty() && raw.back() == '}' && raw.find('\n') == std::string_view::npos;
  e.hash = HashText(raw);
  // The previous entry's text: usually the last one found.
  std::string_view previous;
  if (entries_.empty() || entries_.size() % kRestart == 0) {
    // A restart: coded whole.
  } else if (hint_ == entries_.size()) {
    previous = std::string_view(hint_text_.data(), hint_len_);
  } else {
    Decode(entries_.size() - 1, &decoded_);
    previous = decoded_;
  }
  Encode(raw, previous, &e);
  entries_.push_back(e);
  index_.insert(static_cast<uint32_t>(entries_.size() - 1));
  SetHint(entries_.size());
  SetHintText(raw);
  return &entries_.back();
}

void ScrapeCache::ForEachStale(const std::function<void(Entry&)>& fn) {
  if (last_success_iter_ == 0 || seen_live_ == live_) return;
  for (auto& e : entries_) {
    if (e.seen_iter == last_success_iter_) fn(e);
  }
}

void ScrapeCache::ForEachLive(const std::function<void(Entry&)>& fn) {
  if (last_success_iter_ == 0) return;
  for (auto& e : entries_) {
    // Seen by the last successful scrape, whether or not the scrape in
    // progress (if any) saw it again.
    if (e.seen_iter == last_success_iter_ || (e.seen_iter == iter_ && e.prev_seen_iter == last_success_iter_)) fn(e);
  }
}

void ScrapeCache::EndScrape(bool success) {
  if (!success) {
    // The caller has written staleness markers for ForEachLive(); a second
    // failure in a row must not write them again.
    last_success_iter_ = 0;
    return;
  }
  last_success_iter_ = iter_;
  live_ = seen_;
  // Vectors grow by doubling while a target's first scrape adds its series.
  if (texts_.capacity() > texts_.size() + texts_.size() / 4) texts_.shrink_to_fit();
  if (entries_.capacity() > entries_.size() + entries_.size() / 4) entries_.shrink_to_fit();
  if (iter_ % kEvictAfter != 0) return;
  // Occasional sweep: forget series and drops not seen for a while, so a
  // target whose series churn does not grow the cache without bound.
  Evict();
  if (dropped_.size() > 4 * entries_.size() + 1024) dropped_.clear();
}

void ScrapeCache::Evict() {
  auto old = [&](const Entry& e) { return iter_ - e.last_touch > kEvictAfter; };
  if (std::none_of(entries_.begin(), entries_.end(), old)) return;
  std::vector<Entry> all;
  all.swap(entries_);
  std::string coded;
  coded.swap(texts_);
  // Decode in order (each text from the previous one's) and code the kept
  // ones again against the previous kept text.
  std::string text, previous;
  for (size_t i = 0; i < all.size(); ++i) {
    const Entry& e = all[i];
    const char* record = coded.data() + e.text_pos;
    const size_t shared = SharedOf(record);
    text.resize(shared);
    text.append(record + kSharedBytes, e.len - shared);
    if (old(e)) continue;
    Entry n = e;
    Encode(text, previous, &n);
    entries_.push_back(n);
    previous = text;
  }
  texts_.shrink_to_fit();
  index_.clear();
  for (uint32_t i = 0; i < entries_.size(); ++i) index_.insert(i);
  SetHint(0);
}

void ScrapeCache::Clear() {
  live_ = seen_ = seen_live_ = 0;
  entries_.clear();
  index_.clear();
  texts_.clear();
  SetHint(0);
  dropped_.clear();
}

void ScrapeCache::SetMetadata(std::string_view family, const MetricMetadata& md) {
  MetricMetadata* m = MetadataOf(family);
  std::lock_guard<std::mutex> lock(metadata_mu_);
  *m = md;
}

MetricMetadata* ScrapeCache::MetadataOf(std::string_view family) {
  if (metadata_pos_ < metadata_order_.size()) {
    const MetadataSlot& slot = metadata_order_[metadata_pos_];
    if (*slot.family == family) {
      ++metadata_pos_;
      return slot.md;
    }
  }
  MetadataSlot slot;
  {
    std::lock_guard<std::mutex> lock(metadata_mu_);
    auto it = metadata_.find(AV(family));
    if (it == metadata_.end()) it = metadata_.emplace(std::string(family), MetricMetadata{}).first;
    slot = MetadataSlot{&it->first, &it->second};
  }
  if (metadata_pos_ < metadata_order_.size()) {
    metadata_order_[metadata_pos_++] = slot;
  } else if (metadata_order_.size() < kMaxMetadataOrder) {
    metadata_order_.push_back(slot);
    ++metadata_pos_;
  }
  return slot.md;
}

void ScrapeCache::SetField(std::string_view family, std::string MetricMetadata::*field, std::string_view value) {
  std::string& f = MetadataOf(family)->*field;
  if (f == value) return;  // the usual case: as in the last scrape
  std::lock_guard<std::mutex> lock(metadata_mu_);
  f.assign(value);
}

void ScrapeCache::SetType(std::string_view family, std::string_view type) {
  SetField(family, &MetricMetadata::type, type);
}

void ScrapeCache::SetHelp(std::string_view family, std::string_view help) {
  SetField(family, &MetricMetadata::help, help);
}

void ScrapeCache::SetUnit(std::string_view family, std::string_view unit) {
  SetField(family, &MetricMetadata::unit, unit);
}

std::vector<std::pair<std::string, MetricMetadata>> ScrapeCache::MetadataSnapshot() const {
  std::lock_guard<std::mutex> lock(metadata_mu_);
  std::vector<std::pair<std::string, MetricMetadata>> out(metadata_.begin(), metadata_.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace pharos::scrape
