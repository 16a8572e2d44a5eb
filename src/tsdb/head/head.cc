#include "tsdb/head/head.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <span>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/strings.h"
#include "tsdb/chunkenc/coding.h"
#include "tsdb/chunkenc/xor.h"
#include "tsdb/head/mem_postings.h"
#include "tsdb/head/symbols.h"

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

// A label set packed into bytes stored at the end of its series (no
// allocation of its own): the varint count of ids, then per label the
// varint ids of its name and value in the head's symbol table. A series'
// labels are read only when it is created, compared on creation, queried
// or logged; the text of the common names and values is held once for all
// series.
class PackedLabels {
 public:
  explicit PackedLabels(const uint8_t* data) : data_(data) {}

  // Appends the packed form of `l` to `buf`, taking a reference on each
  // symbol (Release drops them).
  static void Encode(const Labels& l, std::string* buf) {
    SymbolTable& st = SymbolTable::Global();
    chunkenc::PutUvarint(buf, l.size() * 2);
    for (const auto& p : l) {
      chunkenc::PutUvarint(buf, st.Ref(p.name));
      chunkenc::PutUvarint(buf, st.Ref(p.value));
    }
  }
  void Release() const {
    SymbolTable& st = SymbolTable::Global();
    ForEachId([&](uint32_t id) { st.Unref(id); });
  }

  Labels Unpack() const {
    const SymbolTable& st = SymbolTable::Global();
    std::vector<Label> out;
    std::string_view name;
    bool is_name = true;
    ForEachId([&](uint32_t id) {
      if (is_name) {
        name = st.Get(id);
      } else {
        out.push_back(Label{std::string(name), std::string(st.Get(id))});
      }
      is_name = !is_name;
    });
    return Labels::FromSorted(std::move(out));
  }

  bool Equals(const Labels& l) const {
    const SymbolTable& st = SymbolTable::Global();
    const uint8_t* p = data_;
    if (Next(&p) != l.size() * 2) return false;
    for (const auto& x : l) {
      if (st.Get(Next(&p)) != x.name || st.Get(Next(&p)) != x.value) return false;
    }
    return true;
  }

 private:
  // Reads what chunkenc::PutUvarint wrote (our own bytes, so well-formed).
  static uint32_t Next(const uint8_t** p) {
    uint32_t n = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = *(*p)++;
      n |= static_cast<uint32_t>(b & 0x7f) << shift;
      if (b < 0x80) return n;
    }
  }
  template <typename F>
  void ForEachId(F f) const {
    const uint8_t* p = data_;
    uint32_t n = Next(&p);
    for (uint32_t i = 0; i < n; ++i) f(Next(&p));
  }

  const uint8_t* data_;
};

struct ChunkRef {
  std::shared_ptr<const chunkenc::XorChunk> chunk;
  int64_t mint = 0;
  int64_t maxt = 0;
};

// A series' closed chunks, oldest first, and its out-of-order buffer: one
// pointer (null when both are empty) to a block holding the count, the
// capacity, the buffer and the entries, instead of a 24-byte std::vector
// and an 8-byte pointer in every series.
class ChunkList {
 public:
  ChunkList() = default;
  ~ChunkList() { Free(b_); }
  ChunkList(const ChunkList&) = delete;
  ChunkList& operator=(const ChunkList&) = delete;

  bool empty() const { return size() == 0; }
  size_t size() const { return b_ == nullptr ? 0 : b_->size; }
  const ChunkRef* begin() const { return b_ == nullptr ? nullptr : b_->items(); }
  const ChunkRef* end() const { return begin() + size(); }
  const ChunkRef& front() const { return *begin(); }

  // The out-of-order samples (sorted, unique t), null when there are none.
  const std::vector<Sample>* ooo() const { return b_ == nullptr ? nullptr : b_->ooo.get(); }
  std::vector<Sample>& MutableOoo() {
    if (b_ == nullptr) b_ = Allocate(0);
    if (!b_->ooo) b_->ooo = std::make_unique<std::vector<Sample>>();
    return *b_->ooo;
  }
  void DropOooIfEmpty() {
    if (b_ == nullptr || !b_->ooo || !b_->ooo->empty()) return;
    b_->ooo.reset();
    FreeIfEmpty();
  }

  void push_back(ChunkRef c) {
    if (b_ == nullptr || b_->size == b_->cap) {
      uint32_t cap = b_ == nullptr || b_->cap < 2 ? 2 : b_->cap + b_->cap / 2;
      Block* n = Allocate(cap);
      for (uint32_t i = 0; i < size(); ++i) new (n->items() + i) ChunkRef(std::move(b_->items()[i]));
      n->size = static_cast<uint32_t>(size());
      if (b_ != nullptr) n->ooo = std::move(b_->ooo);
      Free(b_);
      b_ = n;
    }
    new (b_->items() + b_->size) ChunkRef(std::move(c));
    ++b_->size;
  }
  // Removes the chunks `drop` returns true for, keeping the order.
  template <typename P>
  void EraseIf(P drop) {
    if (b_ == nullptr) return;
    ChunkRef* it = b_->items();
    uint32_t kept = 0;
    for (uint32_t i = 0; i < b_->size; ++i) {
      if (!drop(it[i])) {
        if (kept != i) it[kept] = std::move(it[i]);
        ++kept;
      }
    }
    for (uint32_t i = kept; i < b_->size; ++i) it[i].~ChunkRef();
    b_->size = kept;
    FreeIfEmpty();
  }

 private:
  struct Block {
    uint32_t size = 0;
    uint32_t cap = 0;
    std::unique_ptr<std::vector<Sample>> ooo;
    ChunkRef* items() { return reinterpret_cast<ChunkRef*>(this + 1); }
  };
  void FreeIfEmpty() {
    if (b_ != nullptr && b_->size == 0 && !b_->ooo) {
      Free(b_);
      b_ = nullptr;
    }
  }
  static_assert(sizeof(Block) % alignof(ChunkRef) == 0);
  static Block* Allocate(uint32_t cap) {
    Block* b = new (::operator new(sizeof(Block) + cap * sizeof(ChunkRef))) Block;
    b->cap = cap;
    return b;
  }
  static void Free(Block* b) {
    if (b == nullptr) return;
    for (uint32_t i = 0; i < b->size; ++i) b->items()[i].~ChunkRef();
    b->~Block();
    ::operator delete(b);
  }

  Block* b_ = nullptr;
};

// A series' lock (and a ref stripe's): one byte instead of a 40-byte
// pthread mutex, and an unlock that is a plain store. Held only for short,
// non-blocking work (checking or appending a sample, copying a chunk list,
// a slot lookup); a series is written by one scrape loop, so it is almost
// never contended: a waiter spins briefly, then yields.
class SpinLock {
 public:
  void lock() {
    for (int i = 0; f_.exchange(true, std::memory_order_acquire); ++i) {
      while (f_.load(std::memory_order_relaxed)) {
        if (i < 64) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
          ++i;
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  void unlock() { f_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> f_{false};
};

// A series: its state, then its packed labels in the same allocation.
struct MemSeries {
  // A series with its packed labels in the same allocation, after it.
  static std::unique_ptr<MemSeries> Create(uint64_t ref, uint32_t label_hash, const Labels& l) {
    std::string packed;
    PackedLabels::Encode(l, &packed);
    void* mem = ::operator new(sizeof(MemSeries) + packed.size());
    std::memcpy(static_cast<char*>(mem) + sizeof(MemSeries), packed.data(), packed.size());
    return std::unique_ptr<MemSeries>(new (mem) MemSeries(ref, label_hash));
  }
  ~MemSeries() { labels().Release(); }
  MemSeries(const MemSeries&) = delete;
  MemSeries& operator=(const MemSeries&) = delete;
  // Frees what Create allocated (sized delete would pass sizeof(MemSeries)).
  static void operator delete(void* p) { ::operator delete(p); }

  PackedLabels labels() const { return PackedLabels(reinterpret_cast<const uint8_t*>(this + 1)); }
  MemSeries(uint64_t r, uint32_t h) : ref(r), label_hash(h) {}  // use Create

  // The fields Append and Commit touch come first. 72 bytes in all, so that
  // with typical packed labels (up to 16 bytes) the series is a 96-byte
  // malloc chunk.
  const uint64_t ref;
  SpinLock mu;
  // Its series record is in the WAL.
  std::atomic<bool> logged{false};
  // Open batches and queriers that hold the series; it is not removed while
  // > 0. Changed only under mu (plain load and store: no locked instruction
  // per sample), and raised only while its hash or ref stripe lock is held
  // too, so Truncate, which reads it under those, never misses a pin. 16
  // bits: each holder is a thread's open batch or query.
  std::atomic<uint16_t> pins{0};
  // Bits 8..39 of Labels::Hash() of its labels (the low 8 pick the hash
  // stripe): the label-hash set's hash.
  const uint32_t label_hash;
  void PinLocked() { pins.store(static_cast<uint16_t>(pins.load(std::memory_order_relaxed) + 1), std::memory_order_relaxed); }
  void UnpinLocked() { pins.store(static_cast<uint16_t>(pins.load(std::memory_order_relaxed) - 1), std::memory_order_relaxed); }
  // The open batch that holds the series at `batch_slot` of its list
  // (HeadAppender::Slot), so a batch finds its own entry without a lookup;
  // 0 when none (or when the batch that set it has ended).
  // 32 bits: ids wrap after 2^32 batches, so a match is confirmed against
  // the batch's own list (HeadAppender::AddPinnedLocked).
  uint32_t batch_id = 0;                       // guarded by mu
  uint32_t batch_slot = 0;                     // guarded by mu
  // Guarded by mu; in use when it has samples (HasOpen). Its LastT/LastBits
  // are the series' newest in-order sample (INT64_MIN when none), kept when
  // it is closed or dropped.
  chunkenc::XorOpenChunk open;
  bool HasOpen() const { return !open.Bytes().empty(); }
  int64_t MaxT() const { return open.LastT(); }
  uint64_t LastBits() const { return open.LastBits(); }
  // Guarded by mu: the closed chunks by time, and the out-of-order samples
  // (sorted, unique t, none in a chunk), allocated when the first one
  // arrives (most series never get one).
  ChunkList closed;
  bool HasOoo() const { return closed.ooo() != nullptr && !closed.ooo()->empty(); }

  bool EmptyLocked() const { return closed.empty() && !HasOpen() && !HasOoo(); }
  // Closes the open chunk (its bytes copied to a buffer of their size).
  void CloseOpenLocked() {
    closed.push_back(ChunkRef{std::make_shared<chunkenc::XorChunk>(std::string(open.Bytes())), open.FirstT(), open.LastT()});
    DropOpenLocked();
  }
  void DropOpenLocked() { open.Clear(); }
  int64_t MinTimeLocked() const {
    int64_t m = INT64_MAX;
    if (!closed.empty()) m = closed.front().mint;
    else if (HasOpen()) m = open.FirstT();
    if (HasOoo()) m = std::min(m, closed.ooo()->front().t);
    return m;
  }

  // Whether a sample at t exists in the chunks, and its value bits.
  bool FindInChunksLocked(int64_t t, uint64_t* bits) const {
    auto look = [&](std::string_view bytes) {
      chunkenc::XorIterator it(bytes);
      if (it.Seek(t) && it.At().t == t) {
        *bits = Bits(it.At().v);
        return true;
      }
      return false;
    };
    for (const auto& c : closed) {
      if (t >= c.mint && t <= c.maxt) return look(c.chunk->Bytes());
    }
    if (HasOpen() && t >= open.FirstT() && t <= open.LastT()) return look(open.Bytes());
    return false;
  }
};

static_assert(sizeof(void*) != 8 || sizeof(MemSeries) == 72, "a 96-byte malloc chunk with 16 bytes of labels");

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
  static const std::vector<Sample> kNone;
  const std::vector<Sample>& ooo = s.closed.ooo() != nullptr ? *s.closed.ooo() : kNone;
  auto it = std::lower_bound(ooo.begin(), ooo.end(), t, [](const Sample& a, int64_t b) { return a.t < b; });
  uint64_t bits;
  bool found = false;
  if (it != ooo.end() && it->t == t) {
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
  // Series by label hash: a set of pointers (8 bytes a slot; the series
  // are owned by the ref stripes) hashed by the series' stored label hash,
  // searched by (hash, labels). The set uses bits 8..39 of the hash: a
  // stripe's hashes share their low byte (the stripe index), which the set
  // would otherwise use for its control bytes.
  struct HashKey {
    uint64_t hash;
    const Labels* labels;
  };
  struct SeriesHash {
    using is_transparent = void;
    static uint32_t Stored(uint64_t h) { return static_cast<uint32_t>(h >> 8); }
    size_t operator()(const MemSeries* s) const { return s->label_hash; }
    size_t operator()(const HashKey& k) const { return Stored(k.hash); }
  };
  struct SeriesEq {
    using is_transparent = void;
    bool operator()(const MemSeries* a, const MemSeries* b) const { return a == b; }
    bool operator()(const MemSeries* a, const HashKey& k) const {
      return a->label_hash == SeriesHash::Stored(k.hash) && a->labels().Equals(*k.labels);
    }
    bool operator()(const HashKey& k, const MemSeries* a) const { return (*this)(a, k); }
  };
  struct HashStripe {
    std::mutex mu;
    absl::flat_hash_set<MemSeries*, SeriesHash, SeriesEq> set;
  };
  // Series by reference: refs are handed out densely, so each stripe keeps
  // its series in a vector indexed by RefSlot(ref), from `base` on
  // (Truncate drops the prefix once it is empty): a lookup is an index, not
  // a hash probe. Runs of kRefRun consecutive refs share a stripe and sit
  // next to each other in it: a target's series were mostly created
  // together, so a scrape's lookups walk along cache lines instead of
  // touching another stripe's vector for every sample.
  static constexpr uint64_t kRefRun = 64;
  static size_t RefStripeOf(uint64_t ref) { return (ref / kRefRun) % kStripes; }
  static uint64_t RefSlot(uint64_t ref) { return ref / (kRefRun * kStripes) * kRefRun + ref % kRefRun; }
  struct RefStripe {
    SpinLock mu;
    uint64_t base = 0;
    std::vector<std::unique_ptr<MemSeries>> slots;  // owns the series

    std::unique_ptr<MemSeries>* Find(uint64_t ref) {
      uint64_t i = RefSlot(ref);
      if (i < base || i - base >= slots.size()) return nullptr;
      auto& p = slots[i - base];
      return p ? &p : nullptr;
    }
    void Put(uint64_t ref, std::unique_ptr<MemSeries> s) {
      uint64_t i = RefSlot(ref);
      if (slots.empty()) base = i;
      if (i < base) {
        const size_t k = base - i;  // empty slots in front
        slots.resize(slots.size() + k);
        std::move_backward(slots.begin(), slots.end() - k, slots.end());
        base = i;
      }
      if (i - base >= slots.size()) {
        // Grows by a quarter instead of doubling: every series has a slot.
        if (i - base >= slots.capacity()) {
          slots.reserve(std::max<size_t>(i - base + 1, slots.capacity() + slots.capacity() / 4 + 16));
        }
        slots.resize(i - base + 1);
      }
      slots[i - base] = std::move(s);
    }
    void Erase(uint64_t ref) {
      if (auto* p = Find(ref)) p->reset();
    }
    // Drops the empty prefix when it is most of the vector.
    void Compact() {
      size_t lead = 0;
      while (lead < slots.size() && !slots[lead]) ++lead;
      if (lead == slots.size()) {
        slots.clear();
      } else if (lead > 64 && lead * 2 > slots.size()) {
        slots.erase(slots.begin(), slots.begin() + lead);
        base += lead;
      }
    }
  };
  HashStripe hash[kStripes];
  RefStripe refs[kStripes];
  MemPostings postings;
  std::atomic<uint64_t> next_ref{1};
  std::atomic<uint64_t> next_batch_id{1};
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

  bool Exists(uint64_t ref) {
    RefStripe& st = refs[RefStripeOf(ref)];
    std::lock_guard<SpinLock> l(st.mu);
    return st.Find(ref) != nullptr;
  }

  // The series of `ref` pinned (a pinned series is not removed, so the
  // pointer stays valid until unpinned) and locked (its mu held), or null.
  MemSeries* PinLocked(uint64_t ref) {
    RefStripe& st = refs[RefStripeOf(ref)];
    std::lock_guard<SpinLock> l(st.mu);
    auto* p = st.Find(ref);
    if (p == nullptr) return nullptr;
    (*p)->mu.lock();
    (*p)->PinLocked();
    // A scrape appends a target's series in the order they were created
    // in, so ref + 1 is usually next: start fetching it (its slot is the
    // next one unless ref ends a run) while the caller parses its line.
    if ((ref + 1) % kRefRun != 0 && p + 1 < st.slots.data() + st.slots.size()) {
      if (const MemSeries* n = p[1].get()) {
        __builtin_prefetch(n, 1);
        __builtin_prefetch(reinterpret_cast<const char*>(n) + 64, 1);
      }
    }
    return p->get();
  }

  // Finds or creates the series; `want_ref` (replay) asks for a reference.
  // Returns it pinned when `pin` (else valid only while nothing can remove
  // it: WAL replay).
  MemSeries* GetOrCreate(const Labels& labels, bool pin, uint64_t want_ref, bool* created) {
    const uint64_t h = labels.Hash();
    HashStripe& hs = hash[h % kStripes];
    std::lock_guard<std::mutex> l(hs.mu);
    if (auto it = hs.set.find(HashKey{h, &labels}); it != hs.set.end()) {
      MemSeries* s = *it;
      if (pin) {
        std::lock_guard<SpinLock> sl(s->mu);
        s->PinLocked();
      }
      *created = false;
      return s;
    }
    uint64_t ref = want_ref;
    if (ref == 0) {
      ref = next_ref.fetch_add(1);
    } else {
      uint64_t cur = next_ref.load();
      while (cur <= ref && !next_ref.compare_exchange_weak(cur, ref + 1)) {
      }
    }
    auto s = MemSeries::Create(ref, SeriesHash::Stored(h), labels);
    MemSeries* raw = s.get();
    if (pin) s->pins.store(1);  // before it is published
    hs.set.insert(raw);
    {
      RefStripe& rs = refs[RefStripeOf(ref)];
      std::lock_guard<SpinLock> rl(rs.mu);
      rs.Put(ref, std::move(s));
    }
    postings.Add(ref, labels);
    ++series;
    ++series_created;
    *created = true;
    return raw;
  }

  // What a batch (or a WAL record) applied, added to the head's counters
  // once at its end: the counters are shared by every scrape thread, and an
  // atomic add per sample made their cache line bounce between cores.
  struct Applied {
    uint64_t samples = 0, ooo = 0, chunks = 0;
    int64_t min_t = INT64_MAX;
  };

  // Applies a checked sample. Holds s.mu.
  static void ApplyLocked(MemSeries& s, Verdict v, int64_t t, double val, Applied* a) {
    if (v == Verdict::kNoop) return;
    if (v == Verdict::kOutOfOrder) {
      std::vector<Sample>& ooo = s.closed.MutableOoo();
      auto it = std::lower_bound(ooo.begin(), ooo.end(), t, [](const Sample& a, int64_t b) { return a.t < b; });
      ooo.insert(it, Sample{t, val});
      ++a->ooo;
    } else {
      if (!s.HasOpen() || s.open.NumSamples() >= chunkenc::kSamplesPerChunk) {
        if (s.HasOpen()) s.CloseOpenLocked();
        ++a->chunks;
      }
      s.open.Append(t, val);
    }
    ++a->samples;
    a->min_t = std::min(a->min_t, t);
  }

  void Publish(const Applied& a) {
    if (a.samples == 0) return;
    samples_appended += a.samples;
    if (a.ooo != 0) ooo_appended += a.ooo;
    if (a.chunks != 0) chunks += a.chunks;
    int64_t cur = min_time.load();
    while (a.min_t < cur && !min_time.compare_exchange_weak(cur, a.min_t)) {
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

bool Head::IsLive(uint64_t ref) const { return impl_->Exists(ref); }

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
    for (auto it = hs.set.begin(); it != hs.set.end();) {
      {
        MemSeries& s = **it;
        bool empty;
        {
          std::lock_guard<SpinLock> sl(s.mu);
          size_t before = s.closed.size() + (s.HasOpen() ? 1 : 0);
          s.closed.EraseIf([&](const ChunkRef& c) { return c.maxt < mint; });
          if (s.HasOpen() && s.open.LastT() < mint) s.DropOpenLocked();
          im.chunks -= before - (s.closed.size() + (s.HasOpen() ? 1 : 0));
          if (s.closed.ooo() != nullptr) {
            std::erase_if(s.closed.MutableOoo(), [&](const Sample& x) { return x.t < mint; });
            s.closed.DropOooIfEmpty();
          }
          empty = s.EmptyLocked();
          if (!empty) new_min = std::min(new_min, s.MinTimeLocked());
        }
        bool gone = false;
        if (empty && s.pins.load() == 0) {
          Impl::RefStripe& rs = im.refs[Impl::RefStripeOf(s.ref)];
          std::lock_guard<SpinLock> rl(rs.mu);
          // Re-check under the ref stripe (PinLocked pins under it) and the
          // series lock: a batch may have pinned it, appended and unpinned
          // since it was found empty. With both stripe locks held, nothing
          // can reach it once it is unpinned and empty.
          bool removable;
          {
            std::lock_guard<SpinLock> sl(s.mu);
            removable = s.pins.load() == 0 && s.EmptyLocked();
          }
          if (removable) {
            const uint64_t ref = s.ref;
            removed.emplace_back(ref, s.labels().Unpack());
            hs.set.erase(it++);
            rs.Erase(ref);  // frees s
            gone = true;
          }
        }
        if (!gone) ++it;
      }
    }
  }
  if (!removed.empty()) {
    for (auto& rs : im.refs) {
      std::lock_guard<SpinLock> rl(rs.mu);
      rs.Compact();
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
  explicit HeadAppender(Head* h) : h_(h), im_(*h->impl_), id_(im_.next_batch_id.fetch_add(1)) {
    // A thread's batches tend to be alike (a scrape loop appends the same
    // target each time): size the lists like its last batch.
    if (last_batch_size > 0) {
      pending_.reserve(last_batch_size);
      samples_.reserve(last_batch_size);
      sample_slots_.reserve(last_batch_size);
    }
  }
  ~HeadAppender() override { Release(); }

  absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref, const Labels& labels, int64_t t,
                                            double v) override {
    // The series, pinned: by ref, else by labels (created when new).
    MemSeries* s = nullptr;
    if (ref != 0) {
      s = im_.PinLocked(ref);
      if (s != nullptr && !labels.empty() && !s->labels().Equals(labels)) {
        s->UnpinLocked();
        s->mu.unlock();
        s = nullptr;
      }
    }
    if (s == nullptr) {
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
      s->mu.lock();
    }

    Verdict verdict;
    AppendError e;
    uint32_t slot;
    {
      std::lock_guard<SpinLock> l(s->mu, std::adopt_lock);
      slot = AddPinnedLocked(s);
      const Pending& p = pending_[slot];
      int64_t max_t = s->MaxT();
      uint64_t last = s->LastBits();
      if (p.any && p.last_t > max_t) {
        max_t = p.last_t;
        last = p.last_bits;
      }
      e = CheckLocked(*s, max_t, last, t, v, LimitsNow(), &verdict);
      std::string_view open = s->open.Bytes();
      pending_[slot].chunk_begin = open.data();
      pending_[slot].chunk_end = open.data() + (open.empty() ? 0 : open.size() - 1);
    }
    if (e != AppendError::kNone) {
      im_.CountRejection(e);
      return storage::MakeAppendError(e, Describe(s->labels().Unpack(), t));
    }
    Pending& p = pending_[slot];
    if (verdict == Verdict::kAppend) {
      p.any = true;
      p.last_t = t;
      p.last_bits = Bits(v);
    }
    if (verdict != Verdict::kNoop) {
      samples_.push_back(wal::RefSample{s->ref, t, v});
      sample_slots_.push_back(slot);
      ++p.left;
    }
    return s->ref;
  }

  absl::Status Commit() override {
    if (samples_.empty()) {
      Release();
      return absl::OkStatus();
    }
    if (h_->wal_ != nullptr) {
      std::vector<wal::RefSeries> fresh;
      for (const auto& p : pending_) {
        if (p.fresh) fresh.push_back(wal::RefSeries{p.s->ref, p.s->labels().Unpack()});
      }
      std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) { return a.ref < b.ref; });
      std::vector<std::string> payloads;
      std::vector<wal::Record> recs;
      if (!fresh.empty()) {
        payloads.emplace_back();
        wal::EncodeSeries(fresh, &payloads.back());
      }
      for (size_t i = 0; i < samples_.size(); i += kSamplesPerRecord) {
        payloads.emplace_back();  // EncodeSamples sizes it
        wal::EncodeSamples(std::span<const wal::RefSample>(samples_).subspan(i, std::min(kSamplesPerRecord, samples_.size() - i)),
                           &payloads.back());
      }
      for (size_t i = 0; i < payloads.size(); ++i) {
        recs.push_back(wal::Record{(i == 0 && !fresh.empty()) ? wal::RecordType::kSeries : wal::RecordType::kSamples,
                                   payloads[i]});
      }
      absl::Status s = h_->wal_->Log(recs, wait_for_sync_);
      if (!s.ok()) {
        ++im_.commit_failures;
        Release();
        return s;
      }
      for (auto& p : pending_) {
        if (p.fresh) p.s->logged.store(true);
      }
    }
    { std::lock_guard<std::mutex> gate(h_->apply_gate_); }
    std::shared_lock<std::shared_mutex> applying(h_->apply_mu_);
    Limits lim = LimitsNow();
    int64_t max_seen = INT64_MIN;
    Head::Impl::Applied applied;
    constexpr size_t kAhead = 8;  // series prefetched ahead of the one applied
    for (size_t i = 0; i < samples_.size(); ++i) {
      if (i + kAhead < samples_.size()) {
        const Pending& ahead = pending_[sample_slots_[i + kAhead]];
        const char* next = reinterpret_cast<const char*>(ahead.s);
        __builtin_prefetch(next, 1);
        __builtin_prefetch(next + 64, 1);
        // The header (sample count) and the end of its open chunk, as
        // Append saw them (if another batch moved the buffer since, this
        // only fetches stale lines).
        __builtin_prefetch(ahead.chunk_begin, 1);
        __builtin_prefetch(ahead.chunk_end, 1);
      }
      const wal::RefSample& rs = samples_[i];
      Pending& p = pending_[sample_slots_[i]];
      MemSeries& s = *p.s;
      {
        std::lock_guard<SpinLock> l(s.mu);
        Verdict verdict;
        // The head may have changed since Append (another batch committed in
        // between): check again; a sample that lost the race is dropped and counted.
        AppendError e = CheckLocked(s, s.MaxT(), s.LastBits(), rs.t, rs.v, lim, &verdict);
        if (e != AppendError::kNone) {
          im_.CountRejection(e);
        } else {
          Head::Impl::ApplyLocked(s, verdict, rs.t, rs.v, &applied);
          max_seen = std::max(max_seen, rs.t);
        }
        // Its last sample of the batch: unpinned now, while in cache.
        if (--p.left == 0) {
          s.UnpinLocked();
          p.s = nullptr;
        }
      }
    }
    im_.Publish(applied);
    int64_t cur = h_->max_time_.load();
    while (max_seen > cur && !h_->max_time_.compare_exchange_weak(cur, max_seen)) {
    }
    ++im_.commits;
    Release();
    return absl::OkStatus();
  }

  void Rollback() override { Release(); }
  void SetWaitForSync(bool wait) override { wait_for_sync_ = wait; }

 private:
  // A series of the batch, pinned until the batch ends.
  struct Pending {
    MemSeries* s;      // null once unpinned (Commit)
    bool fresh = false;  // its series record was not in the WAL when added
    bool any = false;  // the batch holds in-order samples for it
    uint32_t left = 0;  // its samples in samples_ not yet applied
    int64_t last_t = 0;
    uint64_t last_bits = 0;
    // Of its open chunk when last appended to (Commit prefetches them).
    const char* chunk_begin = nullptr;
    const char* chunk_end = nullptr;
  };

  // Adds a series pinned by the caller to the batch (or drops the extra pin
  // when the batch has it already); returns its slot. The series remembers
  // its slot (batch_id/batch_slot) when no other open batch holds it (its
  // only pin is ours), so the usual case needs no lookup; otherwise the
  // batch's index_ maps it.
  // Holds s->mu.
  uint32_t AddPinnedLocked(MemSeries* s) {
    if (s->batch_id == static_cast<uint32_t>(id_) && s->batch_slot < pending_.size() &&
        pending_[s->batch_slot].s == s) {
      s->UnpinLocked();
      return s->batch_slot;
    }
    if (!index_.empty()) {
      if (auto it = index_.find(s->ref); it != index_.end()) {
        s->UnpinLocked();
        return it->second;
      }
    }
    const auto slot = static_cast<uint32_t>(pending_.size());
    pending_.push_back(Pending{s, !s->logged.load()});
    if (s->pins.load() == 1) {
      s->batch_id = static_cast<uint32_t>(id_);
      s->batch_slot = slot;
    } else {
      index_.emplace(s->ref, slot);
    }
    return slot;
  }

  Limits LimitsNow() const {
    return Limits{h_->min_valid_time_.load(), h_->max_time_.load(), h_->ooo_window_ms_.load(), false};
  }

  void Release() {
    if (!samples_.empty()) last_batch_size = std::min<size_t>(samples_.size(), 1 << 16);
    for (auto& p : pending_) {
      if (p.s != nullptr) {
        std::lock_guard<SpinLock> l(p.s->mu);
        p.s->UnpinLocked();
      }
    }
    pending_.clear();
    // A later batch of this appender must not match series tagged by this one.
    id_ = im_.next_batch_id.fetch_add(1);
    index_.clear();
    samples_.clear();
    sample_slots_.clear();
  }

  static thread_local size_t last_batch_size;

  Head* h_;
  bool wait_for_sync_ = true;
  Head::Impl& im_;
  uint64_t id_;  // of the open batch (Release starts a new one)
  std::vector<Pending> pending_;
  absl::flat_hash_map<uint64_t, uint32_t> index_;  // ref → slot in pending_
  std::vector<wal::RefSample> samples_;
  std::vector<uint32_t> sample_slots_;  // per sample, its series' slot
};

thread_local size_t HeadAppender::last_batch_size = 0;

std::unique_ptr<storage::Appender> Head::NewAppender() { return std::make_unique<HeadAppender>(this); }

// ------------------------------------------------------------------- replay

absl::Status Head::ReplayWal(disk::Env* env, const std::string& dir, wal::ReplayStats* stats) {
  Impl& im = *impl_;
  absl::flat_hash_map<uint64_t, MemSeries*> by_ref;
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
      Impl::Applied applied;
      absl::Cleanup publish = [&] { im.Publish(applied); };
      for (const auto& rs : samples) {
        max_ref = std::max(max_ref, rs.ref);
        auto it = by_ref.find(rs.ref);
        if (it == by_ref.end()) {
          ++unknown;
          continue;
        }
        MemSeries& s = *it->second;
        std::lock_guard<SpinLock> l(s.mu);
        Verdict verdict;
        if (CheckLocked(s, s.MaxT(), s.LastBits(), rs.t, rs.v, lim, &verdict) != AppendError::kNone) continue;
        Impl::ApplyLocked(s, verdict, rs.t, rs.v, &applied);
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
      MemSeries* s = im.PinLocked(ref);
      if (s == nullptr) continue;
      auto snap = std::make_shared<Snapshot>();
      Labels labels;
      {
        std::lock_guard<SpinLock> l(s->mu, std::adopt_lock);
        absl::Cleanup unpin = [s] { s->UnpinLocked(); };
        for (const auto& c : s->closed) {
          if (c.maxt >= mint_ && c.mint <= maxt_) snap->chunks.push_back(c);
        }
        if (s->HasOpen() && s->open.LastT() >= mint_ && s->open.FirstT() <= maxt_) {
          // The open chunk keeps growing: copy its bytes.
          snap->chunks.push_back(ChunkRef{std::make_shared<chunkenc::XorChunk>(std::string(s->open.Bytes())),
                                          s->open.FirstT(), s->open.LastT()});
        }
        if (const auto* ooo = s->closed.ooo()) {
          for (const auto& x : *ooo) {
            if (x.t >= mint_ && x.t <= maxt_) snap->ooo.push_back(x);
          }
        }
        if (snap->chunks.empty() && snap->ooo.empty()) continue;
        labels = s->labels().Unpack();
      }
      auto hs = std::make_unique<HeadSeries>(std::move(labels), std::move(snap), mint_, maxt_);
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
