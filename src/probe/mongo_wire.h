// The part of MongoDB's wire protocol the mongodb prober needs: BSON
// documents of a few types (string, int32, int64, double, bool, binary,
// embedded document) and OP_MSG framing with one body section.
//
// Decoding is bounded: sizes are checked against the buffer, nesting is
// limited, and a message may not exceed kMaxMongoMessageBytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace pharos::probe {

inline constexpr size_t kMaxMongoMessageBytes = 16u << 20;

// Appends BSON elements to a document being built.
class BsonBuilder {
 public:
  BsonBuilder& Int32(std::string_view name, int32_t v);
  BsonBuilder& Int64(std::string_view name, int64_t v);
  BsonBuilder& Double(std::string_view name, double v);
  BsonBuilder& Bool(std::string_view name, bool v);
  BsonBuilder& String(std::string_view name, std::string_view v);
  BsonBuilder& Binary(std::string_view name, std::string_view data);  // subtype 0
  BsonBuilder& Document(std::string_view name, const std::string& doc);
  // The finished document (length prefix and terminator added).
  std::string Finish() const;

 private:
  void Head(char type, std::string_view name);
  std::string body_;
};

// One element of a decoded document.
struct BsonValue {
  char type = 0;       // BSON type byte
  double number = 0;   // double, int32, int64, bool (0/1)
  std::string bytes;   // string, binary data, or the raw embedded document
};

// The top-level elements of a document, in order.
absl::StatusOr<std::vector<std::pair<std::string, BsonValue>>> ParseBson(std::string_view doc);

// Looks up an element; nullptr when absent.
const BsonValue* BsonFind(const std::vector<std::pair<std::string, BsonValue>>& doc, std::string_view name);

// An OP_MSG carrying `body` as its section 0.
std::string EncodeOpMsg(int32_t request_id, const std::string& body);

struct OpMsg {
  int32_t request_id = 0;
  int32_t response_to = 0;
  std::string body;  // the BSON document of section 0
};

// Decodes a whole message (header included). `wire` must be exactly one message.
absl::StatusOr<OpMsg> DecodeOpMsg(std::string_view wire);

// The little-endian int32 at `p` (for reading the length prefix).
int32_t ReadLE32(const char* p);

}  // namespace pharos::probe
