// Pharos' own log: one line per event, human-readable (logfmt-like) by
// default or JSON lines with --log.format=json. Thread-safe.
//
// Every line written while a ScopedRequestId is alive on the thread carries
// that request id, so the lines of one HTTP request can be found together.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace pharos::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

// Parses "debug", "info", "warn", "error" (Prometheus' --log.level values).
bool ParseLevel(std::string_view s, Level* out);
// Parses "logfmt" (Prometheus' default, our text form) or "json".
bool ParseFormat(std::string_view s, Format* out);

void Configure(Level level, Format format);
bool Enabled(Level level);

struct Field {
  std::string_view key;
  std::string value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const absl::Status& s) : key(k), value(s.ToString()) {}
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  Field(std::string_view k, T v) : key(k), value(absl::StrCat(v)) {}
};

void Write(Level level, std::string_view component, std::string_view msg,
           std::initializer_list<Field> fields = {});

// Lines written to a capture instead of stderr (tests).
void CaptureForTest(std::string* sink);

// The request id of the current thread, or "" outside a request.
std::string_view CurrentRequestId();

class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string previous_;
};

inline void Debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, c, m, f);
}
inline void Info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, c, m, f);
}
inline void Warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, c, m, f);
}
inline void Error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kError)) Write(Level::kError, c, m, f);
}

}  // namespace pharos::log
