// Head appends: the per-sample cost of scrape ingestion in the TSDB (no
// WAL). A batch appends one sample to each of N series, as one scrape of a
// target does, then commits; items are samples.
//
//   BM_HeadAppendByRef     steady state: series known, appended by ref alone
//   BM_HeadAppendByLabels  every sample carries its labels (ref 0): hash and
//                          compare of the label set per sample
//   BM_HeadMemory          heap bytes per series (malloc's count) for 100,000
//                          series of 7 labels, after creation and after 80
//                          samples each at 1 s (the ingest scenario's head)
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tsdb/head/head.h"

namespace pharos::tsdb::head {
namespace {

std::vector<Labels> MakeSeries(int n) {
  std::vector<Labels> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    out.push_back(Labels{{"__name__", "http_request_duration_seconds_bucket"},
                         {"handler", absl::StrCat("/api/v1/items/", i % 50)},
                         {"instance", "127.0.0.1:21000"},
                         {"job", "bench"},
                         {"le", absl::StrCat(i / 50)}});
  }
  return out;
}

void Run(benchmark::State& state, bool by_ref) {
  const int n = static_cast<int>(state.range(0));
  Head h(nullptr, HeadOptions{});
  auto series = MakeSeries(n);
  std::vector<storage::SeriesRef> refs(n);
  int64_t t = 1'000'000;
  {
    auto app = h.NewAppender();
    for (int i = 0; i < n; ++i) refs[i] = *app->Append(0, series[i], t, i);
    if (!app->Commit().ok()) state.SkipWithError("commit failed");
  }
  const Labels none;
  for (auto _ : state) {
    t += 1000;
    auto app = h.NewAppender();
    for (int i = 0; i < n; ++i) {
      auto r = by_ref ? app->Append(refs[i], none, t, i + t) : app->Append(0, series[i], t, i + t);
      if (!r.ok()) state.SkipWithError("append failed");
    }
    if (!app->Commit().ok()) state.SkipWithError("commit failed");
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_HeadMemory(benchmark::State& state) {
  constexpr int kSeries = 100'000;
  for (auto _ : state) {
    std::vector<Labels> series;
    series.reserve(kSeries);
    for (int i = 0; i < kSeries; ++i) {
      series.push_back(Labels{{"__name__", "http_requests_total"},
                              {"handler", absl::StrCat("/api/v1/orders/", i % 40, "/{id}")},
                              {"instance", absl::StrCat("127.0.0.1:", 20000 + i / 1000)},
                              {"job", absl::StrCat("service-", i % 4)},
                              {"method", i % 2 ? "GET" : "POST"},
                              {"shard", absl::StrCat((i / 40) % 25)},
                              {"status", absl::StrCat(200 + (i % 7))}});
    }
    const size_t before = mallinfo2().uordblks;
    auto h = std::make_unique<Head>(nullptr, HeadOptions{});
    std::vector<storage::SeriesRef> refs(kSeries);
    int64_t t = 1'000'000;
    {
      auto app = h->NewAppender();
      for (int i = 0; i < kSeries; ++i) refs[i] = *app->Append(0, series[i], t, 0);
      if (!app->Commit().ok()) state.SkipWithError("commit failed");
    }
    const size_t created = mallinfo2().uordblks;
    const Labels none;
    for (int k = 1; k < 80; ++k) {
      t += 1000;
      auto app = h->NewAppender();
      // Counters: small integer increments, as most scraped series are.
      for (int i = 0; i < kSeries; ++i) (void)app->Append(refs[i], none, t, k * (i % 13 + 1));
      if (!app->Commit().ok()) state.SkipWithError("commit failed");
    }
    const size_t filled = mallinfo2().uordblks;
    state.counters["bytes_per_series_created"] = static_cast<double>(created - before) / kSeries;
    state.counters["bytes_per_series_80_samples"] = static_cast<double>(filled - before) / kSeries;
  }
}
BENCHMARK(BM_HeadMemory)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_HeadAppendByRef(benchmark::State& state) { Run(state, true); }
void BM_HeadAppendByLabels(benchmark::State& state) { Run(state, false); }
BENCHMARK(BM_HeadAppendByRef)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HeadAppendByLabels)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pharos::tsdb::head
