#include "tsdb/db.h"

#include <malloc.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "tsdb/block/block.h"
#include "tsdb/block/merge_querier.h"
#include "tsdb/block/planner.h"

namespace pharos::tsdb {
namespace {

constexpr std::string_view kComponent = "tsdb";

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

DB::DB(disk::Env* env, std::string dir, DBOptions options) : env_(env), dir_(std::move(dir)), opts_(options) {}

absl::StatusOr<std::unique_ptr<DB>> DB::Open(disk::Env* env, const std::string& dir, DBOptions options) {
  if (options.block_range_ms <= 0) return absl::InvalidArgumentError("block range must be positive");
  std::unique_ptr<DB> db(new DB(env, dir, options));
  RETURN_IF_ERROR(env->CreateDirs(dir));
  ASSIGN_OR_RETURN(db->lock_, env->LockFile(dir + "/lock"));
  RETURN_IF_ERROR(block::RemoveTmpBlockDirs(env, dir));

  ASSIGN_OR_RETURN(auto names, block::ListBlockDirs(env, dir));
  int64_t blocks_max = INT64_MIN;
  for (const auto& n : names) {
    auto b = block::Block::Open(env, dir + "/" + n);
    if (!b.ok()) {
      ++db->counters_.blocks_failed_to_load;
      log::Error(kComponent, "cannot open block; it is left out", {{"block", n}, {"error", b.status()}});
      continue;
    }
    blocks_max = std::max(blocks_max, (*b)->meta().max_time);
    db->blocks_.push_back(std::move(*b));
  }
  std::sort(db->blocks_.begin(), db->blocks_.end(),
            [](const auto& a, const auto& b) { return a->meta().min_time < b->meta().min_time; });

  db->head_ = std::make_unique<head::Head>(nullptr, head::HeadOptions{options.out_of_order_window_ms});
  if (blocks_max != INT64_MIN) db->head_->SetMinValidTime(blocks_max + 1);
  const std::string wal_dir = dir + "/wal";
  wal::ReplayStats rs;
  RETURN_IF_ERROR(db->head_->ReplayWal(env, wal_dir, &rs));
  db->counters_.wal_corruptions = rs.corruptions;
  log::Info(kComponent, "WAL replayed",
            {{"records", rs.records}, {"series", db->head_->Stats().series}, {"corruptions", rs.corruptions},
             {"blocks", db->blocks_.size()}});
  ASSIGN_OR_RETURN(db->wal_, wal::Wal::Open(env, wal_dir, wal::WalOptions{options.wal_fsync, options.wal_segment_bytes}));
  db->head_->SetWal(db->wal_.get());
  if (options.maintenance_interval_ms > 0) db->bg_ = std::thread([p = db.get()] { p->BackgroundLoop(); });
  return db;
}

DB::~DB() { (void)Close(); }

absl::Status DB::Close() {
  {
    std::lock_guard<std::mutex> l(bg_mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_.joinable()) bg_.join();
  std::lock_guard<std::mutex> m(maintenance_mu_);
  absl::Status s = wal_ ? wal_->Close() : absl::OkStatus();
  lock_.reset();
  return s;
}

void DB::BackgroundLoop() {
  std::unique_lock<std::mutex> l(bg_mu_);
  while (!stop_) {
    bg_cv_.wait_for(l, std::chrono::milliseconds(opts_.maintenance_interval_ms), [&] { return stop_; });
    if (stop_) break;
    l.unlock();
    absl::Status s = Maintain();
    if (!s.ok()) log::Error(kComponent, "background compaction failed", {{"error", s}});
    // Hands free heap pages back to the kernel: series creation and
    // compaction leave holes in the heap that malloc keeps otherwise.
    malloc_trim(0);
    l.lock();
  }
}

std::unique_ptr<storage::Appender> DB::NewAppender() { return head_->NewAppender(); }

std::vector<std::shared_ptr<block::Block>> DB::BlocksSnapshot() const {
  std::shared_lock l(blocks_mu_);
  return blocks_;
}

absl::StatusOr<std::unique_ptr<storage::Querier>> DB::NewQuerier(int64_t mint, int64_t maxt) {
  std::vector<std::unique_ptr<storage::Querier>> qs;
  ASSIGN_OR_RETURN(auto hq, head_->NewQuerier(mint, maxt));
  qs.push_back(std::move(hq));
  for (const auto& b : BlocksSnapshot()) {
    if (b->meta().max_time < mint || b->meta().min_time > maxt) continue;
    ASSIGN_OR_RETURN(auto bq, b->NewQuerier(mint, maxt));
    qs.push_back(std::move(bq));
  }
  if (qs.size() == 1) return std::move(qs[0]);
  return NewMergeQuerier(std::move(qs));
}

absl::Status DB::PersistHeadRange(int64_t mint, int64_t maxt) {
  // No sample of [mint, maxt] may enter the head once it is being written.
  head_->SetMinValidTime(maxt + 1);
  ASSIGN_OR_RETURN(auto q, head_->NewQuerier(mint, maxt));
  auto set = q->Select(true, nullptr, {});
  auto ulid = block::WriteBlock(env_, dir_, set.get(), mint, maxt);
  if (!ulid.ok()) {
    std::lock_guard<std::mutex> l(stats_mu_);
    ++counters_.compactions_failed;
    return ulid.status();
  }
  if (ulid->empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto b, block::Block::Open(env_, dir_ + "/" + *ulid));
  log::Info(kComponent, "head persisted to a block",
            {{"block", *ulid}, {"mint", mint}, {"maxt", maxt}, {"series", b->meta().stats.num_series}});
  {
    std::unique_lock l(blocks_mu_);
    blocks_.push_back(std::move(b));
    std::sort(blocks_.begin(), blocks_.end(),
              [](const auto& a, const auto& b) { return a->meta().min_time < b->meta().min_time; });
  }
  std::lock_guard<std::mutex> l(stats_mu_);
  ++counters_.head_compactions;
  return absl::OkStatus();
}

absl::Status DB::TruncateHeadAndWal(int64_t mint) {
  head_->Truncate(mint);
  ASSIGN_OR_RETURN(int last, wal_->CutSegment());
  if (last < 0) return absl::OkStatus();
  return wal_->Checkpoint(last, [h = head_.get()](uint64_t ref) { return h->IsLive(ref); }, mint);
}

absl::Status DB::CompactHeadIfDue() {
  const int64_t range = opts_.block_range_ms;
  for (;;) {
    int64_t mint = head_->MinTime(), maxt = head_->MaxTime();
    if (mint > maxt || maxt - mint <= range + range / 2) return absl::OkStatus();
    int64_t start = FloorDiv(mint, range) * range;
    int64_t end = start + range - 1;
    RETURN_IF_ERROR(PersistHeadRange(start, end));
    RETURN_IF_ERROR(TruncateHeadAndWal(end + 1));
  }
}

absl::Status DB::CompactHead() {
  std::lock_guard<std::mutex> m(maintenance_mu_);
  const int64_t range = opts_.block_range_ms;
  int64_t mint = head_->MinTime(), maxt = head_->MaxTime();
  if (mint > maxt) return absl::OkStatus();
  for (int64_t start = FloorDiv(mint, range) * range; start <= maxt; start += range) {
    int64_t end = std::min(start + range - 1, maxt);
    RETURN_IF_ERROR(PersistHeadRange(start, end));
  }
  return TruncateHeadAndWal(maxt + 1);
}

absl::Status DB::CompactBlocks() {
  auto ranges = block::CompactionRanges(opts_.block_range_ms, opts_.retention_ms);
  for (int round = 0; round < 100; ++round) {
    auto blocks = BlocksSnapshot();
    std::vector<const block::BlockMeta*> metas;
    for (const auto& b : blocks) metas.push_back(&b->meta());
    std::vector<std::string> plan = block::PlanCompaction(metas, ranges);
    if (plan.empty()) return absl::OkStatus();
    std::vector<block::Block*> inputs;
    for (const auto& id : plan) {
      for (const auto& b : blocks) {
        if (b->meta().ulid == id) inputs.push_back(b.get());
      }
    }
    auto ulid = block::CompactBlocks(env_, dir_, inputs);
    absl::StatusOr<std::unique_ptr<block::Block>> nb = ulid.ok() && !ulid->empty()
                                                           ? block::Block::Open(env_, dir_ + "/" + *ulid)
                                                           : absl::StatusOr<std::unique_ptr<block::Block>>(nullptr);
    if (!ulid.ok() || !nb.ok()) {
      absl::Status s = !ulid.ok() ? ulid.status() : nb.status();
      std::lock_guard<std::mutex> l(stats_mu_);
      ++counters_.compactions_failed;
      return s;
    }
    {
      std::unique_lock l(blocks_mu_);
      std::erase_if(blocks_, [&](const auto& b) {
        return std::find(plan.begin(), plan.end(), b->meta().ulid) != plan.end();
      });
      if (*nb) blocks_.push_back(std::move(*nb));
      std::sort(blocks_.begin(), blocks_.end(),
                [](const auto& a, const auto& b) { return a->meta().min_time < b->meta().min_time; });
    }
    // Queriers still reading the old blocks keep their data alive.
    for (const auto& id : plan) RETURN_IF_ERROR(block::DeleteBlockDir(env_, dir_, id));
    log::Info(kComponent, "blocks compacted", {{"inputs", plan.size()}, {"block", *ulid}});
    std::lock_guard<std::mutex> l(stats_mu_);
    ++counters_.compactions;
  }
  return absl::OkStatus();
}

absl::Status DB::ApplyRetention() {
  if (opts_.retention_ms <= 0 && opts_.retention_bytes == 0) return absl::OkStatus();
  auto blocks = BlocksSnapshot();
  std::vector<const block::BlockMeta*> metas;
  std::vector<uint64_t> sizes;
  for (const auto& b : blocks) {
    metas.push_back(&b->meta());
    sizes.push_back(b->SizeBytes());
  }
  ASSIGN_OR_RETURN(uint64_t wal_bytes, wal_->SizeBytes());
  auto drop = block::BlocksBeyondRetention(metas, opts_.retention_ms, opts_.retention_bytes, sizes, wal_bytes);
  if (drop.empty()) return absl::OkStatus();
  {
    std::unique_lock l(blocks_mu_);
    std::erase_if(blocks_, [&](const auto& b) { return std::find(drop.begin(), drop.end(), b->meta().ulid) != drop.end(); });
  }
  for (const auto& id : drop) {
    RETURN_IF_ERROR(block::DeleteBlockDir(env_, dir_, id));
    log::Info(kComponent, "block deleted by retention", {{"block", id}});
    std::lock_guard<std::mutex> l(stats_mu_);
    ++counters_.retention_deletions;
  }
  return absl::OkStatus();
}

absl::Status DB::Maintain() {
  std::lock_guard<std::mutex> m(maintenance_mu_);
  {
    std::lock_guard<std::mutex> l(bg_mu_);
    if (closed_) return absl::FailedPreconditionError("DB is closed");
  }
  absl::Status s = CompactHeadIfDue();
  if (s.ok()) s = CompactBlocks();
  absl::Status r = ApplyRetention();
  return s.ok() ? r : s;
}

void DB::SetOutOfOrderWindow(int64_t ms) { head_->SetOutOfOrderWindow(ms); }

absl::Status DB::Health() const { return wal_->Health(); }

DBStats DB::Stats() const {
  DBStats s;
  {
    std::lock_guard<std::mutex> l(stats_mu_);
    s = counters_;
  }
  s.head = head_->Stats();
  s.wal = wal_->Stats();
  auto wb = wal_->SizeBytes();
  s.wal_bytes = wb.ok() ? *wb : 0;
  int64_t mint = INT64_MAX, maxt = INT64_MIN;
  for (const auto& b : BlocksSnapshot()) {
    ++s.blocks_loaded;
    s.block_bytes += b->SizeBytes();
    mint = std::min(mint, b->meta().min_time);
    maxt = std::max(maxt, b->meta().max_time);
  }
  if (head_->MinTime() <= head_->MaxTime()) {
    mint = std::min(mint, head_->MinTime());
    maxt = std::max(maxt, head_->MaxTime());
  }
  if (mint <= maxt) {
    s.min_time = mint;
    s.max_time = maxt;
  }
  s.bytes_on_disk = s.block_bytes + s.wal_bytes;
  return s;
}

}  // namespace pharos::tsdb
