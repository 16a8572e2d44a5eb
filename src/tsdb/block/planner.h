// Planning of retention and compaction over block metas. Pure functions:
// the DB lists its blocks, asks what to delete or merge, and does it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tsdb/block/meta.h"

namespace pharos::tsdb::block {

// Which whole blocks to delete (ulids, oldest first). `sorted_by_mint` are
// the blocks ordered by minTime; `block_bytes[i]` is the size of block i
// (required when retention_bytes is set; must then have the same length).
//  - by time (retention_ms > 0): blocks whose maxTime is more than
//    retention_ms older than the newest maxTime;
//  - by size (retention_bytes > 0): walking from the newest block back,
//    once `other_bytes` (e.g. head and WAL) plus the blocks so far exceed
//    retention_bytes, that block and every older one.
std::vector<std::string> BlocksBeyondRetention(const std::vector<const BlockMeta*>& sorted_by_mint,
                                               int64_t retention_ms /*0=off*/, uint64_t retention_bytes /*0=off*/,
                                               const std::vector<uint64_t>& block_bytes = {},
                                               uint64_t other_bytes = 0);

// The block ranges compaction builds: block_range_ms, then x3 per step
// (2h, 6h, 18h, 54h, ...) for `steps` ranges, dropping those longer than 10%
// of the retention (when retention_ms > 0); the first range is always kept.
std::vector<int64_t> CompactionRanges(int64_t block_range_ms, int64_t retention_ms, int steps = 10);

// Blocks (ulids, by minTime) to merge next, or empty when nothing is due.
//  1. Overlapping blocks first: the first group of blocks whose time ranges
//     overlap one another.
//  2. Otherwise, leaving out the newest block (just cut from the head), for
//     each range R of ranges[1..]: blocks that fall in the same aligned
//     window [k*R, (k+1)*R) form a group; the first group of two or more
//     blocks that spans the whole window, or that ends before the newest
//     remaining block starts, is picked.
std::vector<std::string> PlanCompaction(const std::vector<const BlockMeta*>& sorted_by_mint,
                                        const std::vector<int64_t>& ranges);

}  // namespace pharos::tsdb::block
