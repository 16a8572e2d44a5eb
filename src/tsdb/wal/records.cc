#include "tsdb/wal/records.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "tsdb/chunkenc/coding.h"

namespace pharos::tsdb::wal {
namespace {

using chunkenc::Decoder;
using chunkenc::kMaxVarintBytes;
using chunkenc::PutBE64To;
using chunkenc::PutUvarint;
using chunkenc::PutUvarintTo;
using chunkenc::ZigZag;

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
  // Sized for the longest encoding once, written through a pointer, then
  // cut to what was written (a commit encodes every sample it holds here).
  const size_t start = out->size();
  out->resize(start + 2 * kMaxVarintBytes + samples.size() * (2 * kMaxVarintBytes + 8));
  char* p = out->data() + start;
  p = PutUvarintTo(p, base_ref);
  p = PutUvarintTo(p, ZigZag(base_t));
  for (const auto& s : samples) {
    p = PutUvarintTo(p, ZigZag(static_cast<int64_t>(s.ref - base_ref)));
    p = PutUvarintTo(p, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(s.t) - static_cast<uint64_t>(base_t))));
    uint64_t bits;
    std::memcpy(&bits, &s.v, 8);
    p = PutBE64To(p, bits);
  }
  out->resize(p - out->data());
}

absl::Status DecodeSeries(std::string_view payload, std::vector<RefSeries>* out) {
  Decoder d(payload);
  while (d.remaining() > 0) {
    size_t start = d.pos();
    RefSeries s;
    uint64_t n;
    if (!d.GetUvarint(&s.ref) || !d.GetUvarint(&n)) return Malformed("series", start);
    // Each label takes at least two bytes: bounds the reservation.
    if (n > d.remaining() / 2) return Malformed("series", start);
    std::vector<Label> pairs;
    pairs.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view name, value;
      if (!d.GetLengthPrefixed(&name) || !d.GetLengthPrefixed(&value)) return Malformed("series", start);
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
  if (!d.GetUvarint(&base_ref) || !d.GetVarint(&base_t)) return Malformed("samples", 0);
  while (d.remaining() > 0) {
    size_t start = d.pos();
    int64_t dref, dt;
    uint64_t bits;
    if (!d.GetVarint(&dref) || !d.GetVarint(&dt) || !d.GetBE64(&bits)) return Malformed("samples", start);
    RefSample s;
    s.ref = base_ref + static_cast<uint64_t>(dref);
    s.t = static_cast<int64_t>(static_cast<uint64_t>(base_t) + static_cast<uint64_t>(dt));
    std::memcpy(&s.v, &bits, 8);
    out->push_back(s);
  }
  return absl::OkStatus();
}

}  // namespace pharos::tsdb::wal
