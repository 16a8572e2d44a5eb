#include "tsdb/head/head.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <span>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/strings.h"
#include "tsdb/chunkenc/xor.h"
#include "tsdb/head/mem_postings.h"

namespace pharos::tsdb::head {
namespace {

using storage::AppendError;
using storage::Sample;

constexpr size_t kStripes = 256;
// Samples per WAL sample record: keeps a record far below kMaxRecordBytes.
constexpr size_t kSamplesPerRecord = 1 << 20;

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

struct ChunkRef {
  std::shared_ptr<const chunkenc::XorChunk> chunk;
  int64_t mint = 0;
  int64_t maxt = 0;
};

struct MemSeries {
  MemSeries(uint64_t r, Labels l) : ref(r), labels(std::move(l)) {}
  const uint64_t ref;
  const Labels labels;

  std::mutex mu;
  std::vector<ChunkRef> closed;                // guarded by mu, by time
  std::shared_ptr<chunkenc::XorChunk> open;    // guarded by mu; null when none
  std::unique_ptr<chunkenc::XorAppender> app;  // guarded by mu
  int64_t open_mint = 0, open_maxt = 0;        // guarded by mu
  std::vector<Sample> ooo;                     // guarded by mu; sorted, unique t, not in chunks
  int64_t max_t = INT64_MIN;                   // guarded by mu: newest in-order sample
  uint64_t last_bits = 0;                      // guarded by mu

  // Open batches that reference the series; it is not garbage-collected
  // while > 0. Incremented only under its hash or ref stripe lock.
  std::atomic<int> pins{0};
  // Its series record is in the WAL.
  std::atomic<bool> logged{false};

  bool EmptyLocked() const { return closed.empty() && !open && ooo.empty(); }
  int64_t MinTimeLocked() const {
    int64_t m = INT64_MAX;
    if (!closed.empty()) m = closed.front().mint;
    else if (open) m = open_mint;
    if (!ooo.empty()) m = std::min(m, ooo.front().t);
    return m;
  }

  // Whether a sample at t exists in the chunks, and its value bits.
  bool FindInChunksLocked(int64_t t, uint64_t* bits) const {
    auto look = [&](const chunkenc::XorChunk& c) {
      chunkenc::XorIterator it(c.Bytes());
      if (it.Seek(t) && it.At().t == t) {
        *bits = Bits(it.At().v);
        return true;
      }
      return false;
    };
    for (const auto& c : closed) {
      if (t >= c.mint && t <= c.maxt) return look(*c.chunk);
    }
    if (open && t >= open_mint && t <= open_maxt) return look(*open);
    return false;
  }
};

enum class Verdict { kAppend, kOutOfOrder, kNoop };

struct Limits {
  int64_t min_valid;
  int64_t head_max;
  int64_t window;
  bool replay;  // WAL replay: samples were accepted once; skip the window checks
};

// Decides what to do with sample (t, v) for series `s` whose newest sample
// is (max_t, last_bits) (which may include the open batch). Holds s.mu.
AppendError CheckLocked(const MemSeries& s, int64_t max_t, uint64_t last_bits, int64_t t, double v,
                        const Limits& lim, Verdict* verdict) {
  if (t < lim.min_valid) return AppendError::kOutOfBounds;
  if (max_t == INT64_MIN || t > max_t) {
    *verdict = Verdict::kAppend;
    return AppendError::kNone;
  }
  if (t == max_t) {
    if (Bits(v) != last_bits) return AppendError::kDuplicateSample;
    *verdict = Verdict::kNoop;
    return AppendError::kNone;
  }
  if (!lim.replay) {
    if (lim.window <= 0) return AppendError::kOutOfOrder;
    if (lim.head_max != INT64_MIN && t < lim.head_max - lim.window) return AppendError::kTooOld;
  }
  auto it = std::lower_bound(s.ooo.begin(), s.ooo.end(), t, [](const Sample& a, int64_t b) { return a.t < b; });
  uint64_t bits;
  bool found = false;
  if (it != s.ooo.end() && it->t == t) {
    found = true;
    bits = Bits(it->v);
  } else {
    found = s.FindInChunksLocked(t, &bits);
  }
  if (found) {
    if (bits != Bits(v)) return AppendError::kDuplicateSample;
    *verdict = Verdict::kNoop;
    return AppendError::kNone;
  }
  *verdict = Verdict::kOutOfOrder;
  return AppendError::kNone;
}

std::string Describe(const Labels& l, int64_t t) { return absl::StrCat("series ", l.ToString(), " timestamp ", t); }

// Drops labels with empty values (Prometheus treats them as absent) and
// checks names: non-empty, sorted, unique.
absl::StatusOr<Labels> CleanLabels(const Labels& in) {
  bool has_empty = false;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i].name.empty()) return storage::MakeAppendError(AppendError::kInvalidLabels, "empty label name");
    if (i > 0 && in[i - 1].name >= in[i].name) {
      return storage::MakeAppendError(AppendError::kInvalidLabels, absl::StrCat("duplicate or unsorted label ", in[i].name));
    }
    if (in[i].value.empty()) has_empty = true;
  }
  if (!has_empty) {
    if (in.empty()) return storage::MakeAppendError(AppendError::kInvalidLabels, "empty label set");
    return in;
  }
  std::vector<Label> pairs;
  for (const auto& l : in) {
    if (!l.value.empty()) pairs.push_back(l);
  }
  if (pairs.empty()) return storage::MakeAppendError(AppendError::kInvalidLabels, "empty label set");
  return Labels::FromSorted(std::move(pairs));
}

}  // namespace

struct Head::Impl {
  struct HashStripe {
    std::mutex mu;
    absl::flat_hash_map<uint64_t, std::vector<std::shared_ptr<MemSeries>>> by_hash;
  };
  struct RefStripe {
    std::mutex mu;
    absl::flat_hash_map<uint64_t, std::shared_ptr<MemSeries>> by_ref;
  };
  HashStripe hash[kStripes];
  RefStripe refs[kStripes];
  MemPostings postings;
  std::atomic<uint64_t> next_ref{1};
  std::atomic<int64_t> min_time{INT64_MAX};

  std::atomic<uint64_t> series{0}, series_created{0}, series_removed{0}, samples_appended{0}, ooo_appended{0},
      rej_ooo{0}, rej_oob{0}, rej_too_old{0}, rej_dup{0}, rej_labels{0}, commits{0}, commit_failures{0}, chunks{0};

  void CountRejection(AppendError e) {
    switch (e) {
      case AppendError::kOutOfOrder: ++rej_ooo; break;
      case AppendError::kOutOfBounds: ++rej_oob; break;
      case AppendError::kTooOld: ++rej_too_old; break;
      case AppendError::kDuplicateSample: ++rej_dup; break;
      case AppendError::kInvalidLabels: ++rej_labels; break;
      case AppendError::kNone: break;
    }
  }

  std::shared_ptr<MemSeries> GetByRef(uint64_t ref, bool pin) {
    RefStripe& st = refs[ref % kStripes];
    std::lock_guard<std::mutex> l(st.mu);
    auto it = st.by_ref.find(ref);
    if (it == st.by_ref.end()) return nullptr;
    if (pin) it->second->pins.fetch_add(1);
    return it->second;
  }

  // Finds or creates the series; `want_ref` (replay) asks for a reference.
  // Returns it pinned when `pin`.
  std::shared_ptr<MemSeries> GetOrCreate(const Labels& labels, bool pin, uint64_t want_ref, bool* created) {
    const uint64_t h = labels.Hash();
    HashStripe& hs = hash[h % kStripes];
    std::lock_guard<std::mutex> l(hs.mu);
    auto& bucket = hs.by_hash[h];
    for (const auto& s : bucket) {
      if (s->labels == labels) {
        if (pin) s->pins.fetch_add(1);
        *created = false;
        return s;
      }
    }
    uint64_t ref = want_ref;
    if (ref == 0) {
      ref = next_ref.fetch_add(1);
    } else {
      uint64_t cur = next_ref.load();
      while (cur <= ref && !next_ref.compare_exchange_weak(cur, ref + 1)) {
      }
    }
    auto s = std::make_shared<MemSeries>(ref, labels);
    if (pin) s->pins.fetch_add(1);
    bucket.push_back(s);
    {
      RefStripe& rs = refs[ref % kStripes];
      std::lock_guard<std::mutex> rl(rs.mu);
      rs.by_ref[ref] = s;
    }
    postings.Add(ref, labels);
    ++series;
    ++series_created;
    *created = true;
    return s;
  }

  // Applies a checked sample. Holds s.mu.
  void ApplyLocked(MemSeries& s, Verdict v, int64_t t, double val) {
    if (v == Verdict::kNoop) return;
    if (v == Verdict::kOutOfOrder) {
      auto it = std::lower_bound(s.ooo.begin(), s.ooo.end(), t, [](const Sample& a, int64_t b) { return a.t < b; });
      s.ooo.insert(it, Sample{t, val});
      ++ooo_appended;
    } else {
      if (!s.open || s.app->NumSamples() >= chunkenc::kSamplesPerChunk) {
        if (s.open) s.closed.push_back(ChunkRef{std::move(s.open), s.open_mint, s.open_maxt});
        s.open = std::make_shared<chunkenc::XorChunk>();
        s.app = std::make_unique<chunkenc::XorAppender>(s.open.get());
        s.open_mint = t;
        ++chunks;
      }
      s.app->Append(t, val);
      s.open_maxt = t;
      s.max_t = t;
      s.last_bits = Bits(val);
    }
    ++samples_appended;
    int64_t cur = min_time.load();
    while (t < cur && !min_time.compare_exchange_weak(cur, t)) {
    }
  }

  template <typename F>
  void ForEachSeries(F f) {
    for (auto& rs : refs) {
      std::vector<std::shared_ptr<MemSeries>> v;
      {
        std::lock_guard<std::mutex> l(rs.mu);
        for (const auto& [r, s] : rs.by_ref) v.push_back(s);
      }
      for (const auto& s : v) f(*s);
    }
  }
};

Head::Head(wal::Wal* wal, HeadOptions options)
    : impl_(std::make_unique<Impl>()), wal_(wal), ooo_window_ms_(options.out_of_order_window_ms) {}

Head::~Head() = default;

void Head::SetMinValidTime(int64_t t) {
  int64_t cur = min_valid_time_.load();
  while (t > cur && !min_valid_time_.compare_exchange_weak(cur, t)) {
  }
  std::lock_guard<std::mutex> gate(apply_gate_);
  std::unique_lock<std::shared_mutex> wait(apply_mu_);
}

int64_t Head::MinTime() const {
  int64_t m = impl_->min_time.load();
  if (m == INT64_MAX) return m;
  // Not clipped by MinValidTime: a range whose block failed to be written
  // is still in the head and must be found again.
  return std::max(m, truncated_before_.load());
}

bool Head::IsLive(uint64_t ref) const { return impl_->GetByRef(ref, false) != nullptr; }

HeadStats Head::Stats() const {
  const Impl& i = *impl_;
  HeadStats s;
  s.series = i.series;
  s.series_created = i.series_created;
  s.series_removed = i.series_removed;
  s.samples_appended = i.samples_appended;
  s.out_of_order_samples_appended = i.ooo_appended;
  s.rejected_out_of_order = i.rej_ooo;
  s.rejected_out_of_bounds = i.rej_oob;
  s.rejected_too_old = i.rej_too_old;
  s.rejected_duplicate = i.rej_dup;
  s.rejected_invalid_labels = i.rej_labels;
  s.commits = i.commits;
  s.commit_failures = i.commit_failures;
  s.chunks = i.chunks;
  if (MinTime() <= MaxTime()) {
    s.min_time = MinTime();
    s.max_time = MaxTime();
  }
  return s;
}

void Head::Truncate(int64_t mint) {
  SetMinValidTime(mint);
  int64_t tb = truncated_before_.load();
  while (mint > tb && !truncated_before_.compare_exchange_weak(tb, mint)) {
  }
  Impl& im = *impl_;
  std::vector<std::pair<uint64_t, Labels>> removed;
  int64_t new_min = INT64_MAX;
  for (auto& hs : im.hash) {
    std::lock_guard<std::mutex> l(hs.mu);
    for (auto bit = hs.by_hash.begin(); bit != hs.by_hash.end();) {
      auto& bucket = bit->second;
      for (auto sit = bucket.begin(); sit != bucket.end();) {
        MemSeries& s = **sit;
        bool empty;
        {
          std::lock_guard<std::mutex> sl(s.mu);
          size_t before = s.closed.size() + (s.open ? 1 : 0);
          std::erase_if(s.closed, [&](const ChunkRef& c) { return c.maxt < mint; });
          if (s.open && s.open_maxt < mint) {
            s.app.reset();
            s.open.reset();
          }
          im.chunks -= before - (s.closed.size() + (s.open ? 1 : 0));
          std::erase_if(s.ooo, [&](const Sample& x) { return x.t < mint; });
          empty = s.EmptyLocked();
          if (!empty) new_min = std::min(new_min, s.MinTimeLocked());
        }
        bool gone = false;
        if (empty && s.pins.load() == 0) {
          Impl::RefStripe& rs = im.refs[s.ref % kStripes];
          std::lock_guard<std::mutex> rl(rs.mu);
          // Re-check under the ref stripe: GetByRef pins under it.
          if (s.pins.load() == 0) {
            rs.by_ref.erase(s.ref);
            gone = true;
          }
        }
        if (gone) {
          removed.emplace_back(s.ref, s.labels);
          sit = bucket.erase(sit);
        } else {
          ++sit;
        }
      }
      if (bucket.empty()) {
        hs.by_hash.erase(bit++);
      } else {
        ++bit;
      }
    }
  }
  im.postings.Delete(removed);
  im.series -= removed.size();
  im.series_removed += removed.size();
  // An append racing with this may leave min_time a little high; it only
  // steers when the head is compacted.
  im.min_time.store(new_min);
}

// ------------------------------------------------------------------ appender

class HeadAppender final : public storage::Appender {
 public:
  explicit HeadAppender(Head* h) : h_(h), im_(*h->impl_) {}
  ~HeadAppender() override { Release(); }

  absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref, const Labels& labels, int64_t t,
                                            double v) override {
    std::shared_ptr<MemSeries> s;
    bool pinned_now = false;
    if (ref != 0) {
      if (auto it = batch_.find(ref); it != batch_.end()) {
        if (labels.empty() || labels == it->second.s->labels) s = it->second.s;
      }
      if (!s) {
        s = im_.GetByRef(ref, true);
        if (s) {
          pinned_now = true;
          if (!labels.empty() && labels != s->labels) {
            s->pins.fetch_sub(1);
            s.reset();
            pinned_now = false;
          }
        }
      }
    }
    if (!s) {
      if (labels.empty()) {
        im_.CountRejection(AppendError::kInvalidLabels);
        return storage::MakeAppendError(AppendError::kInvalidLabels,
                                        absl::StrCat("unknown series reference ", ref, " and no labels"));
      }
      auto clean = CleanLabels(labels);
      if (!clean.ok()) {
        im_.CountRejection(AppendError::kInvalidLabels);
        return clean.status();
      }
      bool created;
      s = im_.GetOrCreate(*clean, true, 0, &created);
      pinned_now = true;
    }
    auto [it, inserted] = batch_.try_emplace(s->ref, Pending{s});
    if (!inserted && pinned_now) s->pins.fetch_sub(1);
    Pending& p = it->second;

    Verdict verdict;
    AppendError e;
    {
      std::lock_guard<std::mutex> l(s->mu);
      int64_t max_t = s->max_t;
      uint64_t last = s->last_bits;
      if (p.any && p.last_t > max_t) {
        max_t = p.last_t;
        last = p.last_bits;
      }
      e = CheckLocked(*s, max_t, last, t, v, LimitsNow(), &verdict);
    }
    if (e != AppendError::kNone) {
      im_.CountRejection(e);
      return storage::MakeAppendError(e, Describe(s->labels, t));
    }
    if (verdict == Verdict::kAppend) {
      p.any = true;
      p.last_t = t;
      p.last_bits = Bits(v);
    }
    if (verdict != Verdict::kNoop) samples_.push_back(wal::RefSample{s->ref, t, v});
    return s->ref;
  }

  absl::Status Commit() override {
    if (samples_.empty()) {
      Release();
      return absl::OkStatus();
    }
    if (h_->wal_ != nullptr) {
      std::vector<wal::RefSeries> fresh;
      for (const auto& [ref, p] : batch_) {
        if (!p.s->logged.load()) fresh.push_back(wal::RefSeries{ref, p.s->labels});
      }
      std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) { return a.ref < b.ref; });
      std::vector<std::string> payloads;
      std::vector<wal::Record> recs;
      if (!fresh.empty()) {
        payloads.emplace_back();
        wal::EncodeSeries(fresh, &payloads.back());
      }
      for (size_t i = 0; i < samples_.size(); i += kSamplesPerRecord) {
        payloads.emplace_back();
        wal::EncodeSamples(std::span<const wal::RefSample>(samples_).subspan(i, std::min(kSamplesPerRecord, samples_.size() - i)),
                           &payloads.back());
      }
      for (size_t i = 0; i < payloads.size(); ++i) {
        recs.push_back(wal::Record{(i == 0 && !fresh.empty()) ? wal::RecordType::kSeries : wal::RecordType::kSamples,
                                   payloads[i]});
      }
      absl::Status s = h_->wal_->Log(recs);
      if (!s.ok()) {
        ++im_.commit_failures;
        Release();
        return s;
      }
      for (const auto& r : fresh) batch_[r.ref].s->logged.store(true);
    }
    { std::lock_guard<std::mutex> gate(h_->apply_gate_); }
    std::shared_lock<std::shared_mutex> applying(h_->apply_mu_);
    Limits lim = LimitsNow();
    int64_t max_seen = INT64_MIN;
    for (const auto& rs : samples_) {
      MemSeries& s = *batch_[rs.ref].s;
      std::lock_guard<std::mutex> l(s.mu);
      Verdict verdict;
      // The head may have changed since Append (another batch committed in
      // between): check again; a sample that lost the race is dropped and counted.
      AppendError e = CheckLocked(s, s.max_t, s.last_bits, rs.t, rs.v, lim, &verdict);
      if (e != AppendError::kNone) {
        im_.CountRejection(e);
        continue;
      }
      im_.ApplyLocked(s, verdict, rs.t, rs.v);
      max_seen = std::max(max_seen, rs.t);
    }
    int64_t cur = h_->max_time_.load();
    while (max_seen > cur && !h_->max_time_.compare_exchange_weak(cur, max_seen)) {
    }
    ++im_.commits;
    Release();
    return absl::OkStatus();
  }

  void Rollback() override { Release(); }

 private:
  struct Pending {
    std::shared_ptr<MemSeries> s;
    bool any = false;  // the batch holds in-order samples for it
    int64_t last_t = 0;
    uint64_t last_bits = 0;
  };

  Limits LimitsNow() const {
    return Limits{h_->min_valid_time_.load(), h_->max_time_.load(), h_->ooo_window_ms_.load(), false};
  }

  void Release() {
    for (auto& [ref, p] : batch_) p.s->pins.fetch_sub(1);
    batch_.clear();
    samples_.clear();
  }

  Head* h_;
  Head::Impl& im_;
  absl::flat_hash_map<uint64_t, Pending> batch_;
  std::vector<wal::RefSample> samples_;
};

std::unique_ptr<storage::Appender> Head::NewAppender() { return std::make_unique<HeadAppender>(this); }

// ------------------------------------------------------------------- replay

absl::Status Head::ReplayWal(disk::Env* env, const std::string& dir, wal::ReplayStats* stats) {
  Impl& im = *impl_;
  absl::flat_hash_map<uint64_t, std::shared_ptr<MemSeries>> by_ref;
  std::vector<wal::RefSeries> series;
  std::vector<wal::RefSample> samples;
  uint64_t max_ref = 0, unknown = 0;
  const Limits lim{min_valid_time_.load(), INT64_MIN, 0, true};
  int64_t max_seen = INT64_MIN;
  auto fn = [&](wal::RecordType type, std::string_view payload) {
    if (type == wal::RecordType::kSeries) {
      series.clear();
      if (!wal::DecodeSeries(payload, &series).ok()) return false;
      for (auto& rs : series) {
        bool created;
        auto s = im.GetOrCreate(rs.labels, false, rs.ref, &created);
        s->logged.store(true);
        by_ref[rs.ref] = s;  // an older ref of the same labels maps to the live series
        max_ref = std::max(max_ref, rs.ref);
      }
    } else if (type == wal::RecordType::kSamples) {
      samples.clear();
      if (!wal::DecodeSamples(payload, &samples).ok()) return false;
      for (const auto& rs : samples) {
        max_ref = std::max(max_ref, rs.ref);
        auto it = by_ref.find(rs.ref);
        if (it == by_ref.end()) {
          ++unknown;
          continue;
        }
        MemSeries& s = *it->second;
        std::lock_guard<std::mutex> l(s.mu);
        Verdict verdict;
        if (CheckLocked(s, s.max_t, s.last_bits, rs.t, rs.v, lim, &verdict) != AppendError::kNone) continue;
        im.ApplyLocked(s, verdict, rs.t, rs.v);
        max_seen = std::max(max_seen, rs.t);
      }
    }
    return true;
  };
  absl::Status s = wal::Replay(env, dir, fn, stats);
  // References are never reused, even those of series the WAL no longer names.
  uint64_t cur = im.next_ref.load();
  while (cur <= max_ref && !im.next_ref.compare_exchange_weak(cur, max_ref + 1)) {
  }
  int64_t m = max_time_.load();
  while (max_seen > m && !max_time_.compare_exchange_weak(m, max_seen)) {
  }
  if (unknown > 0) log::Warn("head", "WAL samples for unknown series skipped", {{"samples", unknown}});
  // Replay-created series that got no samples (all were below the lower bound) go now.
  Truncate(min_valid_time_.load());
  return s;
}

// ------------------------------------------------------------------ querier

namespace {

struct Snapshot {
  std::vector<ChunkRef> chunks;
  std::vector<Sample> ooo;
};

// Samples of a snapshot within [mint, maxt]: the chunks in order, merged
// with the out-of-order buffer (whose timestamps never repeat a chunk's).
class HeadIterator final : public storage::SampleIterator {
 public:
  HeadIterator(std::shared_ptr<const Snapshot> snap, int64_t mint, int64_t maxt)
      : snap_(std::move(snap)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    if (done_) return false;
    if (!started_) {
      started_ = true;
      return Seek(mint_);
    }
    if (!Advance()) return Finish();
    return cur_.t <= maxt_ || Finish();
  }

  bool Seek(int64_t t) override {
    if (done_) return false;
    t = std::max(t, mint_);
    if (started_ && positioned_ && cur_.t >= t) return true;
    started_ = true;
    // Skip whole chunks that end before t (the lookahead, if any, is < t).
    if (!(c_loaded_ && c_has_ && cs_.t >= t)) {
      const auto& ch = snap_->chunks;
      if (in_chunk_ && ch[ci_ - 1].maxt < t) in_chunk_ = false;
      if (!in_chunk_) {
        while (ci_ < ch.size() && ch[ci_].maxt < t) ++ci_;
      }
      c_loaded_ = false;
    }
    const auto& o = snap_->ooo;
    oi_ = std::max<size_t>(oi_, std::lower_bound(o.begin(), o.end(), t, [](const Sample& a, int64_t b) { return a.t < b; }) - o.begin());
    do {
      if (!Advance()) return Finish();
    } while (cur_.t < t);
    return cur_.t <= maxt_ || Finish();
  }

  Sample At() const override { return cur_; }
  absl::Status Err() const override { return err_; }

 private:
  bool Finish() {
    done_ = true;
    positioned_ = false;
    return false;
  }
  // Loads the next chunk sample into cs_ (c_has_).
  void LoadChunk() {
    c_loaded_ = true;
    c_has_ = false;
    const auto& ch = snap_->chunks;
    for (;;) {
      if (in_chunk_) {
        if (it_.Next()) {
          cs_ = it_.At();
          c_has_ = true;
          return;
        }
        if (!it_.Err().ok()) {
          err_ = it_.Err();
          return;
        }
        in_chunk_ = false;
      }
      if (ci_ >= ch.size()) return;
      it_.Reset(ch[ci_++].chunk->Bytes());
      in_chunk_ = true;
    }
  }
  bool Advance() {
    if (!c_loaded_) LoadChunk();
    if (!err_.ok()) return false;
    const auto& o = snap_->ooo;
    bool o_has = oi_ < o.size();
    if (!c_has_ && !o_has) return positioned_ = false;
    if (c_has_ && (!o_has || cs_.t < o[oi_].t)) {
      cur_ = cs_;
      c_loaded_ = false;
    } else {
      cur_ = o[oi_++];
    }
    return positioned_ = true;
  }

  std::shared_ptr<const Snapshot> snap_;
  int64_t mint_, maxt_;
  chunkenc::XorIterator it_;
  size_t ci_ = 0;        // next chunk to open
  bool in_chunk_ = false;
  bool c_loaded_ = false;
  bool c_has_ = false;
  Sample cs_{};
  size_t oi_ = 0;
  Sample cur_{};
  bool started_ = false, positioned_ = false, done_ = false;
  absl::Status err_;
};

class HeadSeries final : public storage::Series {
 public:
  HeadSeries(Labels l, std::shared_ptr<const Snapshot> s, int64_t mint, int64_t maxt)
      : labels_(std::move(l)), snap_(std::move(s)), mint_(mint), maxt_(maxt) {}
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> Iterator() const override {
    return std::make_unique<HeadIterator>(snap_, mint_, maxt_);
  }

 private:
  Labels labels_;
  std::shared_ptr<const Snapshot> snap_;
  int64_t mint_, maxt_;
};

class VecSet final : public storage::SeriesSet {
 public:
  explicit VecSet(std::vector<std::unique_ptr<HeadSeries>> s) : s_(std::move(s)) {}
  bool Next() override { return ++pos_ < s_.size(); }
  const storage::Series& At() const override { return *s_[pos_]; }

 private:
  std::vector<std::unique_ptr<HeadSeries>> s_;
  size_t pos_ = static_cast<size_t>(-1);
};

}  // namespace

class HeadQuerier final : public storage::Querier {
 public:
  HeadQuerier(Head* h, int64_t mint, int64_t maxt)
      : h_(h), mint_(std::max(mint, h->truncated_before_.load())), maxt_(maxt) {}

  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints*,
                                             const Matchers& matchers) override {
    auto series = Collect(matchers);
    if (sorted) {
      std::sort(series.begin(), series.end(),
                [](const auto& a, const auto& b) { return Labels::Compare(a->labels(), b->labels()) < 0; });
    }
    return std::make_unique<VecSet>(std::move(series));
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name, const Matchers& matchers) override {
    if (matchers.empty() && CoversHead()) return h_->impl_->postings.Values(name);
    std::vector<std::string> out;
    for (const auto& s : Collect(matchers)) {
      std::string_view v = s->labels().Get(name);
      if (!v.empty()) out.emplace_back(v);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) override {
    if (matchers.empty() && CoversHead()) return h_->impl_->postings.Names();
    std::vector<std::string> out;
    for (const auto& s : Collect(matchers)) {
      for (const auto& l : s->labels()) out.push_back(l.name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  bool CoversHead() const { return mint_ <= h_->MinTime() && maxt_ >= h_->MaxTime(); }

  // The matching series with at least one sample in range, unsorted.
  std::vector<std::unique_ptr<HeadSeries>> Collect(const Matchers& matchers) {
    std::vector<std::unique_ptr<HeadSeries>> out;
    if (mint_ > maxt_) return out;
    Head::Impl& im = *h_->impl_;
    for (uint64_t ref : im.postings.Select(matchers)) {
      auto s = im.GetByRef(ref, false);
      if (!s) continue;
      auto snap = std::make_shared<Snapshot>();
      {
        std::lock_guard<std::mutex> l(s->mu);
        for (const auto& c : s->closed) {
          if (c.maxt >= mint_ && c.mint <= maxt_) snap->chunks.push_back(c);
        }
        if (s->open && s->open_maxt >= mint_ && s->open_mint <= maxt_) {
          // The open chunk keeps growing: copy its bytes.
          snap->chunks.push_back(ChunkRef{std::make_shared<chunkenc::XorChunk>(std::string(s->open->Bytes())),
                                          s->open_mint, s->open_maxt});
        }
        for (const auto& x : s->ooo) {
          if (x.t >= mint_ && x.t <= maxt_) snap->ooo.push_back(x);
        }
      }
      if (snap->chunks.empty() && snap->ooo.empty()) continue;
      auto hs = std::make_unique<HeadSeries>(s->labels, std::move(snap), mint_, maxt_);
      if (!hs->Iterator()->Next()) continue;  // chunks overlap the range but no sample falls in it
      out.push_back(std::move(hs));
    }
    return out;
  }

  Head* h_;
  int64_t mint_, maxt_;
};

absl::StatusOr<std::unique_ptr<storage::Querier>> Head::NewQuerier(int64_t mint, int64_t maxt) {
  return std::make_unique<HeadQuerier>(this, mint, maxt);
}

}  // namespace pharos::tsdb::head
