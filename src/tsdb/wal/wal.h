// The write-ahead log of the TSDB head (docs/format/wal.md).
//
// A directory of numbered segment files (00000000, 00000001, ...) of framed
// records (segment.h), and at most one checkpoint directory
// (checkpoint.NNNNNNNN) that replaces the segments up to NNNNNNNN after the
// head was persisted to a block.
//
// Writing: Log() appends a group of records as one unit: either all of them
// are in the segment or none (a failed write, e.g. ENOSPC, is cut off again
// before Log returns, so no garbage stays in front of later records). A group
// never spans two segments. With FsyncPolicy::kBatch, Log returns only after
// an fsync covered the group; concurrent callers share one fsync.
//
// Reading: Replay() feeds every valid record of the latest checkpoint and of
// the later segments to a callback. A torn or corrupt record ends the log:
// the segment is truncated at the last good record, later segments are
// removed, and the cut is logged and counted. Everything before survives.
//
// Thread-safety: Wal's methods are thread-safe. mu_ guards the current
// segment, sizes and sequence numbers; at most one fsync runs at a time
// (syncing_), outside mu_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "disk/env.h"
#include "tsdb/wal/fsync_policy.h"
#include "tsdb/wal/records.h"

namespace pharos::tsdb::wal {

struct WalOptions {
  FsyncPolicy fsync;
  uint64_t segment_bytes = 128ull << 20;  // a group larger than this gets a segment of its own
};

// Upper bounds (seconds) of the fsync latency histogram.
const std::vector<double>& FsyncLatencyBounds();

struct WalStats {
  uint64_t fsyncs = 0;
  uint64_t fsync_failures = 0;
  uint64_t write_failures = 0;   // Log() calls refused because a write failed
  uint64_t records_written = 0;
  uint64_t bytes_written = 0;
  // Cumulative counts per FsyncLatencyBounds() entry, then +Inf.
  std::vector<uint64_t> fsync_latency_cumulative;
  double fsync_latency_sum_seconds = 0;
  uint64_t checkpoints = 0;
  uint64_t checkpoint_failures = 0;
  uint64_t segments_removed = 0;
  int current_segment = 0;
};

struct ReplayStats {
  uint64_t records = 0;
  uint64_t corruptions = 0;     // cuts made (0 or 1 per replay)
  uint64_t bytes_cut = 0;       // bytes dropped from the corrupt segment
  uint64_t segments_removed = 0;  // whole segments dropped after a cut
  int checkpoint = -1;          // number of the checkpoint read, -1 when none
  int last_segment = -1;        // highest segment read, -1 when none
  std::string corruption;       // what was wrong and where, when corrupt
};

struct Record {
  RecordType type;
  std::string_view payload;
};

// Reads the WAL in `dir` (missing: empty log) and repairs a corrupt tail as
// described above. fn returns false for a payload it cannot decode, which
// counts as corruption at that record.
absl::Status Replay(disk::Env* env, const std::string& dir,
                    const std::function<bool(RecordType, std::string_view)>& fn, ReplayStats* stats);

class Wal {
 public:
  // Opens `dir` (created when missing) for writing into a new segment after
  // the last existing one. Call Replay() first: Open does not read old data.
  static absl::StatusOr<std::unique_ptr<Wal>> Open(disk::Env* env, const std::string& dir, WalOptions options);
  ~Wal();

  // Appends the records as one unit and makes them as durable as the fsync
  // policy says. On failure nothing of the group remains in the log and the
  // WAL stays usable: the next Log() tries again (e.g. once disk space is
  // back). Errors keep the Env's code (Unavailable for a full disk).
  //
  // wait_for_sync = false is for writers that acknowledge nothing (the
  // scraper): under the batch policy the call returns once the group is
  // written to the OS (so a kill -9 loses nothing) without waiting for an
  // fsync; the next acknowledged group's fsync, a segment roll or the
  // background sync (kDeferredSyncMs) takes it to the disk. Other policies
  // behave as with true.
  absl::Status Log(std::span<const Record> records, bool wait_for_sync = true);
  // Under the batch policy, groups logged without waiting reach the disk at
  // most this long after they were written (one fsync per period at most,
  // and none when nothing is pending).
  static constexpr int64_t kDeferredSyncMs = 1000;

  // Closes the current segment (after an fsync unless the policy is kNever)
  // and starts the next. Returns the number of the last closed segment, or
  // -1 when no segment holds data yet.
  absl::StatusOr<int> CutSegment();

  // Replaces the checkpoint and the segments up to `upto` (closed segments
  // only) by a new checkpoint holding the series for which keep(ref) is true
  // and their samples with t >= mint; then deletes those segments and older
  // checkpoints. A crash at any point leaves a readable log.
  absl::Status Checkpoint(int upto, const std::function<bool(uint64_t ref)>& keep, int64_t mint);

  // OK, or the last write/fsync error when the most recent attempt failed.
  absl::Status Health() const;
  WalStats Stats() const;
  // Bytes of all WAL files (segments and checkpoint).
  absl::StatusOr<uint64_t> SizeBytes() const;
  const std::string& dir() const { return dir_; }

  // Fsyncs (unless kNever) and closes; Log fails afterwards.
  absl::Status Close();

 private:
  Wal(disk::Env* env, std::string dir, WalOptions options);
  std::string SegmentPath(int n) const;
  absl::Status RollLocked(std::unique_lock<std::mutex>& l);
  // Cuts the current segment back to `size` and reopens it; on failure the
  // WAL is marked broken and the next Log retries.
  absl::Status RestoreLocked(uint64_t size);
  void SyncFailedLocked(const absl::Status& s);
  // With mu_ held (via l), no fsync running and a current file: fsyncs it
  // with mu_ released and records the result; returns with mu_ held.
  absl::Status SyncOutsideLock(std::unique_lock<std::mutex>& l);
  void ObserveFsync(double seconds, bool ok);
  void IntervalLoop();

  disk::Env* const env_;
  const std::string dir_;
  const WalOptions opts_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<disk::WritableFile> file_;  // current segment; null when broken
  int segment_ = 0;
  uint64_t size_ = 0;          // valid bytes in the current segment
  uint64_t synced_size_ = 0;   // bytes of the current segment known durable
  uint64_t written_seq_ = 0;   // groups written
  uint64_t synced_seq_ = 0;    // groups covered by an fsync
  uint64_t failed_seq_ = 0;    // groups up to here were discarded by a failed fsync
  absl::Status sync_error_;
  bool syncing_ = false;
  bool broken_ = false;        // the segment must be cut back to size_ before the next write
  bool closed_ = false;
  absl::Status health_;
  WalStats stats_;
  std::thread interval_thread_;  // kInterval, and kBatch for deferred groups
  int64_t sync_period_ms_ = 0;   // of interval_thread_
  bool stop_ = false;
  std::mutex checkpoint_mu_;   // one checkpoint at a time
};

}  // namespace pharos::tsdb::wal
