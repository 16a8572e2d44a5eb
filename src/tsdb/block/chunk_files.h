// Chunk segment files of a block: chunks/000001, 000002, ... each holding
// many chunks (docs/format/block.md). Version 2 segments (written now) hold
// zstd-compressed frames of chunks; a chunk is addressed by a 64-bit ref:
// segment number (1-based) in the top 12 bits, the frame's byte offset in
// the next 32 and the chunk's offset inside the decompressed frame in the
// low 20. Version 1 segments (read only) hold bare chunks, addressed by
// segment number << 32 | byte offset.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
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
// Uncompressed bytes of chunks the writer gathers into one zstd frame.
inline constexpr size_t kFrameBytes = 128 << 10;
// Format limit of a decompressed frame (a chunk's offset in it has 20 bits).
inline constexpr size_t kMaxFrameBytes = 1 << 20;
// Decompressed frames kept for all ChunkReaders of the process together (in
// bytes; least recently used go). One budget for every block, so that memory
// stays bounded however many blocks there are, and large enough that the
// series a dashboard reads again (a few MiB of frames per 2h of 4,000
// series) are not decompressed on every query.
inline constexpr size_t kFrameCacheBytes = 32 << 20;

// Parses the frame starting at `off` of a version 2 segment's bytes `seg`
// and decompresses it into `raw`; `*frame_len` is its encoded length.
// DataLoss (without the file name) when it is truncated, its checksum does not
// match or it does not decompress to its stated size.
absl::Status DecodeFrame(std::string_view seg, uint64_t off, std::string* raw, size_t* frame_len);
// The chunk at `off` of a decompressed frame: its encoding byte and bytes.
absl::Status ChunkInFrame(std::string_view raw, uint64_t off, uint8_t* enc, std::string_view* bytes);

// Segment file name for a 1-based segment number: "000001".
std::string SegmentFileName(uint32_t seq);

// Writes chunks into consecutive version 2 segment files of `dir` (which
// must exist), kFrameBytes of chunks to a zstd frame. Finish() writes the
// last frame, syncs and closes the files; nothing is durable before.
class ChunkWriter {
 public:
  ChunkWriter(disk::Env* env, std::string dir, uint64_t segment_bytes = kDefaultSegmentBytes)
      : env_(env), dir_(std::move(dir)), segment_bytes_(segment_bytes) {}
  absl::StatusOr<ChunkRef> Write(chunkenc::Encoding enc, std::string_view bytes);
  absl::Status Finish();
  uint64_t BytesWritten() const { return total_; }

 private:
  absl::Status Cut();
  absl::Status FlushFrame();

  disk::Env* env_;
  std::string dir_;
  uint64_t segment_bytes_;
  uint32_t seq_ = 0;
  std::unique_ptr<disk::WritableFile> file_;
  uint64_t total_ = 0;
  std::string frame_;       // chunks of the frame being gathered
  uint64_t frame_off_ = 0;  // where that frame will start in the file
  std::string buf_;
};

// An encoded chunk: `bytes` stays valid while `hold` (the decompressed
// frame, or null for a view into the mapping) is kept.
struct ChunkData {
  chunkenc::Encoding encoding = chunkenc::Encoding::kXor;
  std::string_view bytes;
  std::shared_ptr<const std::string> hold;
};

// Maps the segment files of a block's chunks/ directory. Thread-safe:
// decompressed frames go to the process-wide cache (kFrameCacheBytes, under
// its mutex), keyed by the reader's id and the frame's position.
class ChunkReader {
 public:
  static absl::StatusOr<std::unique_ptr<ChunkReader>> Open(disk::Env* env, const std::string& dir);
  // The encoded chunk at `ref`, after checking bounds, encoding and CRC
  // (of the chunk in version 1 segments, of its frame in version 2);
  // DataLoss naming the file and offset otherwise.
  absl::StatusOr<ChunkData> Chunk(ChunkRef ref) const;
  size_t NumSegments() const { return files_.size(); }

 private:
  absl::StatusOr<std::shared_ptr<const std::string>> Frame(uint32_t seq, uint64_t off) const;

  std::string dir_;
  std::vector<std::unique_ptr<disk::ReadOnlyFile>> files_;
  std::vector<uint8_t> versions_;
  uint64_t id_ = 0;  // unique per reader in the process: frame cache keys
};

}  // namespace pharos::tsdb::block
