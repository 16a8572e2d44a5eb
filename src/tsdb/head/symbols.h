// Interned label strings for the head's series (docs/tsdb.md).
//
// Every label name and value a live series uses is stored once, with a
// count of its uses; a series keeps small ids instead of the text. Ids of
// strings no longer used are reused.
//
// Thread-safety: Ref and Unref take a mutex; Get takes no lock. Get(id) is
// valid while the caller holds a reference on id (directly or through a
// series that holds one), so the entry cannot be freed or reused under it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/strings.h"

namespace pharos::tsdb::head {

class SymbolTable {
 public:
  SymbolTable() = default;
  ~SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // The id of `s`, interned when new; adds one reference.
  uint32_t Ref(std::string_view s);
  // Drops one reference; the string is freed with its last.
  void Unref(uint32_t id);
  std::string_view Get(uint32_t id) const {
    const Entry& e = blocks_[id / kBlock].load(std::memory_order_acquire)[id % kBlock];
    return {e.text, e.len};
  }
  // Strings held (for tests and stats).
  size_t size() const;

  // The table of the process's heads.
  static SymbolTable& Global();

 private:
  static constexpr uint32_t kBlock = 4096;
  static constexpr uint32_t kMaxBlocks = 1 << 14;  // 64 M strings
  struct Entry {
    const char* text = nullptr;
    uint32_t len = 0;
    uint32_t refs = 0;  // guarded by mu_
  };

  mutable std::mutex mu_;
  // Blocks never move, so Get needs no lock.
  std::atomic<Entry*> blocks_[kMaxBlocks] = {};
  uint32_t next_ = 0;               // guarded by mu_: ids below were handed out
  std::vector<uint32_t> free_;      // guarded by mu_
  absl::flat_hash_map<absl::string_view, uint32_t> ids_;  // guarded by mu_; keys point into entries
};

}  // namespace pharos::tsdb::head
