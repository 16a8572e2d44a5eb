#include "probe/mongo_wire.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::probe {
namespace {

constexpr int32_t kOpMsg = 2013;
constexpr int kMaxDepth = 32;

void PutLE32(std::string* out, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

void PutLE64(std::string* out, int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

int64_t ReadLE64(const char* p) {
  uint64_t u = 0;
  for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int64_t>(u);
}

absl::Status Bad(std::string_view what, size_t at) {
  return absl::InvalidArgumentError(absl::StrCat("bson: ", AV(what), " at byte ", at));
}

// Validates a document (recursively) and, when `out` is set, collects its
// top-level elements.
absl::Status Walk(std::string_view doc, int depth, std::vector<std::pair<std::string, BsonValue>>* out) {
  if (depth > kMaxDepth) return Bad("nested too deeply", 0);
  if (doc.size() < 5) return Bad("document shorter than 5 bytes", 0);
  int32_t len = ReadLE32(doc.data());
  if (len < 5 || static_cast<size_t>(len) != doc.size()) return Bad("document length does not match", 0);
  if (doc.back() != '\0') return Bad("document not terminated", doc.size() - 1);
  size_t p = 4;
  const size_t end = doc.size() - 1;
  while (p < end) {
    char type = doc[p++];
    size_t name_end = doc.find('\0', p);
    if (name_end == std::string_view::npos || name_end >= end) return Bad("unterminated element name", p);
    std::string name(doc.substr(p, name_end - p));
    p = name_end + 1;
    BsonValue v;
    v.type = type;
    auto need = [&](size_t n) { return p + n <= end; };
    switch (type) {
      case 0x01:  // double
        if (!need(8)) return Bad("truncated double", p);
        {
          int64_t bits = ReadLE64(doc.data() + p);
          std::memcpy(&v.number, &bits, 8);
        }
        p += 8;
        break;
      case 0x02:    // string
      case 0x0D:    // JavaScript code
      case 0x0E: {  // symbol
        if (!need(4)) return Bad("truncated string length", p);
        int32_t n = ReadLE32(doc.data() + p);
        if (n < 1 || !need(4 + static_cast<size_t>(n)) || doc[p + 4 + n - 1] != '\0') return Bad("bad string", p);
        v.bytes = std::string(doc.substr(p + 4, n - 1));
        p += 4 + n;
        break;
      }
      case 0x03:    // document
      case 0x04: {  // array
        if (!need(4)) return Bad("truncated document length", p);
        int32_t n = ReadLE32(doc.data() + p);
        if (n < 5 || !need(static_cast<size_t>(n))) return Bad("bad embedded document length", p);
        std::string_view sub = doc.substr(p, n);
        if (absl::Status s = Walk(sub, depth + 1, nullptr); !s.ok()) return s;
        v.bytes = std::string(sub);
        p += n;
        break;
      }
      case 0x05: {  // binary
        if (!need(5)) return Bad("truncated binary", p);
        int32_t n = ReadLE32(doc.data() + p);
        if (n < 0 || !need(5 + static_cast<size_t>(n))) return Bad("bad binary length", p);
        v.bytes = std::string(doc.substr(p + 5, n));
        p += 5 + n;
        break;
      }
      case 0x06:  // undefined
      case 0x0A:  // null
      case 0x7F:  // max key
      case static_cast<char>(0xFF):  // min key
        break;
      case 0x07:  // ObjectId
        if (!need(12)) return Bad("truncated ObjectId", p);
        v.bytes = std::string(doc.substr(p, 12));
        p += 12;
        break;
      case 0x08:  // bool
        if (!need(1)) return Bad("truncated bool", p);
        v.number = doc[p] != 0;
        p += 1;
        break;
      case 0x09:  // UTC datetime
      case 0x11:  // timestamp
      case 0x12:  // int64
        if (!need(8)) return Bad("truncated 64-bit value", p);
        v.number = static_cast<double>(ReadLE64(doc.data() + p));
        p += 8;
        break;
      case 0x0B: {  // regex: two cstrings
        for (int i = 0; i < 2; ++i) {
          size_t z = doc.find('\0', p);
          if (z == std::string_view::npos || z >= end) return Bad("unterminated regex", p);
          p = z + 1;
        }
        break;
      }
      case 0x10:  // int32
        if (!need(4)) return Bad("truncated int32", p);
        v.number = ReadLE32(doc.data() + p);
        p += 4;
        break;
      case 0x13:  // decimal128
        if (!need(16)) return Bad("truncated decimal128", p);
        p += 16;
        break;
      default:
        return Bad(absl::StrCat("unsupported element type 0x", absl::Hex(static_cast<uint8_t>(type))), p);
    }
    if (out != nullptr) out->emplace_back(std::move(name), std::move(v));
  }
  if (p != end) return Bad("elements overrun the document", p);
  return absl::OkStatus();
}

}  // namespace

int32_t ReadLE32(const char* p) {
  uint32_t u = 0;
  for (int i = 3; i >= 0; --i) u = (u << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int32_t>(u);
}

void BsonBuilder::Head(char type, std::string_view name) {
  body_.push_back(type);
  body_.append(name);
  body_.push_back('\0');
}

BsonBuilder& BsonBuilder::Int32(std::string_view name, int32_t v) {
  Head(0x10, name);
  PutLE32(&body_, v);
  return *this;
}

BsonBuilder& BsonBuilder::Int64(std::string_view name, int64_t v) {
  Head(0x12, name);
  PutLE64(&body_, v);
  return *this;
}

BsonBuilder& BsonBuilder::Double(std::string_view name, double v) {
  Head(0x01, name);
  int64_t bits;
  std::memcpy(&bits, &v, 8);
  PutLE64(&body_, bits);
  return *this;
}

BsonBuilder& BsonBuilder::Bool(std::string_view name, bool v) {
  Head(0x08, name);
  body_.push_back(v ? 1 : 0);
  return *this;
}

BsonBuilder& BsonBuilder::String(std::string_view name, std::string_view v) {
  Head(0x02, name);
  PutLE32(&body_, static_cast<int32_t>(v.size() + 1));
  body_.append(v);
  body_.push_back('\0');
  return *this;
}

BsonBuilder& BsonBuilder::Binary(std::string_view name, std::string_view data) {
  Head(0x05, name);
  PutLE32(&body_, static_cast<int32_t>(data.size()));
  body_.push_back('\0');
  body_.append(data);
  return *this;
}

BsonBuilder& BsonBuilder::Document(std::string_view name, const std::string& doc) {
  Head(0x03, name);
  body_.append(doc);
  return *this;
}

std::string BsonBuilder::Finish() const {
  std::string out;
  PutLE32(&out, static_cast<int32_t>(body_.size() + 5));
  out.append(body_);
  out.push_back('\0');
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, BsonValue>>> ParseBson(std::string_view doc) {
  std::vector<std::pair<std::string, BsonValue>> out;
  if (absl::Status s = Walk(doc, 0, &out); !s.ok()) return s;
  return out;
}

const BsonValue* BsonFind(const std::vector<std::pair<std::string, BsonValue>>& doc, std::string_view name) {
  for (const auto& [k, v] : doc) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string EncodeOpMsg(int32_t request_id, const std::string& body) {
  std::string out;
  PutLE32(&out, static_cast<int32_t>(16 + 4 + 1 + body.size()));
  PutLE32(&out, request_id);
  PutLE32(&out, 0);
  PutLE32(&out, kOpMsg);
  PutLE32(&out, 0);  // flagBits
  out.push_back(0);  // section kind 0: body
  out.append(body);
  return out;
}

absl::StatusOr<OpMsg> DecodeOpMsg(std::string_view wire) {
  if (wire.size() < 21) return absl::InvalidArgumentError("op_msg: shorter than its header");
  if (wire.size() > kMaxMongoMessageBytes) return absl::InvalidArgumentError("op_msg: too large");
  int32_t len = ReadLE32(wire.data());
  if (len < 21 || static_cast<size_t>(len) != wire.size()) {
    return absl::InvalidArgumentError("op_msg: length does not match");
  }
  OpMsg m;
  m.request_id = ReadLE32(wire.data() + 4);
  m.response_to = ReadLE32(wire.data() + 8);
  int32_t op = ReadLE32(wire.data() + 12);
  if (op != kOpMsg) return absl::InvalidArgumentError(absl::StrCat("op_msg: unexpected opcode ", op));
  uint32_t flags = static_cast<uint32_t>(ReadLE32(wire.data() + 16));
  size_t end = wire.size();
  if (flags & 1u) {  // checksumPresent: a CRC-32C trails the sections
    if (end < 25) return absl::InvalidArgumentError("op_msg: missing checksum");
    end -= 4;
  }
  if ((flags & ~0x10003u) != 0) return absl::InvalidArgumentError("op_msg: unknown required flag bits");
  size_t p = 20;
  bool have_body = false;
  while (p < end) {
    char kind = wire[p++];
    if (p + 4 > end) return absl::InvalidArgumentError("op_msg: truncated section");
    int32_t n = ReadLE32(wire.data() + p);
    if (n < 5 || p + static_cast<size_t>(n) > end) return absl::InvalidArgumentError("op_msg: bad section size");
    if (kind == 0) {
      if (have_body) return absl::InvalidArgumentError("op_msg: two body sections");
      m.body = std::string(wire.substr(p, n));
      if (auto s = ParseBson(m.body); !s.ok()) return s.status();
      have_body = true;
    } else if (kind != 1) {
      return absl::InvalidArgumentError(absl::StrCat("op_msg: unknown section kind ", static_cast<int>(kind)));
    }
    p += n;
  }
  if (!have_body) return absl::InvalidArgumentError("op_msg: no body section");
  return m;
}

}  // namespace pharos::probe
