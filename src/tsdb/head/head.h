// The head: the recent, in-memory part of the TSDB (docs/tsdb.md).
//
// Series are found by reference and by a hash of their labels in striped maps
// (appends on different series do not contend); each series keeps its
// samples in Gorilla XOR chunks of chunkenc::kSamplesPerChunk samples, plus
// a small sorted buffer of out-of-order samples when an out-of-order window
// is set. An inverted index maps name=value to sorted series references.
//
// Writes: an Appender collects a batch; Commit() writes it to the WAL first
// and applies it to the head only when the WAL accepted it, so a failed
// commit (e.g. a full disk) changes nothing. Samples refused by Append (out
// of order, duplicate timestamp with another value, out of bounds, too old)
// are dropped from the batch and counted; the rest commits.
//
// Reads: a Querier copies what it returns (closed chunks are shared
// immutably, the open chunk is copied) under the series lock, so it sees a
// consistent snapshot per series and never blocks appends for long.
//
// Thread-safety: all methods are thread-safe. Locks: stripe locks (hash
// stripe before ref stripe), then a series' mutex; the postings index has its
// own reader/writer lock, taken with no other lock held except a stripe lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "disk/env.h"
#include "storage/appender.h"
#include "storage/querier.h"
#include "tsdb/wal/wal.h"

namespace pharos::tsdb::head {

struct HeadOptions {
  // Samples older than the newest sample of their series are accepted when
  // they are at most this much older than the newest sample of the head
  // (0: refused as out of order, as Prometheus does by default).
  int64_t out_of_order_window_ms = 0;
};

struct HeadStats {
  uint64_t series = 0;               // live series
  uint64_t series_created = 0;
  uint64_t series_removed = 0;
  uint64_t samples_appended = 0;     // committed samples (out-of-order ones included)
  uint64_t out_of_order_samples_appended = 0;
  uint64_t rejected_out_of_order = 0;
  uint64_t rejected_out_of_bounds = 0;
  uint64_t rejected_too_old = 0;
  uint64_t rejected_duplicate = 0;
  uint64_t rejected_invalid_labels = 0;
  uint64_t commits = 0;
  uint64_t commit_failures = 0;      // commits refused because the WAL refused them
  uint64_t chunks = 0;
  int64_t min_time = 0;              // of the samples held; 0/0 when empty
  int64_t max_time = 0;
};

class Head : public storage::Appendable, public storage::Queryable {
 public:
  // `wal` may be null (no durability: tests, benchmarks); it must outlive the head.
  Head(wal::Wal* wal, HeadOptions options);
  // Sets the WAL commits go to (after ReplayWal, before any append).
  void SetWal(wal::Wal* wal) { wal_ = wal; }
  ~Head() override;
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  std::unique_ptr<storage::Appender> NewAppender() override;
  // A querier over [mint, maxt]; Select with no matchers returns every series.
  absl::StatusOr<std::unique_ptr<storage::Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // Loads the WAL in `dir` (repairing a corrupt tail, wal::Replay). Call
  // before any append. Samples below MinValidTime() are skipped.
  absl::Status ReplayWal(disk::Env* env, const std::string& dir, wal::ReplayStats* stats);

  // Samples older than this are refused as out of bounds (they belong to
  // blocks). Raised by Truncate; DB::Open sets it past the newest block.
  int64_t MinValidTime() const { return min_valid_time_.load(); }
  // Raises MinValidTime (never lowers it) and waits until commits that may
  // have checked against the old bound have been applied: afterwards no
  // sample below `t` can enter the head (a block of that range is complete).
  void SetMinValidTime(int64_t t);

  // The range of the samples held (from the truncation bound on);
  // MinTime() > MaxTime() when empty.
  int64_t MinTime() const;
  int64_t MaxTime() const { return max_time_.load(); }

  // Drops every chunk whose samples are all before `mint` and the
  // out-of-order samples before it, forgets series left empty, and raises
  // MinValidTime to `mint`.
  void Truncate(int64_t mint);
  // True when `ref` is a live series (the WAL checkpoint keeps those).
  bool IsLive(uint64_t ref) const;

  void SetOutOfOrderWindow(int64_t ms) { ooo_window_ms_.store(ms); }
  int64_t OutOfOrderWindow() const { return ooo_window_ms_.load(); }

  HeadStats Stats() const;

 private:
  friend class HeadAppender;
  friend class HeadQuerier;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  wal::Wal* wal_;
  std::atomic<int64_t> ooo_window_ms_;
  std::atomic<int64_t> min_valid_time_{INT64_MIN};
  std::atomic<int64_t> max_time_{INT64_MIN};
  // Truncate's bound: queries never return older samples (a chunk that
  // straddles it is kept whole in memory).
  std::atomic<int64_t> truncated_before_{INT64_MIN};
  // Held shared while a commit applies its batch, exclusively by
  // SetMinValidTime. apply_gate_ makes the writer win: it holds the gate
  // while waiting, and commits pass the gate before taking the shared lock.
  std::shared_mutex apply_mu_;
  std::mutex apply_gate_;
};

}  // namespace pharos::tsdb::head
