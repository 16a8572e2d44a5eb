// Merging several stores into one view: the DB queries its head and its
// blocks through one querier, and compaction merges blocks through the same
// code.
//
// Series with equal labels are merged into one; their samples are merged by
// timestamp, and when several stores have a sample at the same timestamp
// only one is returned: the one of the store listed first.
//
// Threading: as storage::Querier (one thread at a time).
#pragma once

#include <memory>
#include <vector>

#include "storage/querier.h"

namespace pharos::tsdb {

// A querier over all of `queriers` (which it owns and keeps alive). Children
// are always asked for sorted series; the result is sorted. An error of any
// child is the error of the result; warnings are concatenated.
std::unique_ptr<storage::Querier> NewMergeQuerier(std::vector<std::unique_ptr<storage::Querier>> queriers);

// Merges sets that are each sorted by Labels::Compare into one sorted set.
std::unique_ptr<storage::SeriesSet> NewMergeSeriesSet(std::vector<std::unique_ptr<storage::SeriesSet>> sets);

// Merges iterators by timestamp; on equal timestamps the earliest iterator
// in the list wins and the others' samples are skipped.
std::unique_ptr<storage::SampleIterator> NewMergeIterator(std::vector<std::unique_ptr<storage::SampleIterator>> its);

}  // namespace pharos::tsdb
