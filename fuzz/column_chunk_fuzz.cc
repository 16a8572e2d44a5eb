// Fuzzes the columnar block chunk decoder (tsdb/chunkenc/column.h) with
// untrusted bytes: it must never read out of bounds, must yield strictly
// increasing timestamps (all samples or none), whatever it decodes must
// survive re-encoding bit-exactly, and Next(), Seek() and AppendUntil() must
// agree. The bytes are also decoded as a chunk segment frame and as a packed
// index (tsdb/block/chunk_files.h, packed_file.h), which must fail cleanly.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/block/chunk_files.h"
#include "tsdb/block/packed_file.h"
#include "tsdb/chunkenc/coding.h"
#include "tsdb/chunkenc/column.h"

namespace {

using pharos::storage::Sample;
using pharos::tsdb::chunkenc::ColumnIterator;

bool Same(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || std::bit_cast<uint64_t>(a[i].v) != std::bit_cast<uint64_t>(b[i].v)) return false;
  }
  return true;
}

std::vector<Sample> Drain(std::string_view bytes) {
  ColumnIterator it(bytes);
  std::vector<Sample> got;
  while (it.Next()) got.push_back(it.At());
  if (!it.Err().ok() && !got.empty()) std::abort();  // all or nothing
  return got;
}

using pharos::tsdb::chunkenc::Crc32c;
using pharos::tsdb::chunkenc::PutBE32;

// Rewrites the CRC of the frame at the segment header's end, when its
// lengths are in bounds.
void FixFrameCrc(std::string* b) {
  size_t off = pharos::tsdb::block::kChunkFileHeaderSize;
  if (b->size() <= off) return;
  pharos::tsdb::chunkenc::Decoder dec(std::string_view(*b).substr(off));
  uint64_t raw_len;
  std::string_view z;
  if (!dec.GetUvarint(&raw_len) || !dec.GetLengthPrefixed(&z) || dec.remaining() < 4) return;
  std::string crc;
  PutBE32(&crc, Crc32c(z));
  b->replace(off + dec.pos(), 4, crc);
}

void DecodeFrameAndChunk(std::string_view in, size_t size) {
  std::string raw;
  size_t frame_len = 0;
  if (pharos::tsdb::block::DecodeFrame(in, pharos::tsdb::block::kChunkFileHeaderSize, &raw, &frame_len).ok()) {
    if (raw.size() > pharos::tsdb::block::kMaxFrameBytes || frame_len > size) std::abort();
    uint8_t enc;
    std::string_view chunk;
    if (pharos::tsdb::block::ChunkInFrame(raw, 0, &enc, &chunk).ok()) {
      if (chunk.size() > raw.size()) std::abort();
      Drain(chunk);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<Sample> got = Drain(bytes);
  for (size_t i = 1; i < got.size(); ++i) {
    if (got[i].t <= got[i - 1].t) std::abort();
  }
  if (!got.empty()) {
    // Seek to the middle, then AppendUntil in two halves, gives the tail.
    size_t mid = got.size() / 2;
    ColumnIterator it(bytes);
    if (!it.Seek(got[mid].t) || it.At().t != got[mid].t) std::abort();
    std::vector<Sample> tail;
    int64_t split = got[mid + (got.size() - mid) / 2].t;
    bool more = it.AppendUntil(split, &tail);
    if (more) it.AppendUntil(INT64_MAX, &tail);
    if (!Same(tail, std::vector<Sample>(got.begin() + static_cast<std::ptrdiff_t>(mid), got.end()))) std::abort();
    // Re-encoding round-trips bit for bit.
    std::string enc;
    if (!pharos::tsdb::chunkenc::EncodeColumnChunk(got, &enc).ok()) std::abort();
    if (!Same(Drain(enc), got)) std::abort();
  }
  // The frame and packed-file decoders fail cleanly on the same bytes, with
  // their checksums taken as given and recomputed (to reach zstd behind them).
  std::string fixed(bytes);
  FixFrameCrc(&fixed);
  for (std::string_view in : {bytes, std::string_view(fixed)}) DecodeFrameAndChunk(in, size);
  (void)pharos::tsdb::block::Unpack(bytes);
  if (size >= 8) {
    std::string packed(bytes);
    std::string crc;
    PutBE32(&crc, Crc32c(std::string_view(packed).substr(0, size - 4)));
    packed.replace(size - 4, 4, crc);
    auto raw = pharos::tsdb::block::Unpack(packed);
    if (raw.ok() && raw->size() > (size + 1) * 65536) std::abort();
  }
  return 0;
}
