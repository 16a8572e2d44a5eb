#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/json_writer.h"

namespace pharos::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kText)};
std::mutex g_mu;
std::string* g_capture = nullptr;  // guarded by g_mu
thread_local std::string t_request_id;

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void AppendText(std::string& out, std::string_view v) {
  if (!NeedsQuotes(v)) {
    out.append(v);
    return;
  }
  JsonWriter::AppendString(out, v);  // logfmt quotes like JSON strings
}

}  // namespace

bool ParseLevel(std::string_view s, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (s == LevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

bool ParseFormat(std::string_view s, Format* out) {
  if (s == "logfmt" || s == "text") {
    *out = Format::kText;
    return true;
  }
  if (s == "json") {
    *out = Format::kJson;
    return true;
  }
  return false;
}

void Configure(Level level, Format format) {
  g_level.store(static_cast<int>(level));
  g_format.store(static_cast<int>(format));
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void Write(Level level, std::string_view component, std::string_view msg,
           std::initializer_list<Field> fields) {
  std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  line.reserve(128);
  if (static_cast<Format>(g_format.load()) == Format::kJson) {
    line += "{\"ts\":";
    JsonWriter::AppendString(line, ts);
    line += ",\"level\":";
    JsonWriter::AppendString(line, LevelName(level));
    line += ",\"component\":";
    JsonWriter::AppendString(line, component);
    line += ",\"msg\":";
    JsonWriter::AppendString(line, msg);
    if (!t_request_id.empty()) {
      line += ",\"request_id\":";
      JsonWriter::AppendString(line, t_request_id);
    }
    for (const auto& f : fields) {
      line.push_back(',');
      JsonWriter::AppendString(line, f.key);
      line.push_back(':');
      JsonWriter::AppendString(line, f.value);
    }
    line += "}\n";
  } else {
    line += "ts=" + ts + " level=";
    line += LevelName(level);
    line += " component=";
    AppendText(line, component);
    line += " msg=";
    AppendText(line, msg);
    if (!t_request_id.empty()) {
      line += " request_id=";
      AppendText(line, t_request_id);
    }
    for (const auto& f : fields) {
      line.push_back(' ');
      line.append(f.key);
      line.push_back('=');
      AppendText(line, f.value);
    }
    line.push_back('\n');
  }
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_capture != nullptr) {
    g_capture->append(line);
    return;
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void CaptureForTest(std::string* sink) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_capture = sink;
}

std::string_view CurrentRequestId() { return t_request_id; }

ScopedRequestId::ScopedRequestId(std::string id) : previous_(std::move(t_request_id)) {
  t_request_id = std::move(id);
}
ScopedRequestId::~ScopedRequestId() { t_request_id = std::move(previous_); }

}  // namespace pharos::log
