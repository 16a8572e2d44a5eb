// ScrapeCache: what one target's scrape loop remembers between scrapes.
//
// Memory: per series one 32-byte entry, a 4-byte slot of the index, and its
// raw text front-coded against the previous entry's (2 bytes for the length
// of the prefix they share, then the rest): consecutive series of a target
// share most of their text, so a ~75-byte text costs ~14 bytes
// (docs/benchmarks.md, Ingest).
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
// Lookups compare texts byte for byte (a hash only narrows the search), so
// two series never share an entry.
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

#include "absl/container/node_hash_map.h"
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
    uint32_t text_pos = 0;  // its coded text in texts_
    uint32_t len : 31 = 0;  // length of the text
    // The text ends with '}' and holds no newline: a series with labels on
    // one line, which MatchNext() may find as a prefix of a body line.
    uint32_t prefix_matchable : 1 = 0;
    uint32_t hash = 0;        // of the text (the index's hash)
    // The last two scrapes that saw it (staleness-tracked samples only):
    // it is live when the last one before the scrape in progress succeeded.
    uint32_t seen_iter = 0;
    uint32_t prev_seen_iter = 0;
    uint32_t last_touch = 0;  // last scrape that saw it at all (for eviction)
  };

  ScrapeCache();
  ScrapeCache(const ScrapeCache&) = delete;
  ScrapeCache& operator=(const ScrapeCache&) = delete;

  // Starts a scrape; iterations are numbered from 1.
  void BeginScrape() {
    ++iter_;
    seen_ = seen_live_ = 0;
    metadata_pos_ = 0;
    SetHint(0);
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
      if (e.len == raw.size() && FollowsHint(e, raw.data())) return Found(e);
    }
    return Find(raw);
  }

  // The entry expected next (the one after the last found) when `rest` (a
  // body from a line's first byte on) starts with its text, and that text
  // is prefix_matchable; nullptr otherwise. Found or not, no hashing: the
  // caller that gets nullptr finds the line's end and asks Get().
  Entry* MatchNext(std::string_view rest) {
    if (hint_ >= entries_.size()) return nullptr;
    Entry& e = entries_[hint_];
    if (!e.prefix_matchable || e.len > rest.size() || !FollowsHint(e, rest.data())) return nullptr;
    return Found(e);
  }

  bool IsDropped(std::string_view raw) const { return dropped_.contains(AV(raw)); }

  // Adds (or replaces) the entry of a raw series.
  Entry* Add(std::string_view raw, storage::SeriesRef ref);
  void AddDropped(std::string_view raw) { dropped_.insert(std::string(raw)); }

  // The text of an entry, decoded into a buffer of the cache: valid until
  // the next call of any method.
  std::string_view TextOf(const Entry& e);

  // Marks the entry seen in this scrape; `track_staleness` false leaves it
  // out of staleness (samples with their own timestamps, as Prometheus does
  // unless track_timestamps_staleness is set).
  void MarkSeen(Entry* e, bool track_staleness) {
    e->last_touch = iter_;
    if (!track_staleness || e->seen_iter == iter_) return;
    // Counted so that a scrape that saw every live series skips the search
    // for stale ones.
    ++seen_;
    if (last_success_iter_ != 0 && e->seen_iter == last_success_iter_) ++seen_live_;
    e->prev_seen_iter = e->seen_iter;
    e->seen_iter = iter_;
  }

  // Series seen in the previous scrape and not in this one: they get a
  // staleness marker. Call after the scrape's samples were appended. `fn`
  // may call TextOf() and nothing else of the cache.
  void ForEachStale(const std::function<void(Entry&)>& fn);
  // Every series seen in the last successful scrape (for a target that goes
  // away or a scrape that fails).
  void ForEachLive(const std::function<void(Entry&)>& fn);

  // Ends a scrape. After a success, remembers it as the one staleness is
  // computed against (no pass over the entries), and now and then forgets
  // entries not seen for a while.
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
  // Bytes held by the coded texts (for tests and the memory figures).
  size_t text_bytes() const { return texts_.capacity(); }

 private:
  static constexpr uint32_t kEvictAfter = 10;  // scrapes without seeing a series
  // Every kRestart-th entry is coded whole, so any text decodes from at
  // most kRestart records.
  static constexpr size_t kRestart = 16;
  // A coded text: the prefix it shares with the previous entry's text (2
  // bytes, little-endian, at most kMaxShared), then the rest of its bytes.
  static constexpr size_t kSharedBytes = 2;
  static constexpr size_t kMaxShared = 0xFFFF;

  static uint32_t HashText(std::string_view s) { return static_cast<uint32_t>(absl::HashOf(AV(s))); }

  // The index holds positions in entries_, hashed by their entry's hash and
  // compared by their text; it is looked up by text.
  struct IndexHash {
    using is_transparent = void;
    const ScrapeCache* c;
    size_t operator()(std::string_view s) const { return HashText(s); }
    size_t operator()(uint32_t i) const { return c->entries_[i].hash; }
  };
  struct IndexEq {
    using is_transparent = void;
    ScrapeCache* c;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t i, std::string_view s) const { return c->TextEquals(i, s); }
    bool operator()(std::string_view s, uint32_t i) const { return c->TextEquals(i, s); }
  };

  static size_t SharedOf(const char* record) {
    const auto* r = reinterpret_cast<const unsigned char*>(record);
    return r[0] | static_cast<size_t>(r[1]) << 8;
  }
  size_t Shared(const Entry& e) const { return SharedOf(texts_.data() + e.text_pos); }
  const char* Suffix(const Entry& e) const { return texts_.data() + e.text_pos + kSharedBytes; }

  // Whether the e.len bytes at `p` are e's text, given that e follows the
  // entry whose text is hint_text_.
  bool FollowsHint(const Entry& e, const char* p) const {
    size_t shared = Shared(e);
    return std::memcmp(p, hint_text_.data(), shared) == 0 &&
           std::memcmp(p + shared, Suffix(e), e.len - shared) == 0;
  }
  // Makes `e` (just found by FollowsHint) the last one found.
  Entry* Found(Entry& e) {
    // Only the suffix changes; the buffer is as long as the longest text.
    const size_t shared = Shared(e);
    if (hint_text_.size() < e.len) hint_text_.resize(e.len);
    std::memcpy(hint_text_.data() + shared, Suffix(e), e.len - shared);
    hint_len_ = e.len;
    ++hint_;
    return &e;
  }
  // The next lookup expects entries_[pos]; hint_text_ must then be the text
  // of entries_[pos - 1].
  void SetHint(size_t pos) { hint_ = pos; }
  void SetHintText(std::string_view text) {
    if (hint_text_.size() < text.size()) hint_text_.resize(text.size());
    std::memcpy(hint_text_.data(), text.data(), text.size());
    hint_len_ = text.size();
  }
  Entry* Find(std::string_view raw);
  bool TextEquals(uint32_t i, std::string_view s);
  // Decodes the text of entries_[i] into *out.
  void Decode(size_t i, std::string* out) const;
  // Appends the coded text of a new last entry.
  void Encode(std::string_view raw, std::string_view previous, Entry* e);

  // The metadata entry of a family, created when missing. A target's
  // metadata lines come in the same order every scrape: the families asked
  // for in the last scrape are remembered in order, and one asked for again
  // at the same position is found without the lock or a hash. Reading the
  // entry needs no lock (only this thread writes it); writing does.
  MetricMetadata* MetadataOf(std::string_view family);
  void SetField(std::string_view family, std::string MetricMetadata::*field, std::string_view value);
  // Drops entries not seen for kEvictAfter scrapes, coding the texts again.
  void Evict();

  uint32_t iter_ = 0;
  uint32_t last_success_iter_ = 0;
  size_t live_ = 0;  // entries seen by the last successful scrape
  // Entries seen by the scrape in progress, and how many of them were live.
  size_t seen_ = 0, seen_live_ = 0;
  size_t hint_ = 0;         // entries_ position expected next
  // The text of entries_[hint_ - 1]: its first hint_len_ bytes.
  std::string hint_text_;
  size_t hint_len_ = 0;
  std::string decoded_;     // TextOf() and index comparisons
  std::string texts_;       // coded texts, in entries_ order
  std::vector<Entry> entries_;  // in first-seen order
  absl::flat_hash_set<uint32_t, IndexHash, IndexEq> index_;
  absl::flat_hash_set<std::string> dropped_;
  mutable std::mutex metadata_mu_;
  // Guarded by metadata_mu_, except reads by the scrape thread. Nodes, so
  // that metadata_order_ can point at them; entries are never erased.
  absl::node_hash_map<std::string, MetricMetadata> metadata_;
  struct MetadataSlot {
    const std::string* family;
    MetricMetadata* md;
  };
  static constexpr size_t kMaxMetadataOrder = 4096;  // slots remembered
  std::vector<MetadataSlot> metadata_order_;  // the last scrape's calls, in order
  size_t metadata_pos_ = 0;                   // the slot expected next
};

}  // namespace pharos::scrape
