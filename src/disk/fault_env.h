// FaultEnv: an in-memory Env for tests of crash safety and full disks.
//
// Every file has two contents: what the "OS" holds (all appended bytes) and
// what reached the "disk" (the bytes at its last Sync). SimulateCrash() throws
// away everything that was not synced, as a power loss does: each file goes
// back to its synced bytes (a file never synced becomes empty). Creations,
// renames and deletions are durable at once (as if every directory were
// synced immediately), which is the friendlier half of POSIX; the stores still
// call SyncDir and tests can count those calls.
//
// A space limit makes writes fail like a full disk: an Append that does not
// fit writes the bytes that do fit (a short write) and returns Unavailable
// ("no space left on device"), as the POSIX env does on ENOSPC. Syncs can be
// made to fail too.
//
// Thread-safe: one mutex guards all files.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "disk/env.h"

namespace pharos::disk {

class FaultEnv final : public Env {
 public:
  FaultEnv();
  ~FaultEnv() override;

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<ReadOnlyFile>> OpenReadOnly(const std::string& path) override;
  absl::StatusOr<std::string> ReadFile(const std::string& path) override;
  bool Exists(const std::string& path) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override;
  absl::Status CreateDirs(const std::string& dir) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RemoveAll(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Truncate(const std::string& path, uint64_t size) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<uint64_t> DirSize(const std::string& dir) override;

  // Power loss: every file keeps only its synced bytes. Open WritableFiles
  // become unusable (their Appends fail), as the process that held them died.
  void SimulateCrash();

  // Total bytes all files may hold; Appends beyond it are short and fail
  // with Unavailable. UINT64_MAX (the default) is unlimited.
  void SetSpaceLimit(uint64_t bytes);
  // Sets the limit to the bytes in use now plus `extra`.
  void LimitToUsedPlus(uint64_t extra);
  void FailSyncs(bool fail);

  // Test access: the current (not necessarily synced) bytes of a file, and
  // replacing them (to corrupt a file by hand). Both count as synced.
  absl::StatusOr<std::string> Contents(const std::string& path);
  void SetContents(const std::string& path, std::string data);

  uint64_t UsedBytes();
  uint64_t sync_count() const { return syncs_.load(); }

 private:
  struct File;
  class Writable;
  friend class Writable;

  static std::string Clean(const std::string& path);
  absl::StatusOr<std::unique_ptr<WritableFile>> Open(const std::string& path, bool truncate);
  uint64_t UsedLocked() const;

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<File>> files_;  // by cleaned path
  std::set<std::string> dirs_;
  uint64_t space_limit_ = UINT64_MAX;
  bool fail_syncs_ = false;
  uint64_t generation_ = 0;  // bumped by SimulateCrash: older handles are dead
  std::atomic<uint64_t> syncs_{0};
};

}  // namespace pharos::disk
