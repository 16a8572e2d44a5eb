// BlockMeta: the content of a block's meta.json (docs/format/block.md), and
// ULIDs, the names of block directories.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace pharos::tsdb::block {

struct BlockStats {
  uint64_t num_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  friend bool operator==(const BlockStats&, const BlockStats&) = default;
};

struct BlockMeta {
  std::string ulid;
  int64_t min_time = 0;  // inclusive, milliseconds
  int64_t max_time = 0;  // inclusive, milliseconds
  BlockStats stats;
  int level = 1;                     // 1 for blocks cut from the head, max+1 after compaction
  std::vector<std::string> sources;  // ulids of the level-1 blocks merged into this one, sorted
  int version = 1;
  friend bool operator==(const BlockMeta&, const BlockMeta&) = default;
};

std::string EncodeMetaJson(const BlockMeta& m);
// Parses meta.json; errors (InvalidArgument / DataLoss) say what is wrong
// and, when it is malformed JSON, at which byte.
absl::StatusOr<BlockMeta> ParseMetaJson(std::string_view json);

// A new ULID (26 Crockford base32 characters: 48-bit milliseconds then 80
// random bits). ULIDs made by one process are strictly increasing.
std::string NewUlid();
// True for 26 characters of Crockford's base32 alphabet.
bool IsUlid(std::string_view s);

}  // namespace pharos::tsdb::block
