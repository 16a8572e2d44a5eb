#include "tsdb/chunkenc/xor.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tsdb/chunkenc/coding.h"

namespace pharos::tsdb::chunkenc {
namespace {

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// Delta-of-delta buckets: a prefix of 1..4 bits, then the value in `bits`
// bits (two's complement). The value range of an n-bit bucket is
// (-2^(n-1), 2^(n-1)]; anything else takes the 64-bit escape.
struct DodBucket {
  uint64_t prefix;
  int prefix_bits;
  int bits;
};
constexpr DodBucket kBuckets[] = {{0b10, 2, 7}, {0b110, 3, 17}, {0b1110, 4, 32}};

// Decimal deltas: values that are decimals with up to 3 fractional digits
// (cpu seconds, load averages, integer counters) are cheaper as the
// difference of the scaled integers than as an XOR of their float bits.
constexpr double kPow10[] = {1, 10, 100, 1000};
constexpr double kMaxScaled = 9007199254740992.0;  // 2^53: every integer up to it is exact
struct DeltaBucket {
  uint64_t prefix;
  int prefix_bits;
  int bits;
};
constexpr DeltaBucket kDeltaBuckets[] = {{0b0, 1, 7}, {0b10, 2, 14}, {0b110, 3, 24}, {0b111, 3, 56}};

// v * 10^s as an integer, when its magnitude is at most 2^53 (false for
// NaN and infinities), rounded half away from zero as std::llround does but
// inline (the encoder tries up to 8 of these per sample): below 2^53 the
// truncation and the remaining fraction are exact.
inline bool ToScaled(double v, int s, int64_t* m) {
  double w = v * kPow10[s];
  if (!(std::fabs(w) <= kMaxScaled)) return false;
  auto i = static_cast<int64_t>(w);
  double frac = w - static_cast<double>(i);
  if (frac >= 0.5) {
    ++i;
  } else if (frac <= -0.5) {
    --i;
  }
  *m = i;
  return true;
}
inline double FromScaled(int64_t m, int s) { return static_cast<double>(m) / kPow10[s]; }

int UvarintLen(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

bool Fits(int64_t dod, int bits) {
  int64_t half = int64_t{1} << (bits - 1);
  return dod > -half && dod <= half;
}

}  // namespace

XorChunk::XorChunk() : bytes_(kChunkHeaderSize, '\0') {}
XorChunk::XorChunk(std::string bytes) : bytes_(std::move(bytes)) {
  if (bytes_.size() < kChunkHeaderSize) bytes_.assign(kChunkHeaderSize, '\0');
}

// ---------------------------------------------------------------- encoder

namespace {

// Writes bits most significant first: whole bytes go to `out` (Out::Put),
// the pending bits wait left-aligned in a 64-bit register, so a sample's
// fields cost a shift and an or each instead of a loop over bytes.
template <class Out>
class BitWriter {
 public:
  // Continues after the first `used` bits of `partial` (the chunk's last
  // byte, taken back from the buffer).
  BitWriter(Out& out, uint8_t partial, int used) : out_(out), acc_(uint64_t{partial} << 56), bits_(used) {}

  // The low n bits of v (0 <= n <= 64; higher bits are ignored).
  void Write(uint64_t v, int n) {
    if (n == 0) return;
    if (n < 64) v &= (uint64_t{1} << n) - 1;
    if (bits_ + n > 64) {
      FlushWholeBytes();
      if (bits_ + n > 64) {  // n > 56: in two parts
        Write(v >> 32, n - 32);
        Write(v, 32);
        return;
      }
    }
    acc_ |= v << (64 - bits_ - n);
    bits_ += n;
  }

  // Hands over every pending bit, the last byte zero-padded; returns the
  // unused low bits of that byte.
  int Finish() {
    int k = (bits_ + 7) / 8;
    uint8_t tmp[8];
    for (int i = 0; i < k; ++i) tmp[i] = static_cast<uint8_t>(acc_ >> (56 - 8 * i));
    out_.Put(tmp, k);
    return k * 8 - bits_;
  }

 private:
  void FlushWholeBytes() {
    int k = bits_ / 8;
    uint8_t tmp[8];
    for (int i = 0; i < k; ++i) tmp[i] = static_cast<uint8_t>(acc_ >> (56 - 8 * i));
    out_.Put(tmp, k);
    acc_ = k == 8 ? 0 : acc_ << (8 * k);
    bits_ -= 8 * k;
  }

  Out& out_;
  uint64_t acc_;
  int bits_;
};

template <class W>
void WriteUvarint(W& w, uint64_t v) {
  while (v >= 0x80) {
    w.Write((v & 0x7f) | 0x80, 8);
    v >>= 7;
  }
  w.Write(v, 8);
}

template <class W>
void WriteValue(XorEncoderState& st, W& w, uint64_t bits) {
  uint64_t x = bits ^ st.v;
  if (x == 0) {
    w.Write(0, 1);
    return;
  }
  int lead = std::countl_zero(x);
  int trail = std::countr_zero(x);
  if (lead > 31) lead = 31;  // 5 bits
  bool reuse = st.leading != 0xff && lead >= st.leading && trail >= st.trailing;
  int xor_cost = reuse ? 3 + (64 - st.leading - st.trailing) : 3 + 11 + (64 - lead - trail);

  // A decimal delta, when one is exact and cheaper. The decoder derives the
  // previous scaled integer from the previous value the same way, and the
  // result is checked to round-trip bit-exactly here.
  if (xor_cost > 2 + 1 + 1 + 7) {
    double v, prev;
    std::memcpy(&v, &bits, sizeof v);
    std::memcpy(&prev, &st.v, sizeof prev);
    int best_cost = xor_cost, best_scale = -1, best_bucket = 0;
    uint64_t best_z = 0;
    for (int i = 0; i < 4; ++i) {
      int sc = (st.scale + i) & 3;  // the last scale used first
      int64_t mv, mp;
      if (!ToScaled(v, sc, &mv) || !ToScaled(prev, sc, &mp)) continue;
      if (Bits(FromScaled(mv, sc)) != bits) continue;
      uint64_t z = ZigZag(mv - mp);
      int b = 0;
      while (b < 3 && z >= (uint64_t{1} << kDeltaBuckets[b].bits)) ++b;
      int cost = 2 + (sc == st.scale ? 1 : 3) + kDeltaBuckets[b].prefix_bits + kDeltaBuckets[b].bits;
      if (cost < best_cost) {
        best_cost = cost;
        best_scale = sc;
        best_bucket = b;
        best_z = z;
      }
      if (b == 0 && sc == st.scale) break;  // cannot do better
    }
    if (best_scale >= 0) {
      // '10', then '0' (same scale) or '1' + the scale, then the bucket.
      const DeltaBucket& db = kDeltaBuckets[best_bucket];
      if (best_scale == st.scale) {
        w.Write(0b100, 3);
      } else {
        w.Write(0b10100 | static_cast<uint64_t>(best_scale), 5);
      }
      w.Write(db.prefix, db.prefix_bits);
      w.Write(best_z, db.bits);
      st.scale = static_cast<uint8_t>(best_scale);
      return;
    }
  }
  if (reuse) {
    // Fits the previous window: '110' + the window's bits.
    w.Write(0b110, 3);
    w.Write(x >> st.trailing, 64 - st.leading - st.trailing);
    return;
  }
  int sig = 64 - lead - trail;
  // '111', 5 bits of leading zeros, 6 bits of length (64 is stored as 0).
  w.Write((uint64_t{0b111} << 11) | (static_cast<uint64_t>(lead) << 6) | static_cast<uint64_t>(sig & 63), 14);
  w.Write(x >> trail, sig);
  st.leading = static_cast<uint8_t>(lead);
  st.trailing = static_cast<uint8_t>(trail);
}

// Whether (t, ...) may follow the samples of `st`.
bool CanAppend(const XorEncoderState& st, int64_t t) {
  return st.n < kMaxSamplesPerChunk && (st.n == 0 || t > st.t);
}

// Writes sample (t, bits) after those of `st` (CanAppend holds) and
// advances the state (all but free_bits, which the caller's writer knows).
template <class W>
void EncodeSample(XorEncoderState& st, W& w, int64_t t, uint64_t bits) {
  if (st.n == 0) {
    WriteUvarint(w, ZigZag(t));
    // The first value: a scaled decimal when exact and shorter, else raw.
    double v;
    std::memcpy(&v, &bits, sizeof v);
    int best = -1;
    uint64_t best_z = 0;
    int best_len = 64;
    for (int sc = 0; sc < 4; ++sc) {
      int64_t m;
      if (!ToScaled(v, sc, &m) || Bits(FromScaled(m, sc)) != bits) continue;
      uint64_t z = ZigZag(m);
      int len = 2 + 8 * UvarintLen(z);
      if (len < best_len) {
        best = sc;
        best_z = z;
        best_len = len;
      }
    }
    if (best >= 0) {
      w.Write(0b100 | static_cast<uint64_t>(best), 3);
      WriteUvarint(w, best_z);
      st.scale = static_cast<uint8_t>(best);
    } else {
      w.Write(0, 1);
      w.Write(bits, 64);
    }
  } else if (st.n == 1) {
    st.delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(st.t);
    WriteUvarint(w, st.delta);
    WriteValue(st, w, bits);
  } else {
    uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(st.t);
    auto dod = static_cast<int64_t>(delta - st.delta);
    if (dod == 0) {
      w.Write(0, 1);
    } else {
      bool done = false;
      for (const auto& b : kBuckets) {
        if (Fits(dod, b.bits)) {
          w.Write(b.prefix, b.prefix_bits);
          w.Write(static_cast<uint64_t>(dod), b.bits);
          done = true;
          break;
        }
      }
      if (!done) {
        w.Write(0b1111, 4);
        w.Write(static_cast<uint64_t>(dod), 64);
      }
    }
    st.delta = delta;
    WriteValue(st, w, bits);
  }
  st.t = t;
  st.v = bits;
  ++st.n;
}

void SetHeader(char* b, uint16_t n) {
  b[0] = static_cast<char>(n >> 8);
  b[1] = static_cast<char>(n & 0xff);
}

// Grows a chunk's buffer by a quarter (at least 32 bytes) instead of
// std::string's doubling: a chunk is appended to a byte or two at a time,
// and doubling leaves a quarter of it unused on average. A string reserved
// from empty gets exactly the capacity asked for (libstdc++ doubles only
// when asked for less than twice the old capacity).
struct StringOut {
  std::string* b;
  void Put(const uint8_t* p, int k) {
    if (b->size() + k > b->capacity()) {
      std::string n;
      n.reserve(b->size() + std::max<size_t>({32, b->size() / 4, static_cast<size_t>(k)}));
      n.append(*b);
      b->swap(n);
    }
    b->append(reinterpret_cast<const char*>(p), k);
  }
};

// One bit at a time into a string (the reference for tests).
struct BitByBit {
  std::string* b;
  int free = 0;
  void Write(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      if (free == 0) {
        b->push_back('\0');
        free = 8;
      }
      --free;
      if ((v >> i) & 1) b->back() = static_cast<char>(static_cast<uint8_t>(b->back()) | (1u << free));
    }
  }
};

}  // namespace

namespace internal {
std::string EncodeBitByBitForTest(const std::vector<storage::Sample>& samples) {
  std::string b(kChunkHeaderSize, '\0');
  XorEncoderState st;
  BitByBit w{&b};
  for (const auto& s : samples) {
    if (!CanAppend(st, s.t)) break;
    EncodeSample(st, w, s.t, Bits(s.v));
  }
  SetHeader(b.data(), st.n);
  return b;
}
}  // namespace internal

// ---------------------------------------------------------------- appender

XorAppender::XorAppender(XorChunk* chunk) : chunk_(chunk) {
  if (chunk_->NumSamples() == 0) {
    chunk_->bytes_.assign(kChunkHeaderSize, '\0');
    return;
  }
  // Restore the encoder state by decoding and re-encoding: the encoding is
  // deterministic, so the bytes come out identical.
  std::vector<storage::Sample> samples;
  XorIterator it(chunk_->bytes_);
  if (it.Next()) it.AppendUntil(INT64_MAX, &samples);
  if (!it.Err().ok() || static_cast<int>(samples.size()) != it.NumSamples()) {
    status_ = it.Err().ok() ? absl::DataLossError("corrupt chunk: fewer samples than its header says") : it.Err();
    return;
  }
  chunk_->bytes_.assign(kChunkHeaderSize, '\0');
  for (const auto& s : samples) Append(s.t, s.v);
}

bool XorAppender::Append(int64_t t, double v) {
  if (!status_.ok() || !CanAppend(st_, t)) return false;
  std::string& b = chunk_->bytes_;
  uint8_t partial = 0;
  if (st_.free_bits != 0) {
    partial = static_cast<uint8_t>(b.back());
    b.pop_back();
  }
  StringOut out{&b};
  BitWriter<StringOut> w(out, partial, st_.free_bits != 0 ? 8 - st_.free_bits : 0);
  EncodeSample(st_, w, t, Bits(v));
  st_.free_bits = static_cast<uint8_t>(w.Finish());
  SetHeader(b.data(), st_.n);
  return true;
}

// ---------------------------------------------------------------- open chunk

namespace {

// The smallest size >= n that glibc's malloc hands out whole (24, 40, 56,
// ... on 64-bit: chunks of 16-byte multiples less their 8-byte header), so
// the capacity asked for is all the chunk holds.
uint32_t MallocSize(uint32_t n) { return n <= 24 ? 24 : 24 + (n - 24 + 15) / 16 * 16; }

// The buffer size for `n` bytes of chunk. A function of the length alone,
// so the capacity need not be stored: the buffer always has exactly this
// size. Up to 256 bytes (a 120-sample chunk of a counter) it is n rounded
// up to a malloc size: it grows every 16 bytes, about 10 samples, and at
// most 15 bytes are unused; longer chunks (noisy floats, ~7 bytes a
// sample) grow in steps of an eighth, so they are not reallocated every
// other sample.
uint32_t CapacityFor(uint32_t n) {
  if (n <= 256) return MallocSize(n);
  const uint32_t step = std::bit_floor(n) / 8;
  return MallocSize((n + step - 1) / step * step);
}

}  // namespace

XorOpenChunk::XorOpenChunk(XorOpenChunk&& o) noexcept { *this = std::move(o); }

XorOpenChunk& XorOpenChunk::operator=(XorOpenChunk&& o) noexcept {
  if (this != &o) {
    std::free(buf_);
    buf_ = std::exchange(o.buf_, nullptr);
    size_ = std::exchange(o.size_, 0);
    SetState(o.State());
    o.SetState(XorEncoderState());
    o.t_ = INT64_MIN;
  }
  return *this;
}

size_t XorOpenChunk::Capacity() const { return buf_ == nullptr ? 0 : CapacityFor(size_); }

XorEncoderState XorOpenChunk::State() const {
  XorEncoderState st;
  st.t = t_;
  st.delta = delta_;
  st.v = v_;
  st.n = static_cast<uint16_t>(NumSamples());
  st.free_bits = free_bits_;
  st.leading = leading_;
  st.trailing = trailing_;
  st.scale = scale_;
  return st;
}

void XorOpenChunk::SetState(const XorEncoderState& st) {
  t_ = st.t;
  delta_ = st.delta;
  v_ = st.v;
  free_bits_ = st.free_bits;
  leading_ = st.leading;
  trailing_ = st.trailing;
  scale_ = st.scale;
}

void XorOpenChunk::Clear() {
  std::free(buf_);
  buf_ = nullptr;
  size_ = 0;
  XorEncoderState fresh;
  fresh.t = t_;  // kept for the holder
  fresh.v = v_;
  SetState(fresh);
}

int64_t XorOpenChunk::FirstT() const {
  // Our own bytes: the header, then a well-formed uvarint.
  uint64_t u = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(buf_) + kChunkHeaderSize;
  for (int shift = 0;; shift += 7, ++p) {
    u |= static_cast<uint64_t>(*p & 0x7f) << shift;
    if (*p < 0x80) break;
  }
  return UnZigZag(u);
}

bool XorOpenChunk::Append(int64_t t, double v) {
  XorEncoderState st = State();
  if (!CanAppend(st, t)) return false;
  struct Out {
    XorOpenChunk* c;
    uint32_t cap;
    void Grow(uint32_t cap_wanted) {
      void* nb = std::realloc(c->buf_, cap_wanted);
      if (nb == nullptr) std::abort();
      c->buf_ = static_cast<char*>(nb);
      cap = cap_wanted;
    }
    void Put(const uint8_t* p, int k) {
      if (c->size_ + k > cap) Grow(CapacityFor(c->size_ + k));
      std::memcpy(c->buf_ + c->size_, p, k);
      c->size_ += k;
    }
  } out{this, Capacity() > 0 ? static_cast<uint32_t>(Capacity()) : 0};
  uint8_t partial = 0;
  int used = 0;
  if (st.n == 0) {
    const uint8_t header[kChunkHeaderSize] = {0, 0};
    out.Put(header, kChunkHeaderSize);
  } else if (st.free_bits != 0) {
    partial = static_cast<uint8_t>(buf_[--size_]);
    used = 8 - st.free_bits;
  }
  BitWriter<Out> w(out, partial, used);
  EncodeSample(st, w, t, Bits(v));
  st.free_bits = static_cast<uint8_t>(w.Finish());
  // Keep the buffer at the size its length implies.
  if (out.cap != CapacityFor(size_)) out.Grow(CapacityFor(size_));
  SetHeader(buf_, st.n);
  SetState(st);
  return true;
}

// ---------------------------------------------------------------- iterator

void XorIterator::Reset(std::string_view bytes) {
  *this = XorIterator();
  if (bytes.size() == 1) {
    Corrupt("shorter than its 2-byte header");
    return;
  }
  total_ = NumSamplesOf(bytes);
  if (bytes.size() >= kChunkHeaderSize) {
    p_ = reinterpret_cast<const uint8_t*>(bytes.data()) + kChunkHeaderSize;
    end_ = reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size();
  }
}

double XorIterator::V() const {
  double d;
  std::memcpy(&d, &v_, sizeof d);
  return d;
}

bool XorIterator::Corrupt(const char* what) {
  done_ = true;
  if (err_.ok()) err_ = absl::DataLossError(absl::StrCat("corrupt XOR chunk at sample ", read_, ": ", what));
  return false;
}

inline void XorIterator::Refill() {
  while (acc_bits_ <= 56 && p_ < end_) {
    acc_ |= uint64_t{*p_++} << (56 - acc_bits_);
    acc_bits_ += 8;
  }
}

inline bool XorIterator::ReadBit(bool* b) {
  if (acc_bits_ == 0) {
    Refill();
    if (acc_bits_ == 0) return Corrupt("truncated bit stream");
  }
  *b = (acc_ >> 63) != 0;
  acc_ <<= 1;
  --acc_bits_;
  return true;
}

inline bool XorIterator::ReadBits(int n, uint64_t* out) {
  if (n > 56) {
    uint64_t hi = 0, lo = 0;
    if (!ReadBits(n - 32, &hi) || !ReadBits(32, &lo)) return false;
    *out = (hi << 32) | lo;
    return true;
  }
  if (n == 0) {
    *out = 0;
    return true;
  }
  if (acc_bits_ < n) {
    Refill();
    if (acc_bits_ < n) return Corrupt("truncated bit stream");
  }
  *out = acc_ >> (64 - n);
  acc_ <<= n;
  acc_bits_ -= n;
  return true;
}

bool XorIterator::ReadUvarint(uint64_t* out) {
  // At most 10 bytes, read 8 bits at a time.
  uint64_t u = 0;
  for (int shift = 0;; shift += 7) {
    if (shift > 63) return Corrupt("varint too long");
    uint64_t byte = 0;
    if (!ReadBits(8, &byte)) return false;
    if (shift == 63 && byte > 1) return Corrupt("varint overflows 64 bits");
    u |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  *out = u;
  return true;
}

inline bool XorIterator::Decode() {
  if (done_) return false;
  if (read_ >= total_) {
    done_ = true;
    return false;
  }
  if (read_ < 2) {
    uint64_t u = 0;
    if (!ReadUvarint(&u)) return false;
    if (read_ == 0) {
      t_ = UnZigZag(u);
      bool decimal = false;
      if (!ReadBit(&decimal)) return false;
      if (decimal) {
        uint64_t sc = 0, z = 0;
        if (!ReadBits(2, &sc) || !ReadUvarint(&z)) return false;
        int64_t m = UnZigZag(z);
        if (m > static_cast<int64_t>(kMaxScaled) || m < -static_cast<int64_t>(kMaxScaled)) {
          return Corrupt("first value out of range");
        }
        double v = FromScaled(m, static_cast<int>(sc));
        std::memcpy(&v_, &v, sizeof v);
        scale_ = static_cast<uint8_t>(sc);
      } else if (!ReadBits(64, &v_)) {
        return false;
      }
      ++read_;
      return true;
    }
    delta_ = u;
  } else {
    // Delta of delta: count the leading 1 bits of the prefix (at most 4).
    int ones = 0;
    for (; ones < 4; ++ones) {
      bool b = false;
      if (!ReadBit(&b)) return false;
      if (!b) break;
    }
    if (ones > 0) {
      int bits = ones == 4 ? 64 : kBuckets[ones - 1].bits;
      uint64_t u = 0;
      if (!ReadBits(bits, &u)) return false;
      if (bits < 64 && u > (uint64_t{1} << (bits - 1))) u -= uint64_t{1} << bits;  // sign
      delta_ += u;
    }
  }
  auto t = static_cast<int64_t>(static_cast<uint64_t>(t_) + delta_);
  if (t <= t_) return Corrupt("timestamps not increasing");
  t_ = t;

  bool changed = false;
  if (!ReadBit(&changed)) return false;
  if (changed) {
    bool b2 = false, b3 = false;
    if (!ReadBit(&b2)) return false;
    if (!b2) {
      // '10': decimal delta.
      bool new_scale = false;
      if (!ReadBit(&new_scale)) return false;
      if (new_scale) {
        uint64_t sc = 0;
        if (!ReadBits(2, &sc)) return false;
        scale_ = static_cast<uint8_t>(sc);
      }
      int b = 0;
      for (; b < 3; ++b) {
        bool one = false;
        if (!ReadBit(&one)) return false;
        if (!one) break;
      }
      uint64_t z = 0;
      if (!ReadBits(kDeltaBuckets[b].bits, &z)) return false;
      int64_t mp;
      if (!ToScaled(V(), scale_, &mp)) return Corrupt("decimal delta after a value out of range");
      int64_t d = UnZigZag(z);
      if (d > 2 * static_cast<int64_t>(kMaxScaled) || d < -2 * static_cast<int64_t>(kMaxScaled)) {
        return Corrupt("decimal delta out of range");
      }
      double v = FromScaled(mp + d, scale_);
      std::memcpy(&v_, &v, sizeof v);
    } else {
      if (!ReadBit(&b3)) return false;
      if (b3) {
        // '111': a new window.
        uint64_t lead = 0, sig = 0;
        if (!ReadBits(5, &lead) || !ReadBits(6, &sig)) return false;
        if (sig == 0) sig = 64;
        if (lead + sig > 64) return Corrupt("XOR window wider than 64 bits");
        leading_ = static_cast<uint8_t>(lead);
        trailing_ = static_cast<uint8_t>(64 - lead - sig);
      } else if (leading_ == 0xff) {  // '110': the current window
        return Corrupt("XOR window reused before one was set");
      }
      int sig = 64 - leading_ - trailing_;
      uint64_t x = 0;
      if (!ReadBits(sig, &x)) return false;
      v_ ^= x << trailing_;
    }
  }
  ++read_;
  return true;
}

bool XorIterator::Next() { return Decode(); }

bool XorIterator::Seek(int64_t t) {
  if (done_) return false;
  if (read_ > 0 && t_ >= t) return true;
  while (Decode()) {
    if (t_ >= t) return true;
  }
  return false;
}

bool XorIterator::AppendUntil(int64_t maxt, std::vector<storage::Sample>* out) {
  if (done_ || read_ == 0) return false;
  // Room for the rest of this chunk, growing geometrically: callers append
  // chunk after chunk into one vector.
  // Every further sample takes at least 2 bits, which bounds what a corrupt
  // header can make us reserve.
  size_t left = std::min(static_cast<size_t>(total_ - read_ + 1),
                         static_cast<size_t>(end_ - p_) * 4 + static_cast<size_t>(acc_bits_) / 2 + 1);
  if (out->capacity() - out->size() < left) out->reserve(std::max(out->size() + left, 2 * out->capacity()));
  for (;;) {
    if (t_ > maxt) return true;
    out->push_back(storage::Sample{t_, V()});
    if (!Decode()) return false;
  }
}

}  // namespace pharos::tsdb::chunkenc
