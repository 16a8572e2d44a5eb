#include "app/storage_backend.h"

#include <limits>
#include <utility>

#include "common/metrics/registry.h"
#include "common/status_macros.h"
#include "disk/env.h"
#include "tsdb/db.h"

namespace pharos::app {
namespace {

metrics::FamilySnapshot Scalar(std::string name, std::string help, metrics::MetricType type, double v) {
  metrics::FamilySnapshot f{std::move(name), std::move(help), type, {}};
  metrics::MetricSnapshot m;
  m.value = v;
  f.metrics.push_back(std::move(m));
  return f;
}

// The TSDB of --storage.tsdb.path.
class TsdbBackend final : public StorageBackend {
 public:
  TsdbBackend(std::unique_ptr<tsdb::DB> db, metrics::Registry* registry) : db_(std::move(db)), registry_(registry) {
    collector_ = registry_->AddCollector([this](std::vector<metrics::FamilySnapshot>* out) { Collect(out); });
  }
  ~TsdbBackend() override { registry_->RemoveCollector(collector_); }

  storage::Appendable* appendable() override { return db_.get(); }
  storage::Queryable* queryable() override { return db_.get(); }
  absl::Status Health() override { return db_->Health(); }
  absl::Status WalHealth() override { return db_->Health(); }
  int64_t CorruptionCount() override { return static_cast<int64_t>(db_->Stats().wal_corruptions); }
  absl::Status CompactHead() override { return db_->CompactHead(); }
  void SetOutOfOrderWindow(int64_t window_ms) override { db_->SetOutOfOrderWindow(window_ms); }
  absl::Status Close() override { return db_->Close(); }

 private:
  void Collect(std::vector<metrics::FamilySnapshot>* out) const {
    using metrics::MetricType;
    tsdb::DBStats s = db_->Stats();
    auto gauge = [&](const char* n, const char* h, double v) { out->push_back(Scalar(n, h, MetricType::kGauge, v)); };
    auto counter = [&](const char* n, const char* h, double v) {
      out->push_back(Scalar(n, h, MetricType::kCounter, v));
    };
    gauge("pharos_tsdb_head_series", "Series in the head.", s.head.series);
    counter("pharos_tsdb_head_series_created_total", "Series created in the head.", s.head.series_created);
    counter("pharos_tsdb_head_series_removed_total", "Series removed from the head.", s.head.series_removed);
    counter("pharos_tsdb_head_samples_appended_total", "Samples committed to the head.", s.head.samples_appended);
    counter("pharos_tsdb_out_of_order_samples_appended_total",
            "Samples accepted within the out-of-order window.", s.head.out_of_order_samples_appended);
    gauge("pharos_tsdb_head_chunks", "Chunks in the head.", s.head.chunks);
    gauge("pharos_tsdb_head_min_time", "Oldest timestamp in the head (ms).", s.head.min_time);
    gauge("pharos_tsdb_head_max_time", "Newest timestamp in the head (ms).", s.head.max_time);
    counter("pharos_tsdb_head_commits_total", "Batches committed.", s.head.commits);
    counter("pharos_tsdb_head_commit_failures_total", "Batches refused because the WAL refused them.",
            s.head.commit_failures);
    {
      metrics::FamilySnapshot f{"pharos_tsdb_samples_rejected_total", "Samples refused, by reason.",
                                MetricType::kCounter, {}};
      std::pair<const char*, uint64_t> reasons[] = {{"duplicate", s.head.rejected_duplicate},
                                                    {"invalid_labels", s.head.rejected_invalid_labels},
                                                    {"out_of_bounds", s.head.rejected_out_of_bounds},
                                                    {"out_of_order", s.head.rejected_out_of_order},
                                                    {"too_old", s.head.rejected_too_old}};
      for (const auto& [r, v] : reasons) {
        metrics::MetricSnapshot m;
        m.labels = {{"reason", r}};
        m.value = static_cast<double>(v);
        f.metrics.push_back(std::move(m));
      }
      out->push_back(std::move(f));
    }
    {
      metrics::FamilySnapshot f{"pharos_tsdb_wal_fsync_duration_seconds", "Duration of WAL fsyncs.",
                                MetricType::kHistogram, {}};
      metrics::MetricSnapshot m;
      const auto& bounds = tsdb::wal::FsyncLatencyBounds();
      const auto& cum = s.wal.fsync_latency_cumulative;
      for (size_t i = 0; i < bounds.size(); ++i) m.buckets.emplace_back(bounds[i], i < cum.size() ? cum[i] : 0);
      uint64_t total = cum.empty() ? 0 : cum.back();
      m.buckets.emplace_back(std::numeric_limits<double>::infinity(), total);
      m.count = total;
      m.sum = s.wal.fsync_latency_sum_seconds;
      f.metrics.push_back(std::move(m));
      out->push_back(std::move(f));
    }
    counter("pharos_tsdb_wal_fsync_failures_total", "WAL fsyncs that failed.", s.wal.fsync_failures);
    counter("pharos_tsdb_wal_write_failures_total", "WAL writes that failed (e.g. disk full).",
            s.wal.write_failures);
    counter("pharos_tsdb_wal_records_written_total", "WAL records written.", s.wal.records_written);
    counter("pharos_tsdb_wal_bytes_written_total", "Bytes written to the WAL.", s.wal.bytes_written);
    counter("pharos_tsdb_wal_corruptions_total", "Corrupt WAL tails cut at startup.", s.wal_corruptions);
    counter("pharos_tsdb_checkpoints_total", "WAL checkpoints written.", s.wal.checkpoints);
    gauge("pharos_tsdb_wal_segment_current", "Number of the WAL segment being written.", s.wal.current_segment);
    gauge("pharos_tsdb_wal_storage_size_bytes", "Size of the WAL directory.", s.wal_bytes);
    counter("pharos_tsdb_head_compactions_total", "Blocks cut from the head.", s.head_compactions);
    counter("pharos_tsdb_compactions_total", "Block merges.", s.compactions);
    counter("pharos_tsdb_compactions_failed_total", "Head compactions or block merges that failed.",
            s.compactions_failed);
    gauge("pharos_tsdb_blocks_loaded", "Blocks open.", s.blocks_loaded);
    counter("pharos_tsdb_blocks_failed_to_load_total", "Blocks left out at startup because they were corrupt.",
            s.blocks_failed_to_load);
    counter("pharos_tsdb_retention_deletions_total", "Blocks deleted by retention.", s.retention_deletions);
    gauge("pharos_tsdb_storage_blocks_bytes", "Bytes of the open blocks.", s.block_bytes);
    gauge("pharos_tsdb_bytes_on_disk", "Bytes of blocks and WAL.", s.bytes_on_disk);
    gauge("pharos_tsdb_lowest_timestamp", "Oldest sample stored (ms).", s.min_time);
    gauge("pharos_tsdb_highest_timestamp", "Newest sample stored (ms).", s.max_time);
  }

  std::unique_ptr<tsdb::DB> db_;
  metrics::Registry* registry_;
  int collector_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<StorageBackend>> OpenStorage(const StorageOptions& options,
                                                            metrics::Registry* registry) {
  tsdb::DBOptions o;
  o.retention_ms = options.retention_ms;
  o.retention_bytes = static_cast<uint64_t>(options.retention_bytes);
  o.out_of_order_window_ms = options.out_of_order_window_ms;
  switch (options.fsync) {
    case FsyncPolicy::kBatch: o.wal_fsync = tsdb::FsyncPolicy(tsdb::FsyncPolicy::kBatch); break;
    case FsyncPolicy::kNever: o.wal_fsync = tsdb::FsyncPolicy(tsdb::FsyncPolicy::kNever); break;
    case FsyncPolicy::kInterval:
      o.wal_fsync = tsdb::FsyncPolicy::Interval(options.fsync_interval_ms > 0 ? options.fsync_interval_ms : 1000);
      break;
  }
  std::string dir = options.path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  ASSIGN_OR_RETURN(auto db, tsdb::DB::Open(disk::PosixEnv(), dir, o));
  return std::make_unique<TsdbBackend>(std::move(db), registry);
}

}  // namespace pharos::app
