#include "tsdb/chunkenc/coding.h"

#include <array>
#include <cstring>

namespace pharos::tsdb::chunkenc {

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
