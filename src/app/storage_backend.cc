#include "app/storage_backend.h"

#include "common/metrics/registry.h"
#include "storage/memory_storage.h"

namespace pharos::app {
namespace {

// Interim in-memory store until the TSDB is wired in.
class MemoryBackend final : public StorageBackend {
 public:
  explicit MemoryBackend(metrics::Registry* registry) {
    registry->NewGaugeFunc("pharos_tsdb_head_series", "Number of series in the head block.",
                           [this] { return static_cast<double>(mem_.NumSeries()); });
    registry->NewCounterFunc("pharos_tsdb_head_samples_appended_total", "Samples appended to the head.",
                             [this] { return static_cast<double>(mem_.NumSamples()); });
  }
  storage::Appendable* appendable() override { return &mem_; }
  storage::Queryable* queryable() override { return &mem_; }
  absl::Status Health() override { return absl::OkStatus(); }
  absl::Status WalHealth() override { return absl::OkStatus(); }
  int64_t CorruptionCount() override { return 0; }
  absl::Status CompactHead() override { return absl::OkStatus(); }
  void SetOutOfOrderWindow(int64_t) override {}
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  storage::MemoryStorage mem_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<StorageBackend>> OpenStorage(const StorageOptions& options,
                                                            metrics::Registry* registry) {
  return std::make_unique<MemoryBackend>(registry);
}

}  // namespace pharos::app
