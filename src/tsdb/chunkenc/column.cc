#include "tsdb/chunkenc/column.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "tsdb/chunkenc/coding.h"

namespace pharos::tsdb::chunkenc {
namespace {

using storage::Sample;

constexpr int kMaxScale = 15;
constexpr int64_t kMaxMantissa = int64_t{1} << 53;
constexpr double kPow10[kMaxScale + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
constexpr int64_t kIntPow10[kMaxScale + 1] = {1,
                                              10,
                                              100,
                                              1000,
                                              10000,
                                              100000,
                                              1000000,
                                              10000000,
                                              100000000,
                                              1000000000,
                                              10000000000,
                                              100000000000,
                                              1000000000000,
                                              10000000000000,
                                              100000000000000,
                                              1000000000000000};

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

double FromDecimal(int64_t m, int scale) {
  return scale == 0 ? static_cast<double>(m) : static_cast<double>(m) / kPow10[scale];
}

// The smallest scale s with v == m / 10^s bit for bit (|m| <= 2^53).
bool DecimalOf(double v, int* scale, int64_t* m) {
  for (int s = 0; s <= kMaxScale; ++s) {
    double x = v * kPow10[s];
    if (!(std::fabs(x) <= static_cast<double>(kMaxMantissa))) return false;
    auto mm = static_cast<int64_t>(std::llround(x));
    if (Bits(FromDecimal(mm, s)) == Bits(v)) {
      *scale = s;
      *m = mm;
      return true;
    }
  }
  return false;
}

// The mantissas of the values at one common scale. Values that are not
// decimals (NaNs such as staleness markers, infinities, -0.0, full-precision
// floats) become exceptions, listed in `exc`, and take the previous mantissa
// (0 before the first decimal). False when over a quarter are exceptions.
bool DecimalColumn(const std::vector<Sample>& samples, int* scale, std::vector<int64_t>* ms,
                   std::vector<size_t>* exc) {
  size_t n = samples.size();
  std::vector<int> scales(n);
  std::vector<bool> is_exc(n);
  ms->assign(n, 0);
  exc->clear();
  int top = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!DecimalOf(samples[i].v, &scales[i], &(*ms)[i])) {
      is_exc[i] = true;
      exc->push_back(i);
      if (exc->size() > n / 4) return false;
      continue;
    }
    top = std::max(top, scales[i]);
  }
  int64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t& m = (*ms)[i];
    if (is_exc[i]) {
      m = prev;
      continue;
    }
    int64_t f = kIntPow10[top - scales[i]];
    if (m > kMaxMantissa / f || m < -kMaxMantissa / f) return false;
    m *= f;
    if (Bits(FromDecimal(m, top)) != Bits(samples[i].v)) return false;
    prev = m;
  }
  *scale = top;
  return true;
}

size_t VarintLen(uint64_t v) { return v == 0 ? 1 : (std::bit_width(v) + 6) / 7; }

int64_t Sub(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); }
int64_t Add(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }

void PutXor(std::string* out, uint64_t x) {
  if (x == 0) {
    out->push_back(static_cast<char>(0x80));
    return;
  }
  int lz = std::countl_zero(x) / 8, tz = std::countr_zero(x) / 8;
  out->push_back(static_cast<char>(lz << 4 | tz));
  for (int i = 7 - lz; i >= tz; --i) out->push_back(static_cast<char>(x >> (8 * i)));
}

}  // namespace

absl::Status EncodeColumnChunk(const std::vector<Sample>& samples, std::string* out) {
  size_t n = samples.size();
  if (n == 0 || n > static_cast<size_t>(kMaxColumnSamples)) {
    return absl::InvalidArgumentError(absl::StrCat("column chunk: bad sample count ", n));
  }
  for (size_t i = 1; i < n; ++i) {
    if (samples[i].t <= samples[i - 1].t) {
      return absl::InvalidArgumentError(absl::StrCat("column chunk: timestamps not increasing at ", samples[i].t));
    }
  }
  PutUvarint(out, n);
  PutVarint(out, samples[0].t);
  if (n >= 2) {
    int64_t delta = Sub(samples[1].t, samples[0].t);
    PutUvarint(out, static_cast<uint64_t>(delta));
    for (size_t i = 2; i < n; ++i) {
      int64_t d = Sub(samples[i].t, samples[i - 1].t);
      PutVarint(out, Sub(d, delta));
      delta = d;
    }
  }
  int scale;
  std::vector<int64_t> ms;
  std::vector<size_t> exc;
  if (DecimalColumn(samples, &scale, &ms, &exc)) {
    // Delta or delta-of-delta, whichever is shorter.
    size_t delta_len = 0, dod_len = 0;
    for (size_t i = 1; i < n; ++i) {
      int64_t d = Sub(ms[i], ms[i - 1]);
      delta_len += VarintLen(ZigZag(d));
      dod_len += VarintLen(ZigZag(i == 1 ? d : Sub(d, Sub(ms[i - 1], ms[i - 2]))));
    }
    bool dod = dod_len < delta_len;
    out->push_back(static_cast<char>(dod ? ColumnValues::kDecimalDod : ColumnValues::kDecimalDelta));
    PutUvarint(out, exc.size());
    size_t last = 0;
    for (size_t e : exc) {
      PutUvarint(out, e - last);
      PutBE64(out, Bits(samples[e].v));
      last = e;
    }
    out->push_back(static_cast<char>(scale));
    PutVarint(out, ms[0]);
    for (size_t i = 1; i < n; ++i) {
      int64_t d = Sub(ms[i], ms[i - 1]);
      PutVarint(out, dod && i >= 2 ? Sub(d, Sub(ms[i - 1], ms[i - 2])) : d);
    }
    return absl::OkStatus();
  }
  out->push_back(static_cast<char>(ColumnValues::kXor));
  uint64_t prev = 0;
  for (const Sample& s : samples) {
    PutXor(out, Bits(s.v) ^ prev);
    prev = Bits(s.v);
  }
  return absl::OkStatus();
}

void ColumnIterator::Reset(std::string_view bytes) {
  samples_.clear();
  pos_ = 0;
  started_ = false;
  err_ = absl::OkStatus();
  auto corrupt = [&](std::string_view what) {
    samples_.clear();
    err_ = absl::DataLossError(absl::StrCat("corrupt column chunk: ", AV(what)));
  };
  Decoder dec(bytes);
  uint64_t n;
  if (!dec.GetUvarint(&n)) return corrupt("truncated sample count");
  // Every sample takes at least one byte in each column.
  if (n == 0 || n > static_cast<uint64_t>(kMaxColumnSamples) || n > dec.remaining()) {
    return corrupt("bad sample count");
  }
  samples_.resize(n);
  int64_t t;
  if (!dec.GetVarint(&t)) return corrupt("truncated timestamp");
  samples_[0].t = t;
  int64_t delta = 0;
  if (n >= 2) {
    uint64_t d;
    if (!dec.GetUvarint(&d)) return corrupt("truncated timestamp");
    delta = static_cast<int64_t>(d);
    int64_t next = Add(t, delta);
    if (next <= t) return corrupt("timestamps not increasing");
    samples_[1].t = t = next;
  }
  for (size_t i = 2; i < n; ++i) {
    int64_t dod;
    if (!dec.GetVarint(&dod)) return corrupt("truncated timestamp");
    delta = Add(delta, dod);
    int64_t next = Add(t, delta);
    if (next <= t) return corrupt("timestamps not increasing");
    samples_[i].t = t = next;
  }
  uint8_t mode;
  if (!dec.GetByte(&mode)) return corrupt("truncated value mode");
  if (mode == static_cast<uint8_t>(ColumnValues::kXor)) {
    uint64_t prev = 0;
    for (size_t i = 0; i < n; ++i) {
      uint8_t head;
      if (!dec.GetByte(&head)) return corrupt("truncated value");
      uint64_t x = 0;
      if (head != 0x80) {
        int lz = head >> 4, tz = head & 15;
        if (lz + tz > 7) return corrupt("bad value length");
        std::string_view b;
        if (!dec.GetBytes(8 - lz - tz, &b)) return corrupt("truncated value");
        for (char c : b) x = x << 8 | static_cast<uint8_t>(c);
        x <<= 8 * tz;
      }
      prev ^= x;
      samples_[i].v = std::bit_cast<double>(prev);
    }
  } else if (mode == static_cast<uint8_t>(ColumnValues::kDecimalDelta) ||
             mode == static_cast<uint8_t>(ColumnValues::kDecimalDod)) {
    bool dod = mode == static_cast<uint8_t>(ColumnValues::kDecimalDod);
    uint64_t nexc;
    if (!dec.GetUvarint(&nexc)) return corrupt("truncated exceptions");
    if (nexc > n) return corrupt("too many exceptions");
    std::vector<std::pair<size_t, uint64_t>> exc(nexc);
    size_t at = 0;
    for (size_t k = 0; k < nexc; ++k) {
      uint64_t gap, bits;
      if (!dec.GetUvarint(&gap) || !dec.GetBE64(&bits)) return corrupt("truncated exceptions");
      if ((k > 0 && gap == 0) || gap >= n - at) return corrupt("bad exception index");
      at += gap;
      exc[k] = {at, bits};
    }
    uint8_t scale;
    if (!dec.GetByte(&scale)) return corrupt("truncated scale");
    if (scale > kMaxScale) return corrupt("bad scale");
    int64_t m = 0, d = 0;
    for (size_t i = 0; i < n; ++i) {
      int64_t x;
      if (!dec.GetVarint(&x)) return corrupt("truncated value");
      if (i == 0) {
        m = x;
      } else {
        d = dod && i >= 2 ? Add(d, x) : x;
        m = Add(m, d);
      }
      if (m > kMaxMantissa || m < -kMaxMantissa) return corrupt("decimal out of range");
      samples_[i].v = FromDecimal(m, scale);
    }
    for (const auto& [i, bits] : exc) samples_[i].v = std::bit_cast<double>(bits);
  } else {
    return corrupt("unknown value mode");
  }
  if (dec.remaining() != 0) return corrupt("trailing bytes");
}

bool ColumnIterator::Next() {
  if (!started_) {
    started_ = true;
    return !samples_.empty();
  }
  if (pos_ >= samples_.size()) return false;
  return ++pos_ < samples_.size();
}

bool ColumnIterator::Seek(int64_t t) {
  if (!started_) {
    started_ = true;
    if (samples_.empty()) return false;
  }
  if (pos_ >= samples_.size()) return false;
  if (samples_[pos_].t >= t) return true;
  auto it = std::lower_bound(samples_.begin() + static_cast<std::ptrdiff_t>(pos_), samples_.end(), t,
                             [](const Sample& s, int64_t v) { return s.t < v; });
  pos_ = static_cast<size_t>(it - samples_.begin());
  return pos_ < samples_.size();
}

bool ColumnIterator::AppendUntil(int64_t maxt, std::vector<Sample>* out) {
  if (!started_ || pos_ >= samples_.size()) return false;
  auto end = std::upper_bound(samples_.begin() + static_cast<std::ptrdiff_t>(pos_), samples_.end(), maxt,
                              [](int64_t v, const Sample& s) { return v < s.t; });
  out->insert(out->end(), samples_.begin() + static_cast<std::ptrdiff_t>(pos_), end);
  pos_ = static_cast<size_t>(end - samples_.begin());
  return pos_ < samples_.size();
}

}  // namespace pharos::tsdb::chunkenc
