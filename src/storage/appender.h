// Write side of the storage: what scraping, remote write and recording rules
// depend on.
//
// An Appender collects one batch. Nothing of it is visible or durable until
// Commit() returns OK; Commit() is all-or-nothing and, once it returns OK, the
// batch is in the write-ahead log (as durable as the fsync policy says).
// Rollback() discards the batch. An Appender is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels.h"

namespace pharos::storage {

using SeriesRef = uint64_t;  // 0 means "unknown"

// Why a single sample was refused. Such samples are dropped from the batch
// (and counted); the rest of the batch still commits.
enum class AppendError {
  kNone,
  kOutOfOrder,        // older than the newest sample of its series
  kOutOfBounds,       // older than the head's lower bound (already in blocks)
  kTooOld,            // older than the out-of-order window allows
  kDuplicateSample,   // same timestamp as the last sample, different value
  kInvalidLabels,     // empty, unsorted, duplicate or invalid names
};

std::string_view AppendErrorName(AppendError e);

// The status carrying an AppendError (as a payload) and a readable message.
absl::Status MakeAppendError(AppendError e, std::string_view detail);
// The AppendError carried by `s`, or kNone.
AppendError GetAppendError(const absl::Status& s);

class Appender {
 public:
  virtual ~Appender() = default;

  // Adds one sample. `ref` is a hint from an earlier Append of the same
  // series (0 when unknown); when it is non-zero and still valid, `labels`
  // may be empty. Returns the series' ref, or an AppendError status for a
  // refused sample (the batch remains usable), or another error that
  // poisons the batch (Commit will fail).
  virtual absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, int64_t t,
                                           double v) = 0;
  virtual absl::Status Commit() = 0;
  virtual void Rollback() = 0;
  // Whether Commit waits until the batch is durable (on stores with a
  // write-ahead log and its batch fsync policy). Writers that acknowledge
  // the data to a client keep the default; the scraper, which acknowledges
  // nothing, turns it off: its batches are in the log (safe from a kill -9)
  // when Commit returns and reach the disk with the next fsync, within a
  // second. Stores without such a distinction ignore it.
  virtual void SetWaitForSync(bool wait) { (void)wait; }
};

class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

}  // namespace pharos::storage
