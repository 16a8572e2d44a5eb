// The scrape side of ingestion, per sample: BodyAppender::AppendScrape of
// the benchmark-shaped body (testdata/loadgen_1000.txt) into a storage that
// only counts, so the figure is the parser, the scrape cache, staleness and
// metadata bookkeeping, without the TSDB.
//
// "Steady" is the common case: every series known from the last scrape.
// "FirstScrape" is a target's first scrape: every series new (labels
// materialized, merged with the target labels, hashed into the cache).
#include <string>

#include <benchmark/benchmark.h>

#include "scrape/body_appender.h"
#include "scrape/counting_storage.h"

namespace pharos::scrape {
namespace {


BodyAppenderOptions Options() {
  BodyAppenderOptions o;
  o.target_labels = Labels{{"instance", "127.0.0.1:9100"}, {"job", "node"}};
  return o;
}

constexpr std::string_view kContentType = "text/plain; version=0.0.4";
constexpr uint64_t kSamples = testing::kLoadgenSamples;

void BM_AppendScrape_Steady(benchmark::State& state) {
  const std::string& body = testing::LoadgenBody();
  testing::CountingStorage storage;
  BodyAppender app(&storage, Options());
  int64_t ts = 1'700'000'000'000;
  auto duration = [] { return 0.01; };
  AppendStats stats;
  absl::Status rs;
  if (!app.AppendScrape(absl::OkStatus(), body, kContentType, ts, duration, &stats, &rs).ok()) {
    state.SkipWithError("first scrape failed");
    return;
  }
  for (auto _ : state) {
    ts += 1000;
    stats = AppendStats();
    absl::Status s = app.AppendScrape(absl::OkStatus(), body, kContentType, ts, duration, &stats, &rs);
    if (!s.ok() || stats.scraped != kSamples || stats.series_added != 0) {
      state.SkipWithError("unexpected scrape result");
      return;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSamples));
}

void BM_AppendScrape_FirstScrape(benchmark::State& state) {
  const std::string& body = testing::LoadgenBody();
  testing::CountingStorage storage;
  int64_t ts = 1'700'000'000'000;
  auto duration = [] { return 0.01; };
  for (auto _ : state) {
    BodyAppender app(&storage, Options());
    AppendStats stats;
    absl::Status rs;
    absl::Status s = app.AppendScrape(absl::OkStatus(), body, kContentType, ts, duration, &stats, &rs);
    if (!s.ok() || stats.series_added != kSamples) {
      state.SkipWithError("unexpected scrape result");
      return;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSamples));
}

BENCHMARK(BM_AppendScrape_Steady);
BENCHMARK(BM_AppendScrape_FirstScrape);

}  // namespace
}  // namespace pharos::scrape
