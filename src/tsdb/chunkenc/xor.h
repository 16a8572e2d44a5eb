// The Gorilla XOR chunk: the float sample encoding of the head and of blocks
// (docs/format/chunks.md has the bit layout).
//
// Timestamps are stored as delta-of-delta in 1 to 68 bits, values as the XOR
// with the previous value in 1 bit (unchanged) or a window of meaningful
// bits. A chunk of ~120 samples taken every 15 s costs ~1-2 bytes per sample.
// Values are kept bit-exact: every NaN payload, including the staleness
// marker (storage::StaleNaN()), comes back unchanged.
//
// Bytes: a 2-byte big-endian sample count, then the bit stream.
//
// Threading: XorChunk / XorAppender are used by one thread at a time. An
// XorIterator reads a view of the bytes that must stay valid and unchanged
// over its first NumSamples() samples for the iterator's life (appending
// after it was created is fine only if the bytes are not reallocated, so
// callers that append concurrently must copy or synchronise).
//
// Untrusted bytes (read from disk) are decoded with bounds checks: a corrupt
// chunk makes the iterator stop with Err() set (DataLoss), never read out of
// bounds, and never yield non-increasing timestamps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/iterator.h"

namespace pharos::tsdb::chunkenc {

// The encoding byte stored next to a chunk in chunk segment files.
enum class Encoding : uint8_t { kXor = 1, kColumn = 2 };  // kColumn: column.h, blocks only

// Samples per chunk at which the head and the block writer cut a new chunk.
inline constexpr int kSamplesPerChunk = 120;
// The format's hard limit (the count is 16 bits).
inline constexpr int kMaxSamplesPerChunk = 65535;
// Size of the sample-count header.
inline constexpr size_t kChunkHeaderSize = 2;

// The sample count stored in an encoded chunk's header (0 when too short).
inline uint16_t NumSamplesOf(std::string_view bytes) {
  if (bytes.size() < kChunkHeaderSize) return 0;
  return static_cast<uint16_t>((static_cast<uint8_t>(bytes[0]) << 8) | static_cast<uint8_t>(bytes[1]));
}

class XorChunk {
 public:
  XorChunk();
  // Adopts already encoded bytes (e.g. loaded from a file). Validity is
  // checked only when iterated; an appender on it replays the samples.
  explicit XorChunk(std::string bytes);

  std::string_view Bytes() const { return bytes_; }
  int NumSamples() const { return NumSamplesOf(bytes_); }
  size_t SizeBytes() const { return bytes_.size(); }

 private:
  friend class XorAppender;
  std::string bytes_;
};

// The encoder's state after the samples written so far (everything but the
// bytes): shared by XorAppender and XorOpenChunk.
struct XorEncoderState {
  int64_t t = 0;  // the last sample's timestamp and value bits
  uint64_t delta = 0;
  uint64_t v = 0;
  uint16_t n = 0;
  uint8_t free_bits = 0;  // unused low bits of the last byte
  uint8_t leading = 0xff;  // 0xff: no window yet
  uint8_t trailing = 0;
  uint8_t scale = 0;  // decimal scale of the last decimal delta
};

class XorAppender {
 public:
  // Appends to `chunk`, which must outlive the appender. When the chunk
  // already holds samples they are decoded once to restore the encoder's
  // state; if they are corrupt, status() is an error and Append refuses.
  explicit XorAppender(XorChunk* chunk);

  // Appends one sample. Refuses (returns false, changes nothing) when t is
  // not greater than the last timestamp, the chunk is full, or the appender
  // is in error.
  bool Append(int64_t t, double v);

  int NumSamples() const { return st_.n; }
  // The last appended sample's timestamp (valid when NumSamples() > 0).
  int64_t LastT() const { return st_.t; }
  const absl::Status& status() const { return status_; }

 private:
  XorChunk* chunk_;
  XorEncoderState st_;
  absl::Status status_;
};

// An open chunk with its encoder in 40 bytes, for holders of many chunks
// (the head keeps one per series): the bytes are one malloc'd buffer whose
// size class follows from their length (grown by small steps to sizes
// malloc hands out exactly), the sample count is read from the chunk
// header, and there is no error state (it always starts empty). Encodes
// exactly as XorAppender. Movable, not copyable.
class XorOpenChunk {
 public:
  XorOpenChunk() = default;
  ~XorOpenChunk() { Clear(); }
  XorOpenChunk(XorOpenChunk&& o) noexcept;
  XorOpenChunk& operator=(XorOpenChunk&& o) noexcept;
  XorOpenChunk(const XorOpenChunk&) = delete;
  XorOpenChunk& operator=(const XorOpenChunk&) = delete;

  // As XorAppender::Append (a chunk without samples takes any t).
  bool Append(int64_t t, double v);
  // The encoded chunk (header included; empty before the first sample).
  std::string_view Bytes() const { return {buf_, size_}; }
  int NumSamples() const { return NumSamplesOf(Bytes()); }
  // The newest sample appended since construction, kept by Clear() (so a
  // holder needs no copy of its own): INT64_MIN and 0 before any.
  int64_t LastT() const { return t_; }
  uint64_t LastBits() const { return v_; }
  // The first sample's timestamp, decoded from the bytes (NumSamples() > 0).
  int64_t FirstT() const;
  // Bytes allocated for the buffer.
  size_t Capacity() const;
  // Frees the bytes: back to a chunk without samples.
  void Clear();

 private:
  XorEncoderState State() const;
  void SetState(const XorEncoderState& st);

  char* buf_ = nullptr;
  int64_t t_ = INT64_MIN;
  uint64_t delta_ = 0;
  uint64_t v_ = 0;
  uint32_t size_ = 0;
  uint8_t free_bits_ = 0;
  uint8_t leading_ = 0xff;
  uint8_t trailing_ = 0;
  uint8_t scale_ = 0;
};

namespace internal {
// The chunk of `samples` (increasing timestamps) written one bit at a time:
// the reference the buffered encoder is tested against.
std::string EncodeBitByBitForTest(const std::vector<storage::Sample>& samples);
}  // namespace internal

// Iterates an encoded chunk. Reusable: Reset() points it at other bytes.
class XorIterator final : public storage::SampleIterator {
 public:
  XorIterator() = default;
  explicit XorIterator(std::string_view bytes) { Reset(bytes); }
  void Reset(std::string_view bytes);

  bool Next() override;
  bool Seek(int64_t t) override;
  storage::Sample At() const override { return storage::Sample{t_, V()}; }
  absl::Status Err() const override { return err_; }
  bool AppendUntil(int64_t maxt, std::vector<storage::Sample>* out) override;

  int NumSamples() const { return total_; }

 private:
  double V() const;
  bool Decode();  // decodes the next sample; false at the end or on error
  bool Corrupt(const char* what);
  bool ReadBits(int n, uint64_t* out);
  bool ReadBit(bool* b);
  bool ReadUvarint(uint64_t* out);
  void Refill();

  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t acc_ = 0;  // pending bits, most significant first
  int acc_bits_ = 0;
  int total_ = 0;
  int read_ = 0;
  int64_t t_ = 0;
  uint64_t delta_ = 0;
  uint64_t v_ = 0;
  uint8_t leading_ = 0xff;
  uint8_t trailing_ = 0;
  uint8_t scale_ = 0;  // decimal scale in effect
  bool done_ = false;
  absl::Status err_;
};

}  // namespace pharos::tsdb::chunkenc
