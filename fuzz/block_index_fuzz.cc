// Fuzzes the block index decoder: IndexReader::Open on untrusted bytes, then
// every postings list and every series they reference. It must never read
// out of bounds or crash; whatever decodes must be consistent (postings
// strictly increasing, series labels sorted, chunk metas ordered).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/block/index.h"
#include "tsdb/chunkenc/coding.h"

using namespace pharos;
using namespace pharos::tsdb;

namespace {

void PutCrc(std::string& b, size_t at, std::string_view over) {
  std::string crc;
  chunkenc::PutBE32(&crc, chunkenc::Crc32c(over));
  b.replace(at, 4, crc);
}

// Recomputes the checksums where the table of contents allows, so that the
// fuzzer reaches the decoders behind them.
void FixChecksums(std::string& b) {
  if (b.size() < block::kIndexHeaderSize + block::kIndexTocSize) return;
  size_t toc = b.size() - block::kIndexTocSize;
  for (int i = 0; i < block::kIndexSections; ++i) {
    uint64_t off = chunkenc::ReadBE64(b.data() + toc + i * 16);
    uint64_t len = chunkenc::ReadBE64(b.data() + toc + i * 16 + 8);
    if (off <= toc && len <= toc - off && toc - off - len >= 4) PutCrc(b, off + len, std::string_view(b).substr(off, len));
  }
  PutCrc(b, b.size() - 4, std::string_view(b).substr(toc, block::kIndexTocSize - 4));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte chooses whether checksums are taken as given (odd) or
  // recomputed (even).
  if (size == 0) return 0;
  std::string owned(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) FixChecksums(owned);
  std::string_view bytes(owned);
  size = owned.size();
  auto r = block::IndexReader::Open(bytes, "fuzz/index");
  if (!r.ok()) return 0;
  const block::IndexReader& ix = **r;
  Labels ls;
  std::vector<block::ChunkMeta> chunks;
  size_t budget = 10000;  // bound the work per input
  auto check_series = [&](SeriesRef ref) {
    if (!ix.Series(ref, &ls, &chunks).ok()) return;
    for (size_t i = 1; i < ls.size(); ++i) {
      if (!(ls[i - 1].name < ls[i].name)) std::abort();
    }
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (chunks[i].max_time < chunks[i].min_time) std::abort();
      if (i > 0 && chunks[i].min_time <= chunks[i - 1].max_time) std::abort();
    }
  };
  std::vector<std::string_view> names = ix.LabelNames();
  names.insert(names.begin(), "");
  for (auto name : names) {
    std::vector<std::string_view> values = name.empty() ? std::vector<std::string_view>{""} : ix.LabelValues(name);
    for (size_t i = 1; i < values.size(); ++i) {
      if (!(values[i - 1] < values[i])) std::abort();
    }
    for (auto v : values) {
      auto p = ix.PostingsFor(name, v);
      bool first = true;
      SeriesRef prev = 0;
      while (p->Next() && budget > 0) {
        --budget;
        if (!first && p->At() <= prev) std::abort();
        first = false;
        prev = p->At();
        check_series(prev);
      }
    }
  }
  // Arbitrary refs are refused or decoded, never out of bounds.
  for (SeriesRef ref : {SeriesRef{0}, SeriesRef{1}, SeriesRef{size}, ~SeriesRef{0}}) check_series(ref);
  return 0;
}
