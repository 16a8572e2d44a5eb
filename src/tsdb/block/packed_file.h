// A whole small file stored zstd-compressed (docs/format/block.md, "index"):
// the block writer packs the index this way and Block::Open unpacks it into
// memory before parsing it.
//
//   packed := magic:u32 = 0x50485a31 ("PHZ1")  raw_len:uvarint  zstd bytes  crc:u32
//
// (the CRC-32C covers everything before it). Unpacking is bounded: the
// stated length is capped and must match what zstd produces.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace pharos::tsdb::block {

inline constexpr uint32_t kPackedMagic = 0x50485a31;  // "PHZ1"
// Largest unpacked file accepted.
inline constexpr uint64_t kMaxUnpackedBytes = uint64_t{1} << 34;

// True when `file` starts with the packed magic.
bool IsPacked(std::string_view file);
absl::StatusOr<std::string> Pack(std::string_view raw);
// DataLoss ("corrupt packed file: ... at offset N") when malformed.
absl::StatusOr<std::string> Unpack(std::string_view file);

}  // namespace pharos::tsdb::block
