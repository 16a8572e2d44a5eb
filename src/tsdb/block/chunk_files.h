// Chunk segment files of a block: chunks/000001, 000002, ... each holding
// many chunks (docs/format/block.md). A chunk is addressed by a 64-bit ref:
// segment number (1-based) in the high 32 bits, byte offset in the low 32.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "disk/env.h"
#include "tsdb/chunkenc/xor.h"

namespace pharos::tsdb::block {

using ChunkRef = uint64_t;

inline constexpr uint32_t kChunkFileMagic = 0x50484b31;  // "PHK1"
inline constexpr size_t kChunkFileHeaderSize = 8;        // magic, version, 3 reserved bytes
inline constexpr uint64_t kDefaultSegmentBytes = 512ull << 20;

// Segment file name for a 1-based segment number: "000001".
std::string SegmentFileName(uint32_t seq);

// Writes chunks into consecutive segment files of `dir` (which must exist).
// Finish() syncs and closes them; nothing is durable before.
class ChunkWriter {
 public:
  ChunkWriter(disk::Env* env, std::string dir, uint64_t segment_bytes = kDefaultSegmentBytes)
      : env_(env), dir_(std::move(dir)), segment_bytes_(segment_bytes) {}
  absl::StatusOr<ChunkRef> Write(chunkenc::Encoding enc, std::string_view bytes);
  absl::Status Finish();
  uint64_t BytesWritten() const { return total_; }

 private:
  absl::Status Cut();

  disk::Env* env_;
  std::string dir_;
  uint64_t segment_bytes_;
  uint32_t seq_ = 0;
  std::unique_ptr<disk::WritableFile> file_;
  uint64_t total_ = 0;
  std::string buf_;
};

// Maps the segment files of a block's chunks/ directory. Thread-safe
// (read-only after Open).
class ChunkReader {
 public:
  static absl::StatusOr<std::unique_ptr<ChunkReader>> Open(disk::Env* env, const std::string& dir);
  // The encoded chunk at `ref` (a view into the mapping), after checking
  // bounds, encoding and CRC; DataLoss naming the file and offset otherwise.
  absl::StatusOr<std::string_view> Chunk(ChunkRef ref) const;
  size_t NumSegments() const { return files_.size(); }

 private:
  std::string dir_;
  std::vector<std::unique_ptr<disk::ReadOnlyFile>> files_;
};

}  // namespace pharos::tsdb::block
