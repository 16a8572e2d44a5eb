// The scrape side of ingestion, per sample: BodyAppender::AppendScrape of
// the benchmark-shaped body (testdata/loadgen_1000.txt) into a storage that
// only counts, so the figure is the parser, the scrape cache, staleness and
// metadata bookkeeping, without the TSDB.
//
// "Steady" is the common case: every series known from the last scrape.
// "FirstScrape" is a target's first scrape: every series new (labels
// materialized, merged with the target labels, hashed into the cache).
#include <fstream>
#include <iterator>
#include <string>

#include <benchmark/benchmark.h>

#include "scrape/body_appender.h"
#include "storage/appender.h"

namespace pharos::scrape {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const std::string& LoadgenText() {
  static const std::string body = ReadFile(PHAROS_SOURCE_DIR "/bench/scrape/testdata/loadgen_1000.txt");
  return body;
}

// Hands out refs by label set on first sight and accepts every sample by
// ref; counts what it got.
class CountingStorage : public storage::Appendable {
 public:
  uint64_t samples = 0;
  uint64_t next_ref = 1;

  class App : public storage::Appender {
   public:
    explicit App(CountingStorage* s) : s_(s) {}
    absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref, const Labels&, int64_t, double v) override {
      benchmark::DoNotOptimize(v);
      ++s_->samples;
      return ref != 0 ? ref : s_->next_ref++;
    }
    absl::Status Commit() override { return absl::OkStatus(); }
    void Rollback() override {}

   private:
    CountingStorage* s_;
  };
  std::unique_ptr<storage::Appender> NewAppender() override { return std::make_unique<App>(this); }
};

BodyAppenderOptions Options() {
  BodyAppenderOptions o;
  o.target_labels = Labels{{"instance", "127.0.0.1:9100"}, {"job", "node"}};
  return o;
}

constexpr std::string_view kContentType = "text/plain; version=0.0.4";
constexpr uint64_t kSamples = 997;

void BM_AppendScrape_Steady(benchmark::State& state) {
  const std::string& body = LoadgenText();
  CountingStorage storage;
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
  const std::string& body = LoadgenText();
  CountingStorage storage;
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
