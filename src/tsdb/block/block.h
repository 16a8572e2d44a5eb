// Immutable on-disk blocks (docs/format/block.md): a directory <ulid>/ with
// chunks/000001.., an `index` and meta.json, covering [minTime, maxTime]
// (inclusive, milliseconds).
//
// Writing is crash-safe: a block is written under <ulid>.tmp, every file and
// the directories are fsynced, and the directory is renamed into place, so
// a crash leaves either no block or a whole one (plus a .tmp directory that
// RemoveTmpBlockDirs deletes at startup and that ListBlockDirs never lists).
//
// Threading: Block is immutable after Open and thread-safe. Its queriers
// (one thread each) share the block's mappings and keep them alive, so a
// Block may be destroyed (and its directory deleted) while queriers of it
// are still in use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "disk/env.h"
#include "storage/querier.h"
#include "tsdb/block/meta.h"

namespace pharos::tsdb::block {

// Writes the samples with mint <= t <= maxt of `sorted_series` (ordered by
// Labels::Compare, unique; InvalidArgument otherwise) as a new block in
// `parent_dir`, with meta minTime=mint, maxTime=maxt. Returns the new ulid,
// or "" when there were no samples (then no directory is left behind).
// `sources` defaults to the new block's own ulid. Each series is stored as
// columnar chunks of 120 samples (chunkenc/column.h) in zstd frames. On
// error nothing is left behind.
absl::StatusOr<std::string> WriteBlock(disk::Env* env, const std::string& parent_dir,
                                       storage::SeriesSet* sorted_series, int64_t mint, int64_t maxt,
                                       int level = 1, std::vector<std::string> sources = {});

class Block final : public storage::Queryable {
 public:
  // Opens the block in `dir`: reads meta.json, maps and validates the index
  // (checksums, bounds) and maps the chunk segments. A corrupt block is a
  // DataLoss error naming the file and the offset.
  static absl::StatusOr<std::unique_ptr<Block>> Open(disk::Env* env, const std::string& dir);
  ~Block() override;

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  // Bytes of all files of the block (measured at Open).
  uint64_t SizeBytes() const { return size_bytes_; }

  // A querier over [mint, maxt] (inclusive). Series are always returned
  // sorted; samples outside the range are not returned. Chunks are read
  // (and checksummed) lazily through the mapping when iterated; a corrupt
  // chunk is the iterator's Err(). Unlike the general contract, an empty
  // matcher list selects every series (compaction uses that).
  absl::StatusOr<std::unique_ptr<storage::Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  struct Data;  // shared with queriers

 private:
  Block() = default;
  std::string dir_;
  BlockMeta meta_;
  uint64_t size_bytes_ = 0;
  std::shared_ptr<const Data> data_;
};

// Merges `blocks` (overlapping ones too: samples merged by timestamp, equal
// timestamps deduplicated, the block listed first winning) into one new block
// in `parent_dir` covering [min minTime, max maxTime], with level max+1 and
// the sorted union of the sources. Returns its ulid, or "" when the blocks
// held no samples. The input blocks are not touched.
absl::StatusOr<std::string> CompactBlocks(disk::Env* env, const std::string& parent_dir,
                                          const std::vector<Block*>& blocks);

// Deletes every <name>.tmp directory in `parent_dir` (left by a crash while
// writing a block, or by an interrupted deletion).
absl::Status RemoveTmpBlockDirs(disk::Env* env, const std::string& parent_dir);

// Names (ulids) of the complete block directories of `parent_dir`, sorted:
// entries that are ulids and hold a meta.json. .tmp directories are never listed.
absl::StatusOr<std::vector<std::string>> ListBlockDirs(disk::Env* env, const std::string& parent_dir);

// Deletes a block directory crash-safely: renames it to <ulid>.tmp first
// (so a crash never leaves a half-deleted block that looks complete), then
// removes it.
absl::Status DeleteBlockDir(disk::Env* env, const std::string& parent_dir, const std::string& ulid);

}  // namespace pharos::tsdb::block
