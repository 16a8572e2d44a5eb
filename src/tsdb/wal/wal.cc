#include "tsdb/wal/wal.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "tsdb/wal/segment.h"

namespace pharos::tsdb::wal {
namespace {

constexpr std::string_view kComponent = "wal";

std::string Join(const std::string& dir, std::string_view name) { return absl::StrCat(dir, "/", AV(name)); }

absl::Status Annotate(const absl::Status& s, std::string_view what) {
  return absl::Status(s.code(), absl::StrCat(AV(what), ": ", s.message()));
}

struct Listing {
  std::vector<int> segments;  // sorted
  int checkpoint = -1;        // latest
  std::vector<std::string> old_checkpoints;
  std::vector<std::string> tmp;  // leftovers of interrupted checkpoints
};

absl::StatusOr<Listing> List(disk::Env* env, const std::string& dir) {
  Listing l;
  ASSIGN_OR_RETURN(auto names, env->ListDir(dir));
  std::vector<int> cps;
  for (const auto& n : names) {
    if (auto s = ParseSegmentName(n)) {
      l.segments.push_back(*s);
    } else if (auto c = ParseCheckpointName(n)) {
      cps.push_back(*c);
    } else if (n.starts_with("checkpoint.") && n.ends_with(".tmp")) {
      l.tmp.push_back(n);
    }
  }
  std::sort(l.segments.begin(), l.segments.end());
  std::sort(cps.begin(), cps.end());
  if (!cps.empty()) {
    l.checkpoint = cps.back();
    for (size_t i = 0; i + 1 < cps.size(); ++i) l.old_checkpoints.push_back(CheckpointName(cps[i]));
  }
  return l;
}

// Reads one checkpoint directory's segments in order; stops at corruption.
absl::Status ReadCheckpoint(disk::Env* env, const std::string& cpdir,
                            const std::function<bool(uint8_t, std::string_view)>& fn, ScanResult* bad,
                            std::string* bad_file) {
  ASSIGN_OR_RETURN(auto names, env->ListDir(cpdir));
  for (const auto& n : names) {
    if (!ParseSegmentName(n)) continue;
    std::string path = Join(cpdir, n);
    ASSIGN_OR_RETURN(auto f, env->OpenReadOnly(path));
    ScanResult r = ScanRecords(f->Data(), fn);
    if (r.corrupt) {
      *bad = r;
      *bad_file = path;
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<double>& FsyncLatencyBounds() {
  static const std::vector<double> b = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                        0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
  return b;
}

absl::Status Replay(disk::Env* env, const std::string& dir,
                    const std::function<bool(RecordType, std::string_view)>& fn, ReplayStats* stats) {
  *stats = ReplayStats{};
  if (!env->Exists(dir)) return absl::OkStatus();
  ASSIGN_OR_RETURN(Listing l, List(env, dir));
  auto cb = [&](uint8_t type, std::string_view payload) {
    ++stats->records;
    return fn(static_cast<RecordType>(type), payload);
  };

  if (l.checkpoint >= 0) {
    stats->checkpoint = l.checkpoint;
    ScanResult bad;
    std::string bad_file;
    RETURN_IF_ERROR(ReadCheckpoint(env, Join(dir, CheckpointName(l.checkpoint)), cb, &bad, &bad_file));
    if (bad.corrupt) {
      // A checkpoint is synced before it is renamed into place, so this is
      // damage on disk. What was read stays; the segments after it are still
      // read (they do not depend on the lost part beyond series records).
      ++stats->corruptions;
      stats->corruption = absl::StrCat(bad_file, ": ", bad.reason);
      log::Error(kComponent, "corrupt WAL checkpoint; the rest of it is ignored",
                 {{"file", bad_file}, {"reason", bad.reason}});
    }
  }

  int expect = -1;
  for (size_t i = 0; i < l.segments.size(); ++i) {
    int n = l.segments[i];
    if (n <= l.checkpoint) continue;  // left over from an interrupted truncation
    std::string path = Join(dir, SegmentName(n));
    ScanResult r;
    std::string reason;
    if (expect >= 0 && n != expect) {
      r.corrupt = true;
      reason = absl::StrCat("segment ", SegmentName(expect), " is missing");
    } else {
      ASSIGN_OR_RETURN(auto f, env->OpenReadOnly(path));
      r = ScanRecords(f->Data(), cb);
      reason = r.reason;
      stats->last_segment = n;
      if (r.corrupt) {
        uint64_t size = f->Data().size();
        f.reset();
        stats->bytes_cut = size - r.good_bytes;
        RETURN_IF_ERROR(env->Truncate(path, r.good_bytes));
        ++i;  // this segment is kept (cut); later ones go
      }
    }
    expect = n + 1;
    if (!r.corrupt) continue;
    ++stats->corruptions;
    stats->corruption = absl::StrCat(path, ": ", reason);
    for (size_t j = i; j < l.segments.size(); ++j) {
      RETURN_IF_ERROR(env->RemoveFile(Join(dir, SegmentName(l.segments[j]))));
      ++stats->segments_removed;
    }
    RETURN_IF_ERROR(env->SyncDir(dir));
    log::Error(kComponent, "corrupt WAL tail cut at the last good record",
               {{"segment", path}, {"reason", reason}, {"bytes_cut", stats->bytes_cut},
                {"segments_removed", stats->segments_removed}});
    break;
  }
  return absl::OkStatus();
}

Wal::Wal(disk::Env* env, std::string dir, WalOptions options)
    : env_(env), dir_(std::move(dir)), opts_(options) {
  stats_.fsync_latency_cumulative.assign(FsyncLatencyBounds().size() + 1, 0);
}

std::string Wal::SegmentPath(int n) const { return Join(dir_, SegmentName(n)); }

absl::StatusOr<std::unique_ptr<Wal>> Wal::Open(disk::Env* env, const std::string& dir, WalOptions options) {
  if (options.fsync.mode == FsyncPolicy::kInterval && options.fsync.interval_ms <= 0) {
    return absl::InvalidArgumentError("WAL fsync interval must be positive");
  }
  RETURN_IF_ERROR(env->CreateDirs(dir));
  ASSIGN_OR_RETURN(Listing l, List(env, dir));
  for (const auto& t : l.tmp) RETURN_IF_ERROR(env->RemoveAll(Join(dir, t)));
  std::unique_ptr<Wal> w(new Wal(env, dir, options));
  int next = 0;
  if (!l.segments.empty()) next = l.segments.back() + 1;
  if (l.checkpoint >= next) next = l.checkpoint + 1;
  w->segment_ = next;
  ASSIGN_OR_RETURN(auto f, env->NewWritableFile(w->SegmentPath(next)));
  w->file_ = std::move(f);
  RETURN_IF_ERROR(env->SyncDir(dir));
  w->stats_.current_segment = next;
  if (options.fsync.mode != FsyncPolicy::kNever) {
    w->sync_period_ms_ = options.fsync.mode == FsyncPolicy::kInterval ? options.fsync.interval_ms : kDeferredSyncMs;
    w->interval_thread_ = std::thread([p = w.get()] { p->IntervalLoop(); });
  }
  return w;
}

Wal::~Wal() { (void)Close(); }

void Wal::ObserveFsync(double seconds, bool ok) {
  // Called with mu_ held.
  if (!ok) {
    ++stats_.fsync_failures;
    return;
  }
  ++stats_.fsyncs;
  stats_.fsync_latency_sum_seconds += seconds;
  const auto& b = FsyncLatencyBounds();
  for (size_t i = 0; i < b.size(); ++i) {
    if (seconds <= b[i]) ++stats_.fsync_latency_cumulative[i];
  }
  ++stats_.fsync_latency_cumulative.back();
}

absl::Status Wal::SyncOutsideLock(std::unique_lock<std::mutex>& l) {
  syncing_ = true;
  const uint64_t target = written_seq_;
  const uint64_t target_size = size_;
  std::shared_ptr<disk::WritableFile> f = file_;
  l.unlock();
  auto t0 = std::chrono::steady_clock::now();
  absl::Status s = f->Sync();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  l.lock();
  syncing_ = false;
  ObserveFsync(secs, s.ok());
  if (s.ok()) {
    synced_seq_ = std::max(synced_seq_, target);
    synced_size_ = std::max(synced_size_, target_size);
  }
  return s;
}

absl::Status Wal::RestoreLocked(uint64_t size) {
  if (file_) (void)file_->Close();
  file_.reset();
  std::string path = SegmentPath(segment_);
  absl::Status s;
  if (env_->Exists(path)) {
    s = env_->Truncate(path, size);
  } else {
    auto f = env_->NewWritableFile(path);
    s = f.status();
    if (s.ok()) s = env_->SyncDir(dir_);
  }
  if (s.ok()) {
    auto f = env_->NewAppendableFile(path);
    if (f.ok()) {
      file_ = std::move(*f);
      size_ = size;
      synced_size_ = std::min(synced_size_, size);
      broken_ = false;
      return absl::OkStatus();
    }
    s = f.status();
  }
  broken_ = true;
  size_ = size;
  synced_size_ = std::min(synced_size_, size);
  log::Error(kComponent, "cannot restore the WAL segment; retrying on the next write",
             {{"segment", path}, {"error", s}});
  return s;
}

void Wal::SyncFailedLocked(const absl::Status& s) {
  // Whatever was not durable is given up: the groups waiting for this fsync
  // fail, and the segment is cut back to its last durable size so that a
  // later success never makes a failed commit durable.
  sync_error_ = Annotate(s, "WAL fsync failed, commit not stored");
  failed_seq_ = written_seq_;
  health_ = sync_error_;
  log::Error(kComponent, "WAL fsync failed", {{"segment", SegmentPath(segment_)}, {"error", s}});
  (void)RestoreLocked(synced_size_);
}

absl::Status Wal::RollLocked(std::unique_lock<std::mutex>& l) {
  cv_.wait(l, [&] { return !syncing_; });
  if (file_ && opts_.fsync.mode != FsyncPolicy::kNever && written_seq_ > synced_seq_) {
    auto t0 = std::chrono::steady_clock::now();
    absl::Status s = file_->Sync();
    ObserveFsync(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), s.ok());
    if (!s.ok()) {
      SyncFailedLocked(s);
      cv_.notify_all();
      return sync_error_;
    }
    synced_seq_ = written_seq_;
    cv_.notify_all();
  }
  if (file_) (void)file_->Close();
  file_.reset();
  ++segment_;
  stats_.current_segment = segment_;
  size_ = 0;
  synced_size_ = 0;
  // A group that follows is only durable once the new file's directory
  // entry is; a failure leaves the WAL broken and the next Log retries.
  auto f = env_->NewWritableFile(SegmentPath(segment_));
  absl::Status s = f.status();
  if (s.ok()) {
    file_ = std::move(*f);
    s = env_->SyncDir(dir_);
  }
  if (!s.ok()) {
    file_.reset();
    broken_ = true;
    return Annotate(s, "starting a new WAL segment");
  }
  return absl::OkStatus();
}

absl::Status Wal::Log(std::span<const Record> records, bool wait_for_sync) {
  std::string buf;
  size_t need = 0;
  for (const auto& r : records) need += kRecordHeaderBytes + r.payload.size();
  buf.reserve(need);
  for (const auto& r : records) {
    if (r.payload.size() > kMaxRecordBytes) {
      return absl::InvalidArgumentError(absl::StrCat("WAL record of ", r.payload.size(), " bytes exceeds the limit"));
    }
    AppendFrame(static_cast<uint8_t>(r.type), r.payload, &buf);
  }

  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return absl::FailedPreconditionError("WAL is closed");
  if (broken_) {
    cv_.wait(l, [&] { return !syncing_; });
    if (broken_) {
      absl::Status s = RestoreLocked(size_);
      if (!s.ok()) {
        ++stats_.write_failures;
        health_ = Annotate(s, "WAL unusable, commit not stored");
        return health_;
      }
    }
  }
  if (size_ > 0 && size_ + buf.size() > opts_.segment_bytes) {
    absl::Status s = RollLocked(l);
    if (!s.ok()) {
      ++stats_.write_failures;
      health_ = s;
      return s;
    }
  }
  const uint64_t start = size_;
  absl::Status s = file_->Append(buf);
  if (s.ok()) s = file_->Flush();
  if (!s.ok()) {
    ++stats_.write_failures;
    health_ = Annotate(s, "WAL write failed, commit not stored");
    // Cut the partial group off so later groups never follow garbage.
    (void)RestoreLocked(start);
    return health_;
  }
  size_ += buf.size();
  stats_.bytes_written += buf.size();
  stats_.records_written += records.size();
  const uint64_t seq = ++written_seq_;
  if (opts_.fsync.mode != FsyncPolicy::kBatch || !wait_for_sync) {
    health_ = absl::OkStatus();
    return absl::OkStatus();
  }
  // Group commit: one caller fsyncs for everyone written so far; the others wait.
  while (synced_seq_ < seq) {
    if (failed_seq_ >= seq) return sync_error_;
    if (syncing_) {
      cv_.wait(l);
      continue;
    }
    if (!file_) {
      // A restore after a failure of an earlier group failed too.
      failed_seq_ = written_seq_;
      sync_error_ = absl::UnavailableError("WAL segment unavailable, commit not stored");
      return sync_error_;
    }
    absl::Status ss = SyncOutsideLock(l);
    if (!ss.ok()) SyncFailedLocked(ss);
    cv_.notify_all();
  }
  health_ = absl::OkStatus();
  return absl::OkStatus();
}

void Wal::IntervalLoop() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    cv_.wait_for(l, std::chrono::milliseconds(sync_period_ms_), [&] { return stop_; });
    if (stop_) return;
    if (syncing_ || !file_ || synced_seq_ >= written_seq_) continue;
    absl::Status s = SyncOutsideLock(l);
    if (!s.ok() && opts_.fsync.mode == FsyncPolicy::kBatch) {
      // As for a batch's own fsync: what was not durable is given up, so
      // that a later success never covers it.
      SyncFailedLocked(s);
    } else if (!s.ok()) {
      health_ = Annotate(s, "WAL fsync failed");
      log::Error(kComponent, "periodic WAL fsync failed", {{"error", s}});
    }
    cv_.notify_all();
  }
}

absl::StatusOr<int> Wal::CutSegment() {
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return absl::FailedPreconditionError("WAL is closed");
  if (size_ == 0) return segment_ - 1;
  int closed = segment_;
  RETURN_IF_ERROR(RollLocked(l));
  return closed;
}

absl::Status Wal::Checkpoint(int upto, const std::function<bool(uint64_t)>& keep, int64_t mint) {
  std::lock_guard<std::mutex> cl(checkpoint_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (upto >= segment_) return absl::InvalidArgumentError("checkpoint of the open WAL segment");
  }
  auto fail = [&](absl::Status s) {
    std::lock_guard<std::mutex> l(mu_);
    ++stats_.checkpoint_failures;
    log::Error(kComponent, "WAL checkpoint failed", {{"upto", upto}, {"error", s}});
    return s;
  };
  auto listing = List(env_, dir_);
  if (!listing.ok()) return fail(listing.status());
  if (listing->checkpoint >= upto) return absl::OkStatus();

  const std::string final_dir = Join(dir_, CheckpointName(upto));
  const std::string tmp_dir = final_dir + ".tmp";
  absl::Status s = env_->RemoveAll(tmp_dir);
  if (s.ok()) s = env_->CreateDirs(tmp_dir);
  if (!s.ok()) return fail(s);

  // Filter the old checkpoint and the segments into the new checkpoint,
  // streaming: memory stays bounded by the buffer, not by the WAL's size.
  std::unique_ptr<disk::WritableFile> file;
  int file_no = -1;
  uint64_t file_size = 0;
  std::string out;
  absl::Status write_err;
  auto flush = [&]() {
    if (write_err.ok() && !out.empty()) write_err = file->Append(out);
    out.clear();
  };
  auto next_file = [&]() {
    if (file) {
      flush();
      if (write_err.ok()) write_err = file->Sync();
      if (write_err.ok()) write_err = file->Close();
    }
    if (!write_err.ok()) return;
    auto f = env_->NewWritableFile(Join(tmp_dir, SegmentName(++file_no)));
    if (!f.ok()) {
      write_err = f.status();
      return;
    }
    file = std::move(*f);
    file_size = 0;
  };
  next_file();
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  std::string payload;
  auto filter = [&](uint8_t type, std::string_view p) {
    payload.clear();
    if (type == static_cast<uint8_t>(RecordType::kSeries)) {
      series.clear();
      if (!DecodeSeries(p, &series).ok()) return false;
      std::erase_if(series, [&](const RefSeries& x) { return !keep(x.ref); });
      if (series.empty()) return true;
      EncodeSeries(series, &payload);
    } else if (type == static_cast<uint8_t>(RecordType::kSamples)) {
      samples.clear();
      if (!DecodeSamples(p, &samples).ok()) return false;
      std::erase_if(samples, [&](const RefSample& x) { return x.t < mint || !keep(x.ref); });
      if (samples.empty()) return true;
      EncodeSamples(samples, &payload);
    } else {
      return true;  // unknown types are not carried over
    }
    const uint64_t n = kRecordHeaderBytes + payload.size();
    if (file_size > 0 && file_size + n > opts_.segment_bytes) next_file();
    AppendFrame(type, payload, &out);
    file_size += n;
    if (out.size() >= (1u << 20)) flush();
    return write_err.ok();
  };
  auto scan = [&](const std::string& path, std::string_view data) -> absl::Status {
    ScanResult r = ScanRecords(data, filter);
    if (!write_err.ok()) return write_err;
    if (r.corrupt) return absl::DataLossError(absl::StrCat(path, ": ", r.reason));
    return absl::OkStatus();
  };
  if (write_err.ok() && listing->checkpoint >= 0) {
    const std::string old = Join(dir_, CheckpointName(listing->checkpoint));
    auto names = env_->ListDir(old);
    if (!names.ok()) s = names.status();
    for (size_t i = 0; s.ok() && i < names->size(); ++i) {
      if (!ParseSegmentName((*names)[i])) continue;
      std::string path = Join(old, (*names)[i]);
      auto f = env_->OpenReadOnly(path);
      s = f.ok() ? scan(path, (*f)->Data()) : f.status();
    }
  }
  for (int n : listing->segments) {
    if (!s.ok() || !write_err.ok()) break;
    if (n <= listing->checkpoint || n > upto) continue;
    std::string path = SegmentPath(n);
    auto f = env_->OpenReadOnly(path);
    s = f.ok() ? scan(path, (*f)->Data()) : f.status();
  }
  if (s.ok()) s = write_err;
  if (s.ok()) {
    flush();
    if (write_err.ok()) write_err = file->Sync();
    if (write_err.ok()) write_err = file->Close();
    s = write_err;
  }
  if (s.ok()) s = env_->SyncDir(tmp_dir);
  if (s.ok()) s = env_->Rename(tmp_dir, final_dir);
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) {
    file.reset();
    (void)env_->RemoveAll(tmp_dir);
    return fail(s);
  }
  // The new checkpoint is in place: what it replaces can go. A crash in
  // between leaves segments that Replay skips.
  uint64_t removed = 0;
  for (int n : listing->segments) {
    if (n > upto) continue;
    if (s = env_->RemoveFile(SegmentPath(n)); !s.ok()) return fail(s);
    ++removed;
  }
  if (listing->checkpoint >= 0) listing->old_checkpoints.push_back(CheckpointName(listing->checkpoint));
  for (const auto& c : listing->old_checkpoints) {
    if (s = env_->RemoveAll(Join(dir_, c)); !s.ok()) return fail(s);
  }
  (void)env_->SyncDir(dir_);
  std::lock_guard<std::mutex> l(mu_);
  ++stats_.checkpoints;
  stats_.segments_removed += removed;
  return absl::OkStatus();
}

absl::Status Wal::Health() const {
  std::lock_guard<std::mutex> l(mu_);
  return health_;
}

WalStats Wal::Stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

absl::StatusOr<uint64_t> Wal::SizeBytes() const { return env_->DirSize(dir_); }

absl::Status Wal::Close() {
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  stop_ = true;
  cv_.notify_all();
  if (interval_thread_.joinable()) {
    l.unlock();
    interval_thread_.join();
    l.lock();
  }
  cv_.wait(l, [&] { return !syncing_; });
  absl::Status s;
  if (file_) {
    if (opts_.fsync.mode != FsyncPolicy::kNever && written_seq_ > synced_seq_) {
      s = file_->Sync();
      if (s.ok()) synced_seq_ = written_seq_;
    }
    absl::Status c = file_->Close();
    if (s.ok()) s = c;
    file_.reset();
  }
  return s;
}

}  // namespace pharos::tsdb::wal
