// The head's inverted index: label name → value → sorted series references,
// plus the list of all references. Thread-safe (a reader/writer lock).
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "tsdb/index/postings.h"

namespace pharos::tsdb::head {

class MemPostings {
 public:
  void Add(uint64_t ref, const Labels& labels);
  // Removes the given series (their labels say which lists hold them).
  void Delete(const std::vector<std::pair<uint64_t, Labels>>& series);

  // Sorted references of the series matching every matcher; with no
  // matchers, all series.
  std::vector<uint64_t> Select(const Matchers& matchers) const;
  // Sorted, unique values of `name` / label names present in the index.
  std::vector<std::string> Values(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  // A sorted list in two parts: references below 2^32 in 4 bytes each (all
  // of them in practice: the head hands them out from 1), the others after.
  struct List {
    std::vector<uint32_t> lo;
    std::unique_ptr<std::vector<uint64_t>> hi;
    void Insert(uint64_t ref);
    void Erase(uint64_t ref);
    bool empty() const { return lo.empty() && (!hi || hi->empty()); }
    std::unique_ptr<Postings> Iterate() const;
  };
  using Lists = absl::flat_hash_map<std::string, List>;
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<std::string, Lists> m_;  // guarded by mu_
  List all_;                                   // guarded by mu_
};

}  // namespace pharos::tsdb::head
