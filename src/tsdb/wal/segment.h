// Record framing inside WAL segment files (docs/format/wal.md):
//
//   type u8 | length u32 BE | crc32c u32 BE | payload (length bytes)
//
// The CRC-32C covers type, length and payload. Type 0 is never written, so a
// zero-filled tail (a file extended but not written before a crash) reads as
// corruption. Scanning is bounded: a length beyond the data or kMaxRecordBytes
// is corruption, never an allocation.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pharos::tsdb::wal {

inline constexpr size_t kRecordHeaderBytes = 9;
inline constexpr uint32_t kMaxRecordBytes = 64u << 20;

// Appends one framed record to `out`.
void AppendFrame(uint8_t type, std::string_view payload, std::string* out);

struct ScanResult {
  uint64_t good_bytes = 0;  // offset just past the last valid record
  uint64_t records = 0;
  bool corrupt = false;     // bytes after good_bytes are not a valid record
  std::string reason;       // why, when corrupt
};

// Calls fn(type, payload) for every valid record of `data` in order, stopping
// at the first invalid one or when fn returns false (then `corrupt` is set
// with reason "rejected payload"). Never reads outside `data`.
ScanResult ScanRecords(std::string_view data,
                       const std::function<bool(uint8_t type, std::string_view payload)>& fn);

// "00000012" for 12; parsing accepts exactly 8 decimal digits.
std::string SegmentName(int n);
std::optional<int> ParseSegmentName(std::string_view name);
// "checkpoint.00000012"; parsing rejects ".tmp" and other suffixes.
std::string CheckpointName(int n);
std::optional<int> ParseCheckpointName(std::string_view name);

}  // namespace pharos::tsdb::wal
