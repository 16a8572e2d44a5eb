// Small binary codecs shared by the TSDB's on-disk formats (chunks, block
// index, chunk segment files): CRC-32C (Castagnoli), unsigned/zigzag varints
// and big-endian fixed-width integers.
//
// Decoders are bounded: they read only inside the given span and report
// failure instead of reading past it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/crc32c.h"

namespace pharos::tsdb::chunkenc {

using ::pharos::Crc32c;  // common/crc32c.h

inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)); }

void PutUvarint(std::string* out, uint64_t v);
inline void PutVarint(std::string* out, int64_t v) { PutUvarint(out, ZigZag(v)); }
void PutBE32(std::string* out, uint32_t v);
void PutBE64(std::string* out, uint64_t v);

// Unchecked writers for hot loops: into a buffer the caller sized (a varint
// takes at most kMaxVarintBytes), returning the end of what they wrote.
inline constexpr size_t kMaxVarintBytes = 10;
inline char* PutUvarintTo(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}
inline char* PutBE64To(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (56 - 8 * i));
  return p + 8;
}

// A bounded reader over a byte span. Every Get* returns false (and leaves
// the value unspecified) when the bytes run out or a varint is malformed;
// once a read has failed, ok() stays false.
class Decoder {
 public:
  explicit Decoder(std::string_view data) : data_(data) {}
  // Inline for the one- and two-byte varints that make up most chunk and
  // index bytes; longer ones (and every failure) take GetUvarintSlow.
  bool GetUvarint(uint64_t* v) {
    if (ok_ && pos_ + 1 < data_.size()) {
      auto b0 = static_cast<unsigned char>(data_[pos_]);
      if (b0 < 0x80) {
        *v = b0;
        pos_ += 1;
        return true;
      }
      auto b1 = static_cast<unsigned char>(data_[pos_ + 1]);
      if (b1 < 0x80) {
        *v = (b0 & 0x7fu) | (uint64_t{b1} << 7);
        pos_ += 2;
        return true;
      }
    }
    return GetUvarintSlow(v);
  }
  bool GetVarint(int64_t* v) {
    uint64_t u;
    if (!GetUvarint(&u)) return false;
    *v = UnZigZag(u);
    return true;
  }
  bool GetBE32(uint32_t* v);
  bool GetBE64(uint64_t* v);
  bool GetByte(uint8_t* v);
  // The next n bytes (a view into the input).
  bool GetBytes(size_t n, std::string_view* v);
  // A uvarint length followed by that many bytes.
  bool GetLengthPrefixed(std::string_view* v);
  bool Skip(size_t n);

  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool ok() const { return ok_; }

 private:
  bool GetUvarintSlow(uint64_t* v);
  bool Fail() {
    ok_ = false;
    return false;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

inline uint32_t ReadBE32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}
inline uint64_t ReadBE64(const char* p) {
  return (uint64_t{ReadBE32(p)} << 32) | ReadBE32(p + 4);
}

}  // namespace pharos::tsdb::chunkenc
