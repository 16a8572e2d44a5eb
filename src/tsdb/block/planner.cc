#include "tsdb/block/planner.h"

#include <algorithm>

namespace pharos::tsdb::block {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::vector<std::string> BlocksBeyondRetention(const std::vector<const BlockMeta*>& sorted_by_mint,
                                               int64_t retention_ms, uint64_t retention_bytes,
                                               const std::vector<uint64_t>& block_bytes, uint64_t other_bytes) {
  const size_t n = sorted_by_mint.size();
  std::vector<char> drop(n, 0);
  if (n == 0) return {};
  if (retention_ms > 0) {
    int64_t newest = sorted_by_mint[0]->max_time;
    for (const BlockMeta* m : sorted_by_mint) newest = std::max(newest, m->max_time);
    int64_t cutoff;  // blocks ending before it are older than the retention
    if (!__builtin_sub_overflow(newest, retention_ms, &cutoff)) {
      for (size_t i = 0; i < n; ++i) {
        if (sorted_by_mint[i]->max_time < cutoff) drop[i] = 1;
      }
    }
  }
  if (retention_bytes > 0 && block_bytes.size() == n) {
    uint64_t total = other_bytes;
    for (size_t i = n; i-- > 0;) {
      total += block_bytes[i];
      if (total > retention_bytes) {
        for (size_t j = 0; j <= i; ++j) drop[j] = 1;
        break;
      }
    }
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    if (drop[i]) out.push_back(sorted_by_mint[i]->ulid);
  }
  return out;
}

std::vector<int64_t> CompactionRanges(int64_t block_range_ms, int64_t retention_ms, int steps) {
  std::vector<int64_t> out;
  int64_t r = block_range_ms;
  for (int i = 0; i < steps && r > 0; ++i) {
    if (i > 0 && retention_ms > 0 && r > retention_ms / 10) break;
    out.push_back(r);
    if (r > INT64_MAX / 3) break;
    r *= 3;
  }
  return out;
}

std::vector<std::string> PlanCompaction(const std::vector<const BlockMeta*>& sorted_by_mint,
                                        const std::vector<int64_t>& ranges) {
  const auto& b = sorted_by_mint;
  auto ulids = [&](size_t from, size_t to) {
    std::vector<std::string> out;
    for (size_t i = from; i < to; ++i) out.push_back(b[i]->ulid);
    return out;
  };
  // 1. Overlaps.
  for (size_t i = 0; i + 1 < b.size();) {
    int64_t group_max = b[i]->max_time;
    size_t j = i + 1;
    while (j < b.size() && b[j]->min_time <= group_max) {
      group_max = std::max(group_max, b[j]->max_time);
      ++j;
    }
    if (j - i > 1) return ulids(i, j);
    i = j;
  }
  // 2. Aligned windows, without the newest block.
  if (ranges.size() < 2 || b.size() < 3) return {};
  const size_t n = b.size() - 1;
  const int64_t high = b[n - 1]->min_time;
  for (size_t r = 1; r < ranges.size(); ++r) {
    const int64_t range = ranges[r];
    size_t i = 0;
    while (i < n) {
      int64_t start = FloorDiv(b[i]->min_time, range) * range;
      int64_t end = start + range - 1;  // inclusive
      if (b[i]->max_time > end) {  // larger than this window
        ++i;
        continue;
      }
      size_t j = i;
      while (j < n && b[j]->min_time >= start && b[j]->max_time <= end) ++j;
      if (j - i > 1) {
        int64_t mint = b[i]->min_time, maxt = b[j - 1]->max_time;
        if (maxt - mint + 1 == range || maxt < high) return ulids(i, j);
      }
      i = j;
    }
  }
  return {};
}

}  // namespace pharos::tsdb::block
