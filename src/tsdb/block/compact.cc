// CompactBlocks: merging blocks through the merge querier code.
#include <algorithm>

#include "common/status_macros.h"
#include "tsdb/block/block.h"
#include "tsdb/block/merge_querier.h"

namespace pharos::tsdb::block {

absl::StatusOr<std::string> CompactBlocks(disk::Env* env, const std::string& parent_dir,
                                          const std::vector<Block*>& blocks) {
  if (blocks.empty()) return std::string();
  int64_t mint = blocks[0]->meta().min_time, maxt = blocks[0]->meta().max_time;
  int level = 0;
  std::vector<std::string> sources;
  std::vector<std::unique_ptr<storage::Querier>> queriers;
  std::vector<std::unique_ptr<storage::SeriesSet>> sets;
  for (Block* b : blocks) {
    const BlockMeta& m = b->meta();
    mint = std::min(mint, m.min_time);
    maxt = std::max(maxt, m.max_time);
    level = std::max(level, m.level);
    sources.insert(sources.end(), m.sources.begin(), m.sources.end());
    ASSIGN_OR_RETURN(auto q, b->NewQuerier(m.min_time, m.max_time));
    sets.push_back(q->Select(true, nullptr, {}));  // a block querier selects all series for no matchers
    queriers.push_back(std::move(q));
  }
  auto merged = NewMergeSeriesSet(std::move(sets));
  return WriteBlock(env, parent_dir, merged.get(), mint, maxt, level + 1, std::move(sources));
}

}  // namespace pharos::tsdb::block
