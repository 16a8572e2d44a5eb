// Columnar block chunk (tsdb/chunkenc/column.h) encode/decode throughput on
// one 2h series at 15 s (480 samples, jittered timestamps): a two-decimal
// counter, an integer gauge and a full-precision float gauge (XOR mode).
// Reports samples/s and bytes per sample (before the zstd frames).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "tsdb/chunkenc/column.h"

namespace pharos::tsdb::chunkenc {
namespace {

std::vector<storage::Sample> Series(int kind) {
  std::mt19937_64 rng(7);
  std::vector<storage::Sample> s;
  int64_t t = 1700000000000;
  double v = 1000;
  for (int i = 0; i < 480; ++i) {
    t += 15000 + static_cast<int64_t>(rng() % 2);
    switch (kind) {
      case 0: v = std::round((v + static_cast<double>(rng() % 500) / 100) * 100) / 100; break;
      case 1: v = static_cast<double>(100 + rng() % 7); break;
      default: v = 50 + std::sin(i / 10.0) + static_cast<double>(rng() % 1000000) / 1e7; break;
    }
    s.push_back({t, v});
  }
  return s;
}

void BM_ColumnEncode(benchmark::State& state) {
  auto in = Series(static_cast<int>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!EncodeColumnChunk(in, &out).ok()) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(in.size()));
  state.counters["bytes_per_sample"] = static_cast<double>(out.size()) / static_cast<double>(in.size());
}
BENCHMARK(BM_ColumnEncode)->Arg(0)->Arg(1)->Arg(2)->ArgName("kind");

void BM_ColumnDecode(benchmark::State& state) {
  auto in = Series(static_cast<int>(state.range(0)));
  std::string enc;
  if (!EncodeColumnChunk(in, &enc).ok()) state.SkipWithError("encode failed");
  ColumnIterator it;
  std::vector<storage::Sample> out;
  out.reserve(in.size());
  for (auto _ : state) {
    out.clear();
    it.Reset(enc);
    if (it.Next()) it.AppendUntil(INT64_MAX, &out);
    if (out.size() != in.size() || out.back().v != in.back().v) state.SkipWithError("wrong samples");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(in.size()));
}
BENCHMARK(BM_ColumnDecode)->Arg(0)->Arg(1)->Arg(2)->ArgName("kind");

}  // namespace
}  // namespace pharos::tsdb::chunkenc
