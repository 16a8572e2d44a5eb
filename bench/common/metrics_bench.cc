// Self-metrics hot paths: updating a resolved child must cost a few
// nanoseconds and no allocation; resolving by label values is the slow path.
#include <benchmark/benchmark.h>

#include "common/metrics/registry.h"

namespace pharos::metrics {
namespace {

void BM_CounterInc(benchmark::State& state) {
  Registry reg;
  Counter* c = reg.NewCounterFamily("c_total", "c", {"handler", "code"})->With({"/api/v1/query", "200"});
  for (auto _ : state) c->Inc();
  if (c->Value() != static_cast<double>(state.iterations())) state.SkipWithError("lost increments");
}
BENCHMARK(BM_CounterInc)->ThreadRange(1, 2);

void BM_HistogramObserve(benchmark::State& state) {
  Registry reg;
  Histogram* h = reg.NewHistogram("h_seconds", "h", {.1, .2, .4, 1, 3, 8, 20, 60, 120});
  double v = 0;
  for (auto _ : state) {
    h->Observe(v);
    v = v < 100 ? v + 0.37 : 0;
  }
  if (h->Snap().count != static_cast<uint64_t>(state.iterations())) state.SkipWithError("lost observations");
}
BENCHMARK(BM_HistogramObserve);

void BM_FamilyWith(benchmark::State& state) {
  Registry reg;
  CounterFamily* f = reg.NewCounterFamily("c_total", "c", {"handler", "code"});
  for (auto _ : state) benchmark::DoNotOptimize(f->With({"/api/v1/query", "200"}));
}
BENCHMARK(BM_FamilyWith);

void BM_RenderText(benchmark::State& state) {
  Registry reg;
  CounterFamily* f = reg.NewCounterFamily("c_total", "c", {"handler", "code"});
  for (int i = 0; i < 100; ++i) f->With({"/h" + std::to_string(i), "200"})->Inc(i);
  std::string out;
  for (auto _ : state) {
    out.clear();
    reg.WriteText(&out);
  }
  state.SetBytesProcessed(state.iterations() * out.size());
}
BENCHMARK(BM_RenderText);

}  // namespace
}  // namespace pharos::metrics
