#include "tsdb/block/packed_file.h"

#include <zstd.h>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "tsdb/chunkenc/coding.h"

namespace pharos::tsdb::block {
namespace {
constexpr int kLevel = 19;
}  // namespace

bool IsPacked(std::string_view file) { return file.size() >= 4 && chunkenc::ReadBE32(file.data()) == kPackedMagic; }

absl::StatusOr<std::string> Pack(std::string_view raw) {
  std::string out;
  chunkenc::PutBE32(&out, kPackedMagic);
  chunkenc::PutUvarint(&out, raw.size());
  size_t head = out.size();
  out.resize(head + ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compress(out.data() + head, out.size() - head, raw.data(), raw.size(), kLevel);
  if (ZSTD_isError(n)) return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(n)));
  out.resize(head + n);
  chunkenc::PutBE32(&out, chunkenc::Crc32c(out));
  return out;
}

absl::StatusOr<std::string> Unpack(std::string_view file) {
  auto corrupt = [](std::string_view what, size_t offset) {
    return absl::DataLossError(absl::StrCat("corrupt packed file: ", AV(what), " at offset ", offset));
  };
  if (file.size() < 8 || !IsPacked(file)) return corrupt("bad magic", 0);
  std::string_view body = file.substr(0, file.size() - 4);
  if (chunkenc::Crc32c(body) != chunkenc::ReadBE32(file.data() + body.size())) return corrupt("checksum mismatch", body.size());
  chunkenc::Decoder dec(body.substr(4));
  uint64_t raw_len;
  if (!dec.GetUvarint(&raw_len)) return corrupt("truncated length", 4);
  std::string_view z = body.substr(4 + dec.pos());
  // zstd expands at most ~43690:1 (RLE blocks); a larger claim is a lie,
  // refused before allocating.
  unsigned long long content = ZSTD_getFrameContentSize(z.data(), z.size());
  if (raw_len > kMaxUnpackedBytes || raw_len > (z.size() + 1) * 65536 || content != raw_len) {
    return corrupt("bad length", 4);
  }
  std::string raw(raw_len, '\0');
  size_t got = ZSTD_decompress(raw.data(), raw.size(), z.data(), z.size());
  if (ZSTD_isError(got) || got != raw_len) return corrupt("does not decompress", 4 + dec.pos());
  return raw;
}

}  // namespace pharos::tsdb::block
