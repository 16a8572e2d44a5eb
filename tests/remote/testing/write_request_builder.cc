#include "remote/testing/write_request_builder.h"

#include <snappy.h>

#include <cstring>

namespace pharos::remote::testing {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutTag(std::string* out, uint32_t field, uint32_t wire) { PutVarint(out, (uint64_t{field} << 3) | wire); }

void PutBytes(std::string* out, uint32_t field, std::string_view bytes) {
  PutTag(out, field, 2);
  PutVarint(out, bytes.size());
  out->append(bytes);
}

namespace {

void PutUnknown(std::string* out) {
  PutTag(out, 90, 0);
  PutVarint(out, 12345);
  PutTag(out, 91, 5);
  out->append("\x01\x02\x03\x04", 4);
  PutTag(out, 92, 1);
  out->append("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  PutBytes(out, 93, "unknown");
}

}  // namespace

std::string EncodeWriteRequest(const std::vector<TestSeries>& series, int metadata, bool unknown_fields) {
  std::string req;
  for (const auto& s : series) {
    std::string ts;
    for (const auto& [name, value] : s.labels) {
      std::string l;
      PutBytes(&l, 1, name);
      PutBytes(&l, 2, value);
      if (unknown_fields) PutUnknown(&l);
      PutBytes(&ts, 1, l);
    }
    for (const auto& smp : s.samples) {
      std::string m;
      PutTag(&m, 1, 1);
      uint64_t bits;
      std::memcpy(&bits, &smp.v, sizeof bits);
      for (int i = 0; i < 8; ++i) m.push_back(static_cast<char>(bits >> (8 * i)));
      PutTag(&m, 2, 0);
      PutVarint(&m, static_cast<uint64_t>(smp.t));
      if (unknown_fields) PutUnknown(&m);
      PutBytes(&ts, 2, m);
    }
    for (int i = 0; i < s.exemplars; ++i) PutBytes(&ts, 3, "");
    for (int i = 0; i < s.histograms; ++i) PutBytes(&ts, 4, "");
    if (unknown_fields) PutUnknown(&ts);
    PutBytes(&req, 1, ts);
  }
  for (int i = 0; i < metadata; ++i) PutBytes(&req, 3, "");
  if (unknown_fields) PutUnknown(&req);
  return req;
}

std::string SnappyCompress(std::string_view raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

}  // namespace pharos::remote::testing
