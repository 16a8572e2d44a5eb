#include "tsdb/wal/fsync_policy.h"

#include "absl/strings/str_cat.h"
#include "common/duration.h"
#include "common/strings.h"

namespace pharos::tsdb::wal {

absl::StatusOr<FsyncPolicy> ParseFsyncPolicy(std::string_view s) {
  if (s == "batch") return FsyncPolicy(FsyncPolicy::kBatch);
  if (s == "never") return FsyncPolicy(FsyncPolicy::kNever);
  auto d = ParseDurationMs(s);
  if (!d.ok() || *d <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "WAL fsync policy: want \"batch\", \"never\" or a positive duration such as \"1s\", got \"", AV(s), "\""));
  }
  return FsyncPolicy::Interval(*d);
}

std::string FormatFsyncPolicy(const FsyncPolicy& p) {
  switch (p.mode) {
    case FsyncPolicy::kBatch: return "batch";
    case FsyncPolicy::kNever: return "never";
    case FsyncPolicy::kInterval: return FormatDurationMs(p.interval_ms);
  }
  return "batch";
}

}  // namespace pharos::tsdb::wal
