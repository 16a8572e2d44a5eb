#include "tsdb/chunkenc/xor.h"

#include <bit>
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
constexpr DodBucket kBuckets[] = {{0b10, 2, 14}, {0b110, 3, 17}, {0b1110, 4, 20}};

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

void XorAppender::WriteBits(uint64_t v, int n) {
  std::string& b = chunk_->bytes_;
  while (n > 0) {
    if (free_bits_ == 0) {
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

void XorAppender::WriteValue(uint64_t bits) {
  uint64_t x = bits ^ v_;
  if (x == 0) {
    WriteBits(0, 1);
    return;
  }
  int lead = std::countl_zero(x);
  int trail = std::countr_zero(x);
  if (lead > 31) lead = 31;  // 5 bits
  if (leading_ != 0xff && lead >= leading_ && trail >= trailing_) {
    // Fits the previous window: '10' + the window's bits.
    WriteBits(0b10, 2);
    int sig = 64 - leading_ - trailing_;
    WriteBits(x >> trailing_, sig);
    return;
  }
  int sig = 64 - lead - trail;
  WriteBits(0b11, 2);
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
    uint64_t z = ZigZag(t);
    while (z >= 0x80) {
      WriteBits((z & 0x7f) | 0x80, 8);
      z >>= 7;
    }
    WriteBits(z, 8);
    WriteBits(bits, 64);
  } else if (n_ == 1) {
    delta_ = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    uint64_t d = delta_;
    while (d >= 0x80) {
      WriteBits((d & 0x7f) | 0x80, 8);
      d >>= 7;
    }
    WriteBits(d, 8);
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

inline bool XorIterator::Decode() {
  if (done_) return false;
  if (read_ >= total_) {
    done_ = true;
    return false;
  }
  if (read_ < 2) {
    // A uvarint of at most 10 bytes, read 8 bits at a time.
    uint64_t u = 0;
    for (int shift = 0;; shift += 7) {
      if (shift > 63) return Corrupt("varint too long");
      uint64_t byte = 0;
      if (!ReadBits(8, &byte)) return false;
      if (shift == 63 && byte > 1) return Corrupt("varint overflows 64 bits");
      u |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    if (read_ == 0) {
      t_ = UnZigZag(u);
      if (!ReadBits(64, &v_)) return false;
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
    bool fresh = false;
    if (!ReadBit(&fresh)) return false;
    if (fresh) {
      uint64_t lead = 0, sig = 0;
      if (!ReadBits(5, &lead) || !ReadBits(6, &sig)) return false;
      if (sig == 0) sig = 64;
      if (lead + sig > 64) return Corrupt("XOR window wider than 64 bits");
      leading_ = static_cast<uint8_t>(lead);
      trailing_ = static_cast<uint8_t>(64 - lead - sig);
    } else if (leading_ == 0xff) {
      return Corrupt("XOR window reused before one was set");
    }
    int sig = 64 - leading_ - trailing_;
    uint64_t x = 0;
    if (!ReadBits(sig, &x)) return false;
    v_ ^= trailing_ == 64 ? 0 : x << trailing_;
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
  int left = total_ - read_ + 1;
  if (out->capacity() - out->size() < static_cast<size_t>(left)) out->reserve(out->size() + left);
  for (;;) {
    if (t_ > maxt) return true;
    out->push_back(storage::Sample{t_, V()});
    if (!Decode()) return false;
  }
}

}  // namespace pharos::tsdb::chunkenc
