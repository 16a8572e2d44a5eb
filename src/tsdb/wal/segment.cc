#include "tsdb/wal/segment.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tsdb/chunkenc/coding.h"

namespace pharos::tsdb::wal {
namespace {

using chunkenc::Crc32c;
using chunkenc::ReadBE32;

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (24 - 8 * i));
}

}  // namespace

void AppendFrame(uint8_t type, std::string_view payload, std::string* out) {
  char h[kRecordHeaderBytes];
  h[0] = static_cast<char>(type);
  PutU32(h + 1, static_cast<uint32_t>(payload.size()));
  uint32_t crc = Crc32c(std::string_view(h, 5));
  crc = Crc32c(payload, crc);
  PutU32(h + 5, crc);
  out->append(h, kRecordHeaderBytes);
  out->append(payload);
}

ScanResult ScanRecords(std::string_view data,
                       const std::function<bool(uint8_t, std::string_view)>& fn) {
  ScanResult r;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t left = data.size() - pos;
    if (left < kRecordHeaderBytes) {
      r.corrupt = true;
      r.reason = absl::StrCat("torn record header (", left, " bytes) at offset ", pos);
      break;
    }
    const char* h = data.data() + pos;
    uint8_t type = static_cast<uint8_t>(h[0]);
    uint32_t len = ReadBE32(h + 1);
    if (type == 0) {
      r.corrupt = true;
      r.reason = absl::StrCat("invalid record type 0 at offset ", pos);
      break;
    }
    if (len > kMaxRecordBytes) {
      r.corrupt = true;
      r.reason = absl::StrCat("record length ", len, " over the limit at offset ", pos);
      break;
    }
    if (len > left - kRecordHeaderBytes) {
      r.corrupt = true;
      r.reason = absl::StrCat("torn record at offset ", pos, ": ", len, " payload bytes announced, ",
                              left - kRecordHeaderBytes, " present");
      break;
    }
    std::string_view payload(h + kRecordHeaderBytes, len);
    uint32_t crc = Crc32c(std::string_view(h, 5));
    crc = Crc32c(payload, crc);
    if (crc != ReadBE32(h + 5)) {
      r.corrupt = true;
      r.reason = absl::StrCat("checksum mismatch in record at offset ", pos);
      break;
    }
    if (!fn(type, payload)) {
      r.corrupt = true;
      r.reason = absl::StrCat("undecodable record payload at offset ", pos);
      break;
    }
    pos += kRecordHeaderBytes + len;
    r.good_bytes = pos;
    ++r.records;
  }
  return r;
}

std::string SegmentName(int n) { return absl::StrFormat("%08d", n); }

std::optional<int> ParseSegmentName(std::string_view name) {
  if (name.size() != 8) return std::nullopt;
  int n = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string CheckpointName(int n) { return absl::StrCat("checkpoint.", SegmentName(n)); }

std::optional<int> ParseCheckpointName(std::string_view name) {
  constexpr std::string_view kPrefix = "checkpoint.";
  if (name.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  return ParseSegmentName(name.substr(kPrefix.size()));
}

}  // namespace pharos::tsdb::wal
