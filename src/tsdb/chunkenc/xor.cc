#include "tsdb/chunkenc/xor.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

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
// NaN and infinities).
inline bool ToScaled(double v, int s, int64_t* m) {
  double w = v * kPow10[s];
  if (!(std::fabs(w) <= kMaxScaled)) return false;
  *m = std::llround(w);
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

uint16_t NumSamplesOf(std::string_view bytes) {
  if (bytes.size() < kChunkHeaderSize) return 0;
  return static_cast<uint16_t>((static_cast<uint8_t>(bytes[0]) << 8) | static_cast<uint8_t>(bytes[1]));
}

XorChunk::XorChunk() : bytes_(kChunkHeaderSize, '\0') {}
XorChunk::XorChunk(std::string bytes) : bytes_(std::move(bytes)) {
  if (bytes_.size() < kChunkHeaderSize) bytes_.assign(kChunkHeaderSize, '\0');
}

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

namespace {

// Grows a chunk's buffer by a quarter (at least 32 bytes) instead of
// std::string's doubling: a head holds one open chunk per series, and
// doubling leaves a quarter of them unused on average. A string reserved
// from empty gets exactly the capacity asked for (libstdc++ doubles only
// when asked for less than twice the old capacity).
void GrowTight(std::string* b) {
  std::string n;
  n.reserve(b->size() + std::max<size_t>(32, b->size() / 4));
  n.append(*b);
  b->swap(n);
}

}  // namespace

void XorAppender::WriteBits(uint64_t v, int n) {
  std::string& b = chunk_->bytes_;
  while (n > 0) {
    if (free_bits_ == 0) {
      if (b.size() == b.capacity()) GrowTight(&b);
      b.push_back('\0');
      free_bits_ = 8;
    }
    int take = n < free_bits_ ? n : free_bits_;
    auto part = static_cast<uint8_t>((v >> (n - take)) & ((1u << take) - 1));
    b.back() = static_cast<char>(static_cast<uint8_t>(b.back()) | (part << (free_bits_ - take)));
    free_bits_ -= take;
    n -= take;
  }
}

void XorAppender::WriteUvarint(uint64_t v) {
  while (v >= 0x80) {
    WriteBits((v & 0x7f) | 0x80, 8);
    v >>= 7;
  }
  WriteBits(v, 8);
}

void XorAppender::WriteValue(uint64_t bits) {
  uint64_t x = bits ^ v_;
  if (x == 0) {
    WriteBits(0, 1);
    return;
  }
  int lead = std::countl_zero(x);
  int trail = std::countr_zero(x);
  if (lead > 31) lead = 31;  // 5 bits
  bool reuse = leading_ != 0xff && lead >= leading_ && trail >= trailing_;
  int xor_cost = reuse ? 3 + (64 - leading_ - trailing_) : 3 + 11 + (64 - lead - trail);

  // A decimal delta, when one is exact and cheaper. The decoder derives the
  // previous scaled integer from the previous value the same way, and the
  // result is checked to round-trip bit-exactly here.
  if (xor_cost > 2 + 1 + 1 + 7) {
    double v, prev;
    std::memcpy(&v, &bits, sizeof v);
    std::memcpy(&prev, &v_, sizeof prev);
    int best_cost = xor_cost, best_scale = -1, best_bucket = 0;
    uint64_t best_z = 0;
    for (int i = 0; i < 4; ++i) {
      int sc = (scale_ + i) & 3;  // the last scale used first
      int64_t mv, mp;
      if (!ToScaled(v, sc, &mv) || !ToScaled(prev, sc, &mp)) continue;
      if (Bits(FromScaled(mv, sc)) != bits) continue;
      uint64_t z = ZigZag(mv - mp);
      int b = 0;
      while (b < 3 && z >= (uint64_t{1} << kDeltaBuckets[b].bits)) ++b;
      int cost = 2 + (sc == scale_ ? 1 : 3) + kDeltaBuckets[b].prefix_bits + kDeltaBuckets[b].bits;
      if (cost < best_cost) {
        best_cost = cost;
        best_scale = sc;
        best_bucket = b;
        best_z = z;
      }
      if (b == 0 && sc == scale_) break;  // cannot do better
    }
    if (best_scale >= 0) {
      WriteBits(0b10, 2);
      if (best_scale == scale_) {
        WriteBits(0, 1);
      } else {
        WriteBits(1, 1);
        WriteBits(static_cast<uint64_t>(best_scale), 2);
      }
      const DeltaBucket& db = kDeltaBuckets[best_bucket];
      WriteBits(db.prefix, db.prefix_bits);
      WriteBits(best_z, db.bits);
      scale_ = static_cast<uint8_t>(best_scale);
      return;
    }
  }
  if (reuse) {
    // Fits the previous window: '110' + the window's bits.
    WriteBits(0b110, 3);
    WriteBits(x >> trailing_, 64 - leading_ - trailing_);
    return;
  }
  int sig = 64 - lead - trail;
  WriteBits(0b111, 3);
  WriteBits(static_cast<uint64_t>(lead), 5);
  WriteBits(static_cast<uint64_t>(sig & 63), 6);  // 64 is stored as 0
  WriteBits(x >> trail, sig);
  leading_ = static_cast<uint8_t>(lead);
  trailing_ = static_cast<uint8_t>(trail);
}

bool XorAppender::Append(int64_t t, double v) {
  if (!status_.ok() || n_ >= kMaxSamplesPerChunk) return false;
  if (n_ > 0 && t <= t_) return false;
  uint64_t bits = Bits(v);
  if (n_ == 0) {
    WriteUvarint(ZigZag(t));
    // The first value: a scaled decimal when exact and shorter, else raw.
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
      WriteBits(1, 1);
      WriteBits(static_cast<uint64_t>(best), 2);
      WriteUvarint(best_z);
      scale_ = static_cast<uint8_t>(best);
    } else {
      WriteBits(0, 1);
      WriteBits(bits, 64);
    }
  } else if (n_ == 1) {
    delta_ = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    WriteUvarint(delta_);
    WriteValue(bits);
  } else {
    uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    auto dod = static_cast<int64_t>(delta - delta_);
    if (dod == 0) {
      WriteBits(0, 1);
    } else {
      bool done = false;
      for (const auto& b : kBuckets) {
        if (Fits(dod, b.bits)) {
          WriteBits(b.prefix, b.prefix_bits);
          WriteBits(static_cast<uint64_t>(dod), b.bits);
          done = true;
          break;
        }
      }
      if (!done) {
        WriteBits(0b1111, 4);
        WriteBits(static_cast<uint64_t>(dod), 64);
      }
    }
    delta_ = delta;
    WriteValue(bits);
  }
  t_ = t;
  v_ = bits;
  ++n_;
  std::string& b = chunk_->bytes_;
  b[0] = static_cast<char>(n_ >> 8);
  b[1] = static_cast<char>(n_ & 0xff);
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
