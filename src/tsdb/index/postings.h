// Postings: sorted lists of series references, the inverted index of the
// head and of blocks. Iterators share one shape (Next/Seek/At/Err) so that
// head lists, on-disk lists and their combinations (intersection, union,
// difference) compose without copying.
//
// A Postings object is used by one thread; the lists it reads must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"

namespace pharos::tsdb {

using SeriesRef = uint64_t;

class Postings {
 public:
  virtual ~Postings() = default;
  // Advances to the next reference; false when exhausted or on error.
  virtual bool Next() = 0;
  // Advances to the first reference >= v (stays when the current one is);
  // false when there is none. Never moves backwards.
  virtual bool Seek(SeriesRef v) = 0;
  // Current reference; valid after Next()/Seek() returned true.
  virtual SeriesRef At() const = 0;
  virtual absl::Status Err() const { return absl::OkStatus(); }
};

// Iterates a sorted, duplicate-free span (not copied: it must outlive the iterator).
std::unique_ptr<Postings> NewListPostings(std::span<const SeriesRef> refs);
std::unique_ptr<Postings> NewListPostings(std::span<const uint32_t> refs);
// Owns its sorted, duplicate-free list.
std::unique_ptr<Postings> NewOwnedListPostings(std::vector<SeriesRef> refs);
std::unique_ptr<Postings> EmptyPostings();
std::unique_ptr<Postings> ErrPostings(absl::Status err);

// References present in every input (empty input: empty result).
std::unique_ptr<Postings> Intersect(std::vector<std::unique_ptr<Postings>> its);
// References present in any input, each once.
std::unique_ptr<Postings> Merge(std::vector<std::unique_ptr<Postings>> its);
// References of `full` that are not in `drop`.
std::unique_ptr<Postings> Without(std::unique_ptr<Postings> full, std::unique_ptr<Postings> drop);

// Drains `p` into a vector; returns p's error, if any.
absl::Status ExpandPostings(Postings& p, std::vector<SeriesRef>* out);

}  // namespace pharos::tsdb
