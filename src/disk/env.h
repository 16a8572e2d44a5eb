// Env: every file operation of the stores goes through this interface, so
// tests can inject faults (short writes, ENOSPC, lost unsynced data, crashes)
// and stores never call the OS directly. PosixEnv() is the real one.
//
// Errors are absl::Status values: IOError-like failures are Unavailable when
// retrying later can succeed (ENOSPC, EDQUOT: "no space left on device") and
// Internal / DataLoss otherwise; NotFound when a file is missing. Messages name
// the path and the OS error.
//
// Thread-safety: Env methods are thread-safe. A file object is used by one
// thread at a time, except ReadOnlyFile, which is safe for concurrent reads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace pharos::disk {

// A file opened for appending. Data reaches the OS on Flush() and the disk
// on Sync(); Close() flushes but does not sync.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual absl::Status Append(std::string_view data) = 0;
  virtual absl::Status Flush() = 0;
  virtual absl::Status Sync() = 0;  // fdatasync
  virtual absl::Status Close() = 0;
  virtual uint64_t Size() const = 0;  // bytes appended so far (including the initial size)
};

// A whole file mapped read-only (or read into memory by fault-injecting
// envs). The bytes stay valid until the object is destroyed.
class ReadOnlyFile {
 public:
  virtual ~ReadOnlyFile() = default;
  virtual std::string_view Data() const = 0;
};

// An exclusive lock on a file (Env::LockFile), released when destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // Creates or truncates.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens for appending at the end, creating it when missing.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  // Maps the whole file. Empty files give an empty view.
  virtual absl::StatusOr<std::unique_ptr<ReadOnlyFile>> OpenReadOnly(const std::string& path) = 0;
  // Reads the whole file into a string (for small files: meta.json, configs).
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path) = 0;

  virtual bool Exists(const std::string& path) = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, sorted.
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual absl::Status CreateDirs(const std::string& dir) = 0;  // mkdir -p
  virtual absl::Status RemoveFile(const std::string& path) = 0;
  virtual absl::Status RemoveAll(const std::string& path) = 0;  // rm -rf; OK when missing
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  virtual absl::Status Truncate(const std::string& path, uint64_t size) = 0;
  // fsync of a directory, so that creations, renames and deletions in it are durable.
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  // Total size in bytes of the files under `dir` (recursively).
  virtual absl::StatusOr<uint64_t> DirSize(const std::string& dir) = 0;

  // Takes an exclusive lock on `path` (created when missing) until the
  // returned object is destroyed; FailedPrecondition when it is held already.
  // The default locks within this process only; PosixEnv uses flock(2), so
  // another process is kept out too and a crashed holder never leaves a stale lock.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path);
};

// The process-wide POSIX environment.
Env* PosixEnv();

// Writes `data` to `path` crash-safely: a temporary file in the same
// directory, fsync, rename over `path`, fsync of the directory. A crash
// leaves either the old or the new content, never a mix.
absl::Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data);

}  // namespace pharos::disk
