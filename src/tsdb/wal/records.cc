#include "tsdb/wal/records.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace pharos::tsdb::wal {
namespace {

void PutUvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutVarint(std::string* out, int64_t v) {
  PutUvarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}

class Decoder {
 public:
  explicit Decoder(std::string_view d) : d_(d) {}
  bool Uvarint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= d_.size()) return false;
      uint8_t b = static_cast<uint8_t>(d_[pos_++]);
      if (shift == 63 && b > 1) return false;
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Varint(int64_t* v) {
    uint64_t u;
    if (!Uvarint(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (d_.size() - pos_ < 8) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r |= static_cast<uint64_t>(static_cast<uint8_t>(d_[pos_ + i])) << (8 * i);
    pos_ += 8;
    *v = r;
    return true;
  }
  bool Bytes(std::string_view* s) {
    uint64_t n;
    if (!Uvarint(&n) || n > d_.size() - pos_) return false;
    *s = d_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return d_.size() - pos_; }

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

absl::Status Malformed(std::string_view what, size_t off) {
  return absl::DataLossError(absl::StrCat("malformed ", std::string(what), " record at payload byte ", off));
}

}  // namespace

void EncodeSeries(std::span<const RefSeries> series, std::string* out) {
  for (const auto& s : series) {
    PutUvarint(out, s.ref);
    PutUvarint(out, s.labels.size());
    for (const auto& l : s.labels) {
      PutUvarint(out, l.name.size());
      out->append(l.name);
      PutUvarint(out, l.value.size());
      out->append(l.value);
    }
  }
}

void EncodeSamples(std::span<const RefSample> samples, std::string* out) {
  if (samples.empty()) return;
  const uint64_t base_ref = samples[0].ref;
  const int64_t base_t = samples[0].t;
  PutUvarint(out, base_ref);
  PutVarint(out, base_t);
  for (const auto& s : samples) {
    PutVarint(out, static_cast<int64_t>(s.ref - base_ref));
    PutVarint(out, static_cast<int64_t>(static_cast<uint64_t>(s.t) - static_cast<uint64_t>(base_t)));
    uint64_t bits;
    std::memcpy(&bits, &s.v, 8);
    PutFixed64(out, bits);
  }
}

absl::Status DecodeSeries(std::string_view payload, std::vector<RefSeries>* out) {
  Decoder d(payload);
  while (d.remaining() > 0) {
    size_t start = d.pos();
    RefSeries s;
    uint64_t n;
    if (!d.Uvarint(&s.ref) || !d.Uvarint(&n)) return Malformed("series", start);
    // Each label takes at least two bytes: bounds the reservation.
    if (n > d.remaining() / 2) return Malformed("series", start);
    std::vector<Label> pairs;
    pairs.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view name, value;
      if (!d.Bytes(&name) || !d.Bytes(&value)) return Malformed("series", start);
      if (name.empty() || (!pairs.empty() && pairs.back().name >= name)) return Malformed("series (labels not sorted)", start);
      pairs.push_back(Label{std::string(name), std::string(value)});
    }
    if (pairs.empty()) return Malformed("series (no labels)", start);
    s.labels = Labels::FromSorted(std::move(pairs));
    out->push_back(std::move(s));
  }
  return absl::OkStatus();
}

absl::Status DecodeSamples(std::string_view payload, std::vector<RefSample>* out) {
  if (payload.empty()) return absl::OkStatus();
  Decoder d(payload);
  uint64_t base_ref;
  int64_t base_t;
  if (!d.Uvarint(&base_ref) || !d.Varint(&base_t)) return Malformed("samples", 0);
  while (d.remaining() > 0) {
    size_t start = d.pos();
    int64_t dref, dt;
    uint64_t bits;
    if (!d.Varint(&dref) || !d.Varint(&dt) || !d.Fixed64(&bits)) return Malformed("samples", start);
    RefSample s;
    s.ref = base_ref + static_cast<uint64_t>(dref);
    s.t = static_cast<int64_t>(static_cast<uint64_t>(base_t) + static_cast<uint64_t>(dt));
    std::memcpy(&s.v, &bits, 8);
    out->push_back(s);
  }
  return absl::OkStatus();
}

}  // namespace pharos::tsdb::wal
