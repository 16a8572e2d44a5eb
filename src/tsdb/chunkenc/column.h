// The columnar block chunk (encoding 2, docs/format/chunks.md): written only
// into blocks, where a whole series' samples are known up front. Timestamps
// and values are stored as two byte-aligned columns of varints, so that the
// zstd frames of the chunk segment files (tsdb/block/chunk_files.h) compress
// them well: timestamps as delta-of-delta, values as decimal mantissas at one
// per-chunk scale (delta or delta-of-delta coded), or, when some value is not
// a decimal, as the XOR with the previous value in its significant bytes.
// Values are kept bit-exact (NaN payloads and staleness markers included).
//
// Threading: EncodeColumnChunk is a pure function; a ColumnIterator is used
// by one thread at a time and copies what it decodes (the bytes need not
// outlive Reset()).
//
// Untrusted bytes are decoded with bounds checks: a corrupt chunk makes the
// iterator stop with Err() set (DataLoss), never read out of bounds, and
// never yield non-increasing timestamps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/iterator.h"

namespace pharos::tsdb::chunkenc {

// Most samples in one columnar chunk (the block writer cuts chunks there).
inline constexpr int kMaxColumnSamples = 16384;

// Value column modes (the byte after the timestamp column).
enum class ColumnValues : uint8_t { kDecimalDelta = 0, kDecimalDod = 1, kXor = 2 };

// Appends the encoding of `samples` (1..kMaxColumnSamples, strictly
// increasing timestamps) to `out`. InvalidArgument otherwise.
absl::Status EncodeColumnChunk(const std::vector<storage::Sample>& samples, std::string* out);

// Iterates an encoded columnar chunk. The chunk is decoded as a whole by
// Reset(); Next/Seek/AppendUntil then walk the decoded samples.
class ColumnIterator final : public storage::SampleIterator {
 public:
  ColumnIterator() = default;
  explicit ColumnIterator(std::string_view bytes) { Reset(bytes); }
  void Reset(std::string_view bytes);

  bool Next() override;
  bool Seek(int64_t t) override;
  storage::Sample At() const override { return samples_[pos_]; }
  absl::Status Err() const override { return err_; }
  bool AppendUntil(int64_t maxt, std::vector<storage::Sample>* out) override;

  // Samples decoded from the chunk (all of them, or none when corrupt).
  int NumSamples() const { return static_cast<int>(samples_.size()); }

 private:
  std::vector<storage::Sample> samples_;
  size_t pos_ = 0;
  bool started_ = false;
  absl::Status err_;
};

}  // namespace pharos::tsdb::chunkenc
