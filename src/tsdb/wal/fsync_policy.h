// When the WAL reaches the disk (--storage.wal.fsync).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace pharos::tsdb::wal {

struct FsyncPolicy {
  enum Mode {
    kBatch,     // every commit is fsynced before it is acknowledged; concurrent
                // commits share one fsync (group commit)
    kInterval,  // a background thread fsyncs every interval_ms; a crash loses at
                // most that much (a kill -9 loses nothing: data is in the OS)
    kNever,     // the OS decides
  };
  Mode mode = kBatch;
  int64_t interval_ms = 0;  // kInterval only, > 0

  FsyncPolicy() = default;
  FsyncPolicy(Mode m) : mode(m), interval_ms(m == kInterval ? 1000 : 0) {}  // NOLINT: implicit on purpose
  static FsyncPolicy Interval(int64_t ms) {
    FsyncPolicy p(kInterval);
    p.interval_ms = ms;
    return p;
  }
  friend bool operator==(const FsyncPolicy&, const FsyncPolicy&) = default;
};

// "batch", "never", or a positive Prometheus-style duration ("1s", "500ms",
// "1m") for kInterval. Anything else is InvalidArgument naming the value.
absl::StatusOr<FsyncPolicy> ParseFsyncPolicy(std::string_view s);
// The inverse: "batch", "never" or the interval as a duration ("1s").
std::string FormatFsyncPolicy(const FsyncPolicy& p);

}  // namespace pharos::tsdb::wal
