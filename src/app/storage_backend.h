// StorageBackend: the store the server ingests into and queries, behind the
// storage interfaces, plus what the server needs around it (health, its
// metrics, compaction on request, closing). The TSDB in --storage.tsdb.path
// is the one implementation the binary uses.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "app/flags.h"
#include "storage/appender.h"
#include "storage/querier.h"

namespace pharos::metrics {
class Registry;
}

namespace pharos::app {

struct StorageOptions {
  std::string path = "data/";
  int64_t retention_ms = 0;
  int64_t retention_bytes = 0;
  FsyncPolicy fsync = FsyncPolicy::kBatch;
  int64_t fsync_interval_ms = 0;
  int64_t out_of_order_window_ms = 0;
};

class StorageBackend {
 public:
  virtual ~StorageBackend() = default;
  virtual storage::Appendable* appendable() = 0;
  virtual storage::Queryable* queryable() = 0;
  // OK while the store can take writes; the last write error otherwise.
  virtual absl::Status Health() = 0;
  virtual absl::Status WalHealth() = 0;
  virtual int64_t CorruptionCount() = 0;
  // Persists the head now (POST /api/v1/admin/tsdb/compact).
  virtual absl::Status CompactHead() = 0;
  virtual void SetOutOfOrderWindow(int64_t window_ms) = 0;
  virtual absl::Status Close() = 0;
};

// Opens (creating when missing) the store and registers its metrics
// (pharos_tsdb_*) in `registry`, which must outlive it.
absl::StatusOr<std::unique_ptr<StorageBackend>> OpenStorage(const StorageOptions& options,
                                                            metrics::Registry* registry);

}  // namespace pharos::app
