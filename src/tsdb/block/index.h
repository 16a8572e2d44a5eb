// The index file of a block (docs/format/block.md): symbols, series (label
// symbol refs and chunk metas), postings lists, a postings table by label
// name and value, and a table of contents; every section has a CRC-32C.
//
// IndexReader validates the whole file once when opened (checksums, bounds,
// symbol order) and decodes series and postings on demand with bounds
// checks, so a corrupt file is an error naming the file and the offset,
// never a crash. It is read-only after Open and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "tsdb/block/chunk_files.h"
#include "tsdb/index/postings.h"

namespace pharos::tsdb::block {

inline constexpr uint32_t kIndexMagic = 0x50484931;  // "PHI1"
inline constexpr size_t kIndexHeaderSize = 8;
inline constexpr int kIndexSections = 4;  // symbols, series, postings, postings table
inline constexpr size_t kIndexTocSize = kIndexSections * 16 + 4;

struct ChunkMeta {
  int64_t min_time = 0;
  int64_t max_time = 0;
  ChunkRef ref = 0;
  friend bool operator==(const ChunkMeta&, const ChunkMeta&) = default;
};

struct IndexSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;  // sorted by time, not overlapping
};

// Encodes a whole index. `series` must be sorted by Labels::Compare and
// unique (checked: InvalidArgument otherwise).
absl::StatusOr<std::string> BuildIndex(const std::vector<IndexSeries>& series);

class IndexReader {
 public:
  // `name` is used in error messages (the file's path).
  static absl::StatusOr<std::unique_ptr<IndexReader>> Open(std::string_view data, std::string name);

  // The series at `ref` (a reference from a postings list).
  absl::Status Series(SeriesRef ref, Labels* labels, std::vector<ChunkMeta>* chunks) const;
  // Postings of name=value (empty when absent). Name "" value "" lists all series.
  std::unique_ptr<Postings> PostingsFor(std::string_view name, std::string_view value) const;
  std::unique_ptr<Postings> AllPostings() const { return PostingsFor("", ""); }
  // Sorted label names (without the all-postings key).
  std::vector<std::string_view> LabelNames() const;
  // Sorted values of `name`.
  std::vector<std::string_view> LabelValues(std::string_view name) const;
  size_t NumSymbols() const { return symbols_.size(); }

 private:
  struct ValueEntry {
    std::string_view value;
    uint64_t offset;  // into the postings section
  };
  struct NameEntry {
    std::string_view name;
    std::vector<ValueEntry> values;
  };

  absl::Status Corrupt(std::string_view what, uint64_t offset) const;
  absl::Status ParseSymbols();
  absl::Status ParsePostingsTable();
  const NameEntry* FindName(std::string_view name) const;

  std::string name_;
  std::string_view data_;
  std::string_view sections_[kIndexSections];
  uint64_t offsets_[kIndexSections] = {};
  std::vector<std::string_view> symbols_;
  std::vector<NameEntry> names_;  // sorted by name
};

}  // namespace pharos::tsdb::block
