// ScrapeCache: what one target's scrape loop remembers between scrapes.
//
// Memory: per series one 32-byte entry, its raw text once in an arena, and
// a 4-byte slot of the index (docs/benchmarks.md, Ingest).
//
// - For each series line seen (keyed by its raw bytes as the parser returns
//   them), the storage ref, so a steady-state scrape appends by ref without
//   parsing labels, relabeling or hashing a label set. The final labels are
//   not kept (they cost more memory than the rest of the entry): when the
//   store no longer knows a ref, the caller derives them again from the raw
//   bytes (BodyAppender).
// - Lines whose series metric relabeling dropped, so they are skipped cheaply.
// - Which series were seen in the previous scrape, to write staleness markers
//   for those that are gone.
// - Metric metadata (type, help, unit) per family, for the metadata APIs.
//
// Used by one scrape loop thread; not thread-safe, except MetadataSnapshot().
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "common/labels.h"
#include "common/strings.h"
#include "storage/appender.h"

namespace pharos::scrape {

struct MetricMetadata {
  std::string type = "unknown";  // counter, gauge, histogram, summary, ...
  std::string help;
  std::string unit;
};

class ScrapeCache {
 public:
  struct Entry {
    storage::SeriesRef ref = 0;
    const char* text = nullptr;  // the raw series bytes, in the cache's arena
    uint32_t len : 31 = 0;
    // The text ends with '}' and holds no newline: a series with labels on
    // one line, which MatchNext() may find as a prefix of a body line.
    uint32_t prefix_matchable : 1 = 0;
    uint32_t seen_iter = 0;   // scrape in progress saw it (staleness-tracked samples only)
    uint32_t live_iter = 0;   // last successful scrape that saw it (staleness-tracked)
    uint32_t last_touch = 0;  // last scrape that saw it at all (for eviction)

    std::string_view raw() const { return {text, len}; }
  };

  ScrapeCache();
  ScrapeCache(const ScrapeCache&) = delete;
  ScrapeCache& operator=(const ScrapeCache&) = delete;

  // Starts a scrape; iterations are numbered from 1.
  void BeginScrape() {
    ++iter_;
    hint_ = 0;
  }
  uint64_t iteration() const { return iter_; }

  // Cached entry for a raw series, or nullptr. Valid until the next Add,
  // EndScrape or Clear.
  Entry* Get(std::string_view raw) {
    // Targets expose their series in the same order every scrape, and
    // entries are kept in first-seen order: the entry after the last one
    // found is usually the one asked for, found without hashing.
    if (hint_ < entries_.size()) {
      Entry& e = entries_[hint_];
      if (e.len == raw.size() && std::memcmp(e.text, raw.data(), raw.size()) == 0) {
        ++hint_;
        return &e;
      }
    }
    auto it = index_.find(raw);
    if (it == index_.end()) return nullptr;
    hint_ = *it + 1;
    return &entries_[*it];
  }
  // The entry expected next (the one after the last found) when `rest` (a
  // body from a line's first byte on) starts with its text, and that text
  // is prefix_matchable; nullptr otherwise. Found or not, no hashing: the
  // caller that gets nullptr finds the line's end and asks Get().
  Entry* MatchNext(std::string_view rest) {
    if (hint_ >= entries_.size()) return nullptr;
    Entry& e = entries_[hint_];
    if (!e.prefix_matchable || e.len > rest.size() || std::memcmp(e.text, rest.data(), e.len) != 0) return nullptr;
    ++hint_;
    return &e;
  }
  bool IsDropped(std::string_view raw) const { return dropped_.contains(AV(raw)); }

  // Adds (or replaces) the entry of a raw series.
  Entry* Add(std::string_view raw, storage::SeriesRef ref);
  void AddDropped(std::string_view raw) { dropped_.insert(std::string(raw)); }

  // Marks the entry seen in this scrape; `track_staleness` false leaves it
  // out of staleness (samples with their own timestamps, as Prometheus does
  // unless track_timestamps_staleness is set).
  void MarkSeen(Entry* e, bool track_staleness) {
    e->last_touch = iter_;
    if (track_staleness) e->seen_iter = iter_;
  }

  // Series seen in the previous scrape and not in this one: they get a
  // staleness marker. Call after the scrape's samples were appended.
  void ForEachStale(const std::function<void(std::string_view raw, Entry&)>& fn);
  // Every series seen in the last successful scrape (for a target that goes
  // away or a scrape that fails).
  void ForEachLive(const std::function<void(std::string_view raw, Entry&)>& fn);

  // Ends a scrape. After a success, remembers it as the one staleness is
  // computed against, and now and then forgets entries not seen for a while.
  // After a failure (for which the caller marked ForEachLive() stale), no
  // series counts as live any more.
  void EndScrape(bool success);

  // Forgets refs (after a storage restart or when refs may be invalid).
  void Clear();

  void SetMetadata(std::string_view family, const MetricMetadata& md);
  void SetType(std::string_view family, std::string_view type);
  void SetHelp(std::string_view family, std::string_view help);
  void SetUnit(std::string_view family, std::string_view unit);
  std::vector<std::pair<std::string, MetricMetadata>> MetadataSnapshot() const;

  size_t size() const { return entries_.size(); }

 private:
  static constexpr uint32_t kEvictAfter = 10;  // scrapes without seeing a series
  static constexpr size_t kArenaBlock = 64 << 10;

  // The index holds positions in entries_, hashed and compared by their
  // text, and is looked up by text.
  struct IndexHash {
    using is_transparent = void;
    const ScrapeCache* c;
    size_t operator()(std::string_view s) const { return absl::HashOf(AV(s)); }
    size_t operator()(uint32_t i) const { return (*this)(c->entries_[i].raw()); }
  };
  struct IndexEq {
    using is_transparent = void;
    const ScrapeCache* c;
    std::string_view Text(std::string_view s) const { return s; }
    std::string_view Text(uint32_t i) const { return c->entries_[i].raw(); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Text(a) == Text(b);
    }
  };

  // The metadata entry of a family, created when missing. Holds metadata_mu_.
  MetricMetadata& MetadataLocked(std::string_view family);
  // Copies `raw` into the arena.
  const char* Store(std::string_view raw);
  // Drops entries not seen for kEvictAfter scrapes, repacking the arena.
  void Evict();

  uint32_t iter_ = 0;
  uint32_t last_success_iter_ = 0;
  size_t hint_ = 0;  // entries_ position expected next
  // The series texts, stored once, in blocks that never move.
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0, block_size_ = 0;
  std::vector<Entry> entries_;  // in first-seen order
  absl::flat_hash_set<uint32_t, IndexHash, IndexEq> index_;
  absl::flat_hash_set<std::string> dropped_;
  mutable std::mutex metadata_mu_;
  absl::flat_hash_map<std::string, MetricMetadata> metadata_;  // guarded by metadata_mu_
};

}  // namespace pharos::scrape
