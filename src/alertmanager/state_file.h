// The on-disk state of the built-in Alertmanager: DIR/silences and DIR/nflog
// share one format (docs/format/alertmanager-state.md): an 8-byte header
// (magic, version, kind) followed by CRC32C-checked records. Changes are
// appended and fsynced (StateLog::Append); compaction rewrites the file
// atomically with the live records only (StateLog::Rewrite). On load, records
// are applied in order and the last record of a key wins.
//
// Decoding is bounded: a record is at most kMaxStateRecordBytes, and every
// count inside a record is checked against the bytes left before anything is
// allocated.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "alertmanager/interfaces.h"
#include "alertmanager/silences.h"

namespace pharos::disk {
class Env;
class WritableFile;
}  // namespace pharos::disk

namespace pharos::am {

enum class StateKind : uint8_t { kSilences = 1, kNflog = 2 };
enum class StateRecordType : uint8_t { kSilence = 1, kNflogEntry = 2 };

inline constexpr char kStateMagic[4] = {'P', 'A', 'M', 'S'};
inline constexpr uint8_t kStateVersion = 1;
inline constexpr size_t kStateHeaderBytes = 8;        // magic, version, kind, 2 zero bytes
inline constexpr size_t kStateRecordHeaderBytes = 9;  // length u32, crc u32, type u8
inline constexpr uint32_t kMaxStateRecordBytes = 1 << 20;

// CRC-32C (Castagnoli), as the record checksums use it.
uint32_t StateCrc32c(std::string_view data);

std::string StateFileHeader(StateKind kind);
// Appends one framed record to `out`. The payload must not exceed kMaxStateRecordBytes.
void AppendStateRecord(StateRecordType type, std::string_view payload, std::string* out);

// Every value of `records` (a map) encoded by `encode(value, &payload)` and
// framed as `type`, for StateLog::Rewrite.
template <typename Map, typename Encode>
std::string FrameAll(const Map& records, StateRecordType type, Encode encode) {
  std::string payload, framed;
  for (const auto& [key, value] : records) {
    payload.clear();
    encode(value, &payload);
    AppendStateRecord(type, payload, &framed);
  }
  return framed;
}

// Record payloads.
void EncodeSilence(const Silence& s, std::string* out);
absl::StatusOr<Silence> DecodeSilence(std::string_view payload);
void EncodeNflogEntry(const NflogEntry& e, std::string* out);
absl::StatusOr<NflogEntry> DecodeNflogEntry(std::string_view payload);

// The result of reading a state file.
struct StateScan {
  uint64_t good_bytes = 0;  // length of the prefix that holds only good records
  bool corrupt = false;     // something follows the good prefix
  std::string error;        // why the record at good_bytes was refused
  uint64_t records = 0;
};

// Reads `data` as a state file of `kind`, calling `fn` for each record whose
// frame and checksum are good, in order; `fn` returning an error (it could not
// decode the payload) ends the good prefix there. A wrong magic, kind or
// version is an error (the file is not ours, or from a newer Pharos); an
// empty or torn header reads as an empty file with a corrupt tail.
using StateRecordFn = std::function<absl::Status(StateRecordType type, std::string_view payload)>;
absl::StatusOr<StateScan> ScanStateFile(std::string_view data, StateKind kind, const StateRecordFn& fn);

// One state file opened for appending. Not thread-safe: the owner serializes.
class StateLog {
 public:
  // Loads `path` (calling `fn` for each good record) and opens it for
  // appending, creating it when missing. A corrupt tail is logged (path and
  // offset), kept as PATH.corrupt, and the file is rewritten with the good
  // prefix, so that appends never follow garbage. `recovery` (optional) gets
  // the scan result.
  static absl::StatusOr<std::unique_ptr<StateLog>> Open(disk::Env* env, std::string path, StateKind kind,
                                                        const StateRecordFn& fn, StateScan* recovery = nullptr);
  ~StateLog();

  // Appends framed records and fsyncs. On error the log must be rewritten
  // before the next append (needs_rewrite()): the tail may hold a record the
  // caller was told failed, and a failed fsync leaves the file's state unknown.
  absl::Status Append(std::string_view framed_records, uint64_t count);
  // Replaces the file atomically (temporary file, fsync, rename, fsync of the
  // directory) with these framed records, and reopens it for appending.
  absl::Status Rewrite(std::string_view framed_records, uint64_t count);

  bool needs_rewrite() const { return needs_rewrite_; }
  // Records in the file (live or superseded).
  uint64_t records() const { return records_; }
  // True when the file holds many more records than `live`: time to Rewrite.
  bool ShouldCompact(uint64_t live) const { return records_ > 2 * live + 1024; }
  const std::string& path() const { return path_; }

 private:
  StateLog(disk::Env* env, std::string path, StateKind kind);
  absl::Status Reopen();

  disk::Env* env_;
  std::string path_;
  StateKind kind_;
  std::unique_ptr<disk::WritableFile> file_;
  bool needs_rewrite_ = false;
  uint64_t records_ = 0;
};

}  // namespace pharos::am
