// Postings intersection and union: the first step of every selector with
// more than one matcher (e.g. {job="api", status="500"}).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "tsdb/index/postings.h"

namespace pharos::tsdb {
namespace {

// A sorted list of about n*density references out of [0, n).
std::vector<SeriesRef> RandomList(uint64_t n, double density, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution keep(density);
  std::vector<SeriesRef> out;
  for (uint64_t i = 0; i < n; ++i)
    if (keep(rng)) out.push_back(i * 8);  // refs are spaced as the head spaces them
  return out;
}

// Intersection of a large list (e.g. job="api") with a sparse one
// (status="500"): Seek dominates.
void BM_IntersectLargeSparse(benchmark::State& state) {
  uint64_t n = static_cast<uint64_t>(state.range(0));
  auto large = RandomList(n, 0.5, 1);
  auto sparse = RandomList(n, 0.01, 2);
  size_t found = 0;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Postings>> its;
    its.push_back(NewListPostings(large));
    its.push_back(NewListPostings(sparse));
    auto p = Intersect(std::move(its));
    while (p->Next()) ++found;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(large.size() + sparse.size()));
}
BENCHMARK(BM_IntersectLargeSparse)->Arg(100'000)->Arg(1'000'000);

// Three lists of similar size: Next and Seek alternate.
void BM_IntersectThreeDense(benchmark::State& state) {
  uint64_t n = static_cast<uint64_t>(state.range(0));
  auto a = RandomList(n, 0.5, 3), b = RandomList(n, 0.5, 4), c = RandomList(n, 0.5, 5);
  size_t found = 0;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Postings>> its;
    its.push_back(NewListPostings(a));
    its.push_back(NewListPostings(b));
    its.push_back(NewListPostings(c));
    auto p = Intersect(std::move(its));
    while (p->Next()) ++found;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(a.size() + b.size() + c.size()));
}
BENCHMARK(BM_IntersectThreeDense)->Arg(100'000);

// Union of many small lists: a regex matcher over many label values
// (handler=~"/api/.*").
void BM_MergeManySmall(benchmark::State& state) {
  int lists = static_cast<int>(state.range(0));
  std::vector<std::vector<SeriesRef>> data;
  size_t total = 0;
  for (int i = 0; i < lists; ++i) {
    data.push_back(RandomList(100'000, 0.2 / lists * 10, 100 + i));
    total += data.back().size();
  }
  size_t found = 0;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Postings>> its;
    for (const auto& d : data) its.push_back(NewListPostings(d));
    auto p = Merge(std::move(its));
    while (p->Next()) ++found;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(total));
}
BENCHMARK(BM_MergeManySmall)->Arg(10)->Arg(100);

}  // namespace
}  // namespace pharos::tsdb
