// A small append-only JSON writer into a caller-owned string. It tracks
// commas; the caller is responsible for well-formed nesting (checked in debug
// builds). Strings are escaped as Go's encoding/json does (including <, >, &
// as \u003c, \u003e, \u0026, and invalid UTF-8 as U+FFFD) so that answers are
// byte-compatible with the Go servers Pharos replaces.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pharos {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view k);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  // A JSON number; NaN and infinities (not representable) are written as null.
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool b);
  JsonWriter& Null();
  // Appends already-encoded JSON as one value.
  JsonWriter& Raw(std::string_view json);

  // Appends `s` as a quoted, escaped JSON string.
  static void AppendString(std::string& out, std::string_view s);

 private:
  void BeforeValue();

  std::string* out_;
  // One entry per open container: whether a value has been written in it.
  std::vector<bool> has_value_;
  bool after_key_ = false;
};

}  // namespace pharos
