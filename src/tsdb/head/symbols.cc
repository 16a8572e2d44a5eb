#include "tsdb/head/symbols.h"

#include <cstring>
#include <cstdlib>

namespace pharos::tsdb::head {

SymbolTable::~SymbolTable() {
  for (auto& b : blocks_) {
    Entry* e = b.load();
    if (e == nullptr) continue;
    for (uint32_t i = 0; i < kBlock; ++i) delete[] e[i].text;
    delete[] e;
  }
}

SymbolTable& SymbolTable::Global() {
  static auto* t = new SymbolTable();  // never destroyed: heads may outlive static destruction order
  return *t;
}

uint32_t SymbolTable::Ref(std::string_view s) {
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = ids_.find(AV(s)); it != ids_.end()) {
    Entry& e = blocks_[it->second / kBlock].load(std::memory_order_relaxed)[it->second % kBlock];
    ++e.refs;
    return it->second;
  }
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    if (next_ == kBlock * kMaxBlocks) std::abort();  // 64 M distinct label strings at once
    id = next_++;
    if (id % kBlock == 0 && blocks_[id / kBlock].load() == nullptr) {
      blocks_[id / kBlock].store(new Entry[kBlock], std::memory_order_release);
    }
  }
  Entry& e = blocks_[id / kBlock].load(std::memory_order_relaxed)[id % kBlock];
  char* text = new char[s.size() + 1];
  std::memcpy(text, s.data(), s.size());
  text[s.size()] = '\0';
  e.text = text;
  e.len = static_cast<uint32_t>(s.size());
  e.refs = 1;
  ids_.emplace(absl::string_view(text, s.size()), id);
  return id;
}

void SymbolTable::Unref(uint32_t id) {
  std::lock_guard<std::mutex> l(mu_);
  Entry& e = blocks_[id / kBlock].load(std::memory_order_relaxed)[id % kBlock];
  if (--e.refs > 0) return;
  ids_.erase(absl::string_view(e.text, e.len));
  delete[] e.text;
  e.text = nullptr;
  e.len = 0;
  free_.push_back(id);
}

size_t SymbolTable::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return ids_.size();
}

}  // namespace pharos::tsdb::head
