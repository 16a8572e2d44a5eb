// XOR chunk encode/decode throughput on scrape-shaped data (15 s interval
// with a little jitter, a counter and a noisy gauge). Each benchmark checks
// its result and reports samples/s and bytes per sample.
//
//   BM_XorAppend           XorAppender on an XorChunk (std::string bytes)
//   BM_XorOpenChunkAppend  the head's XorOpenChunk (its own buffer)
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "tsdb/chunkenc/xor.h"

namespace pharos::tsdb::chunkenc {
namespace {

std::vector<storage::Sample> ScrapeSamples(bool gauge) {
  std::mt19937_64 rng(1);
  std::vector<storage::Sample> s;
  int64_t t = 1700000000000;
  double v = 1000;
  for (int i = 0; i < kSamplesPerChunk; ++i) {
    t += 15000 + (rng() % 10 == 0 ? static_cast<int64_t>(rng() % 5) - 2 : 0);
    v = gauge ? 50 + 10 * std::sin(i / 10.0) + static_cast<double>(rng() % 100) / 100 : v + static_cast<double>(rng() % 20);
    s.push_back({t, v});
  }
  return s;
}

XorChunk EncodeAll(const std::vector<storage::Sample>& in) {
  XorChunk c;
  XorAppender app(&c);
  for (const auto& x : in) app.Append(x.t, x.v);
  return c;
}

void BM_XorAppend(benchmark::State& state) {
  auto in = ScrapeSamples(state.range(0) != 0);
  size_t bytes = 0;
  for (auto _ : state) {
    XorChunk c = EncodeAll(in);
    bytes = c.SizeBytes();
    benchmark::DoNotOptimize(c.Bytes().data());
  }
  if (XorChunk c = EncodeAll(in); c.NumSamples() != static_cast<int>(in.size())) state.SkipWithError("lost samples");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(in.size()));
  state.counters["bytes_per_sample"] = static_cast<double>(bytes) / static_cast<double>(in.size());
}
BENCHMARK(BM_XorAppend)->Arg(0)->Arg(1)->ArgName("gauge");

// The head's open chunk (XorOpenChunk): same bytes, its own buffer.
void BM_XorOpenChunkAppend(benchmark::State& state) {
  auto in = ScrapeSamples(state.range(0) != 0);
  size_t bytes = 0, cap = 0;
  for (auto _ : state) {
    XorOpenChunk c;
    for (const auto& x : in) c.Append(x.t, x.v);
    bytes = c.Bytes().size();
    cap = c.Capacity();
    benchmark::DoNotOptimize(c.Bytes().data());
  }
  if (bytes != EncodeAll(in).SizeBytes()) state.SkipWithError("not the same bytes as XorAppender");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(in.size()));
  state.counters["bytes_per_sample"] = static_cast<double>(bytes) / static_cast<double>(in.size());
  state.counters["unused_bytes"] = static_cast<double>(cap - bytes);
}
BENCHMARK(BM_XorOpenChunkAppend)->Arg(0)->Arg(1)->ArgName("gauge");

void BM_XorIterateNext(benchmark::State& state) {
  auto in = ScrapeSamples(state.range(0) != 0);
  XorChunk c = EncodeAll(in);
  XorIterator it;
  for (auto _ : state) {
    it.Reset(c.Bytes());
    double sum = 0;
    int n = 0;
    while (it.Next()) {
      sum += it.At().v;
      ++n;
    }
    benchmark::DoNotOptimize(sum);
    if (n != static_cast<int>(in.size())) state.SkipWithError("wrong sample count");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(in.size()));
}
BENCHMARK(BM_XorIterateNext)->Arg(0)->Arg(1)->ArgName("gauge");

void BM_XorAppendUntil(benchmark::State& state) {
  auto in = ScrapeSamples(state.range(0) != 0);
  XorChunk c = EncodeAll(in);
  XorIterator it;
  std::vector<storage::Sample> out;
  out.reserve(in.size());
  for (auto _ : state) {
    out.clear();
    it.Reset(c.Bytes());
    if (it.Next()) it.AppendUntil(INT64_MAX, &out);
    if (out.size() != in.size() || out.back().t != in.back().t) state.SkipWithError("wrong samples");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(in.size()));
}
BENCHMARK(BM_XorAppendUntil)->Arg(0)->Arg(1)->ArgName("gauge");

}  // namespace
}  // namespace pharos::tsdb::chunkenc
