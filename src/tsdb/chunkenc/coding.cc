#include "tsdb/chunkenc/coding.h"

#include <array>
#include <cstring>

namespace pharos::tsdb::chunkenc {
namespace {

constexpr uint32_t kCastagnoliReflected = 0x82f63b78u;

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kCastagnoliReflected : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

uint32_t Crc32cPortable(const unsigned char* p, size_t n, uint32_t crc) {
  for (size_t i = 0; i < n; ++i) crc = kTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(const unsigned char* p, size_t n, uint32_t crc) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n > 0) {
    c32 = __builtin_ia32_crc32qi(c32, *p++);
    --n;
  }
  return c32;
}
const bool kHaveSse42 = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

uint32_t Crc32c(std::string_view data, uint32_t crc) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  crc = ~crc;
#if defined(__x86_64__)
  if (kHaveSse42) return ~Crc32cHardware(p, data.size(), crc);
#endif
  return ~Crc32cPortable(p, data.size(), crc);
}

void PutUvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutBE32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

void PutBE64(std::string* out, uint64_t v) {
  PutBE32(out, static_cast<uint32_t>(v >> 32));
  PutBE32(out, static_cast<uint32_t>(v));
}

bool Decoder::GetUvarintSlow(uint64_t* v) {
  if (!ok_) return false;
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Fail();
    auto b = static_cast<unsigned char>(data_[pos_++]);
    if (shift == 63 && b > 1) return Fail();  // overflows 64 bits
    result |= uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) {
      *v = result;
      return true;
    }
  }
  return Fail();
}

bool Decoder::GetBE32(uint32_t* v) {
  if (!ok_ || remaining() < 4) return Fail();
  *v = ReadBE32(data_.data() + pos_);
  pos_ += 4;
  return true;
}

bool Decoder::GetBE64(uint64_t* v) {
  if (!ok_ || remaining() < 8) return Fail();
  *v = ReadBE64(data_.data() + pos_);
  pos_ += 8;
  return true;
}

bool Decoder::GetByte(uint8_t* v) {
  if (!ok_ || remaining() < 1) return Fail();
  *v = static_cast<uint8_t>(data_[pos_++]);
  return true;
}

bool Decoder::GetBytes(size_t n, std::string_view* v) {
  if (!ok_ || remaining() < n) return Fail();
  *v = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool Decoder::GetLengthPrefixed(std::string_view* v) {
  uint64_t n;
  if (!GetUvarint(&n)) return false;
  if (n > remaining()) return Fail();
  return GetBytes(static_cast<size_t>(n), v);
}

bool Decoder::Skip(size_t n) {
  if (!ok_ || remaining() < n) return Fail();
  pos_ += n;
  return true;
}

}  // namespace pharos::tsdb::chunkenc
