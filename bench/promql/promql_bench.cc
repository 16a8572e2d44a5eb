// PromQL engine micro-benchmarks on MemoryStorage: parsing, rate, sum by
// and histogram_quantile over 10,000 series (15 s scrape interval, 1 h of
// data), as instant queries and as range queries of 240 steps. Each
// benchmark checks the shape of its answer so that a wrong engine cannot
// look fast.
#include <benchmark/benchmark.h>

#include <string>

#include "promql/engine.h"
#include "promql/parser.h"
#include "storage/memory_storage.h"

namespace pharos::promql {
namespace {

constexpr int kSeries = 10000;
constexpr int kJobs = 10;
constexpr int64_t kInterval = 15000;
constexpr int kSamples = 240;  // one hour
constexpr int64_t kEnd = (kSamples - 1) * kInterval;

storage::MemoryStorage& Store() {
  static storage::MemoryStorage* store = [] {
    auto* s = new storage::MemoryStorage();
    const char* les[] = {"0.1", "0.5", "1", "5", "+Inf"};
    for (int i = 0; i < kSeries; ++i) {
      std::string job = "job" + std::to_string(i % kJobs);
      std::string inst = "i" + std::to_string(i);
      Labels counter{{"__name__", "http_requests_total"}, {"job", job}, {"instance", inst}};
      Labels bucket{{"__name__", "latency_seconds_bucket"},
                    {"job", job},
                    {"instance", "i" + std::to_string(i / 5)},
                    {"le", les[i % 5]}};
      for (int k = 0; k < kSamples; ++k) {
        (void)s->Add(counter, k * kInterval, k * (1 + i % 7));
        (void)s->Add(bucket, k * kInterval, k * (1 + i % 5));
      }
    }
    return s;
  }();
  return *store;
}

void BM_Parse(benchmark::State& state) {
  const std::string q =
      "histogram_quantile(0.99, sum by (le, job) (rate(latency_seconds_bucket{job=~\"api|web\", code!=\"500\"}[5m])))"
      " / on(job) group_left max by (job) (up offset 1h) > bool 0.5";
  for (auto _ : state) {
    auto e = ParseExpr(q);
    if (!e.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(e);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(q.size()));
}
BENCHMARK(BM_Parse);

void RunInstant(benchmark::State& state, const std::string& q, size_t want_series) {
  Engine engine;
  auto& store = Store();
  for (auto _ : state) {
    auto r = engine.InstantQuery(store, q, kEnd);
    if (!r.ok() || r->series.size() != want_series) state.SkipWithError("unexpected answer");
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
}

void RunRange(benchmark::State& state, const std::string& q, size_t want_series) {
  Engine engine;
  auto& store = Store();
  for (auto _ : state) {
    auto r = engine.RangeQuery(store, q, kEnd - 3600000 + 15000, kEnd, 15000);
    if (!r.ok() || r->series.size() != want_series) state.SkipWithError("unexpected answer");
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
}

void BM_InstantRate(benchmark::State& s) { RunInstant(s, "rate(http_requests_total[5m])", kSeries); }
void BM_InstantSumByRate(benchmark::State& s) {
  RunInstant(s, "sum by (job) (rate(http_requests_total[5m]))", kJobs);
}
void BM_InstantHistogramQuantile(benchmark::State& s) {
  RunInstant(s, "histogram_quantile(0.9, sum by (le, job) (rate(latency_seconds_bucket[5m])))", kJobs);
}
void BM_RangeRate(benchmark::State& s) { RunRange(s, "rate(http_requests_total[5m])", kSeries); }
void BM_RangeSumByRate(benchmark::State& s) { RunRange(s, "sum by (job) (rate(http_requests_total[5m]))", kJobs); }
void BM_RangeHistogramQuantile(benchmark::State& s) {
  RunRange(s, "histogram_quantile(0.9, sum by (le, job) (rate(latency_seconds_bucket[5m])))", kJobs);
}
void BM_RangeBinaryMatch(benchmark::State& s) {
  RunRange(s, "rate(http_requests_total[5m]) / on(instance, job) http_requests_total", kSeries);
}

BENCHMARK(BM_InstantRate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InstantSumByRate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InstantHistogramQuantile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeRate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeSumByRate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeHistogramQuantile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeBinaryMatch)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pharos::promql
