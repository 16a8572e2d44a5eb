// DB: the metrics store (docs/tsdb.md). One directory:
//
//   <dir>/lock            exclusive lock of the directory (flock)
//   <dir>/wal/            write-ahead log of the head (docs/format/wal.md)
//   <dir>/<ulid>/         immutable blocks (docs/format/block.md)
//
// Appends go to the WAL, then to the in-memory head. A background thread
// persists the head's oldest block_range_ms to a block once the head spans
// more than 1.5 block ranges, then drops that part from the head and the
// WAL; it merges blocks as the compaction planner says and deletes whole
// blocks beyond the retention (time and size). Queries merge head and blocks.
//
// Thread-safety: every method is thread-safe. blocks_mu_ guards the block
// list; maintenance_mu_ serialises head compaction, block compaction and
// retention.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "disk/env.h"
#include "storage/appender.h"
#include "storage/querier.h"
#include "tsdb/head/head.h"
#include "tsdb/wal/fsync_policy.h"
#include "tsdb/wal/wal.h"

namespace pharos::tsdb {

namespace block {
class Block;
}

using wal::FsyncPolicy;
using wal::ParseFsyncPolicy;

struct DBOptions {
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;  // 0: no time limit
  uint64_t retention_bytes = 0;                    // 0: no size limit (blocks + WAL)
  int64_t block_range_ms = 2LL * 3600 * 1000;
  FsyncPolicy wal_fsync = FsyncPolicy::kBatch;
  int64_t out_of_order_window_ms = 0;
  uint64_t wal_segment_bytes = 128ull << 20;
  // How often the background thread compacts and applies retention;
  // 0: no thread (tests call Maintain()).
  int64_t maintenance_interval_ms = 60 * 1000;
};

struct DBStats {
  head::HeadStats head;  // series, samples appended, rejections by reason, ...
  // WAL: fsync count and latency histogram (bounds: wal::FsyncLatencyBounds(),
  // cumulative counts with +Inf last), write failures, checkpoints.
  wal::WalStats wal;
  uint64_t wal_corruptions = 0;   // corrupt tails cut at startup
  uint64_t wal_bytes = 0;         // size of the WAL directory
  uint64_t head_compactions = 0;  // blocks cut from the head
  uint64_t compactions = 0;       // block merges
  uint64_t compactions_failed = 0;  // head compactions or merges that failed
  uint64_t blocks_loaded = 0;       // blocks currently open
  uint64_t blocks_failed_to_load = 0;
  uint64_t retention_deletions = 0;  // blocks deleted by retention
  uint64_t block_bytes = 0;          // bytes of the open blocks
  uint64_t bytes_on_disk = 0;        // blocks + WAL
  int64_t min_time = 0;              // oldest sample (blocks and head); 0 when empty
  int64_t max_time = 0;
};

class DB final : public storage::Appendable, public storage::Queryable {
 public:
  // Opens (creating) `dir`: takes the lock, removes leftovers of interrupted
  // block writes, opens the blocks (a corrupt block is logged, counted and
  // left out), replays the WAL into the head (a corrupt tail is cut and
  // counted) and starts the background thread.
  static absl::StatusOr<std::unique_ptr<DB>> Open(disk::Env* env, const std::string& dir, DBOptions options);
  ~DB() override;

  std::unique_ptr<storage::Appender> NewAppender() override;
  // Head and blocks merged; on equal timestamps the head's sample wins.
  absl::StatusOr<std::unique_ptr<storage::Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // Persists the whole head to blocks now (one per block range it covers),
  // then empties the head and truncates the WAL. Samples older than the
  // newest persisted one are refused (out of bounds) afterwards.
  absl::Status CompactHead();
  // One round of what the background thread does: head compaction when
  // due, block merges as planned, retention.
  absl::Status Maintain();

  void SetOutOfOrderWindow(int64_t ms);
  // OK while the WAL takes writes; its last error otherwise.
  absl::Status Health() const;
  DBStats Stats() const;
  const std::string& dir() const { return dir_; }

  // Stops the background thread, syncs and closes the WAL, releases the
  // lock. Appending afterwards fails. Idempotent.
  absl::Status Close();

 private:
  DB(disk::Env* env, std::string dir, DBOptions options);
  // Writes [mint, maxt] of the head as a block and opens it (no-op when empty).
  absl::Status PersistHeadRange(int64_t mint, int64_t maxt);
  absl::Status TruncateHeadAndWal(int64_t mint);
  absl::Status CompactHeadIfDue();
  absl::Status CompactBlocks();
  absl::Status ApplyRetention();
  std::vector<std::shared_ptr<block::Block>> BlocksSnapshot() const;
  void BackgroundLoop();

  disk::Env* const env_;
  const std::string dir_;
  const DBOptions opts_;
  std::unique_ptr<disk::FileLock> lock_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<head::Head> head_;

  mutable std::shared_mutex blocks_mu_;
  std::vector<std::shared_ptr<block::Block>> blocks_;  // by min time; guarded by blocks_mu_

  std::mutex maintenance_mu_;
  mutable std::mutex stats_mu_;
  DBStats counters_;  // the DB's own counters; guarded by stats_mu_

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stop_ = false;  // guarded by bg_mu_
  bool closed_ = false;  // guarded by bg_mu_
  std::thread bg_;
};

}  // namespace pharos::tsdb
