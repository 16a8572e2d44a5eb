// PromQL engine micro-benchmarks: parsing, rate, sum by and
// histogram_quantile over 10,000 series (15 s scrape interval, 1 h of data),
// as instant queries and as range queries of 240 steps. Each runs on
// MemoryStorage (which copies samples on every Select) and on a read-only
// in-benchmark store that hands out its arrays, which shows the engine's
// own cost. Each benchmark checks the shape of its answer so that a wrong
// engine cannot look fast.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <span>
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

// Read-only store over fixed arrays: Select filters by matchers and the
// iterators read the arrays in place (binary-search Seek).
class ArrayStore final : public storage::Queryable {
 public:
  void Add(const Labels& l, std::vector<storage::Sample> s) { series_.push_back({l, std::move(s)}); }
  void Sort() {
    std::sort(series_.begin(), series_.end(), [](const Entry& a, const Entry& b) { return a.labels < b.labels; });
  }
  absl::StatusOr<std::unique_ptr<storage::Querier>> NewQuerier(int64_t, int64_t) override {
    return std::unique_ptr<storage::Querier>(new Q(this));
  }

 private:
  struct Entry {
    Labels labels;
    std::vector<storage::Sample> samples;
  };
  class It final : public storage::SampleIterator {
   public:
    explicit It(std::span<const storage::Sample> s) : s_(s) {}
    bool Next() override { return ++pos_ < s_.size(); }
    bool Seek(int64_t t) override {
      if (pos_ == SIZE_MAX) pos_ = 0;
      if (pos_ < s_.size() && s_[pos_].t >= t) return true;
      pos_ = std::lower_bound(s_.begin() + pos_, s_.end(), t,
                              [](const storage::Sample& a, int64_t v) { return a.t < v; }) - s_.begin();
      return pos_ < s_.size();
    }
    storage::Sample At() const override { return s_[pos_]; }

   private:
    std::span<const storage::Sample> s_;
    size_t pos_ = SIZE_MAX;
  };
  class S final : public storage::Series {
   public:
    const Labels& labels() const override { return e->labels; }
    std::unique_ptr<storage::SampleIterator> Iterator() const override { return std::make_unique<It>(e->samples); }
    const Entry* e = nullptr;
  };
  class Set final : public storage::SeriesSet {
   public:
    Set(const ArrayStore* st, Matchers ms) : st_(st), ms_(std::move(ms)) {}
    bool Next() override {
      while (++i_ < st_->series_.size()) {
        if (MatchesAll(ms_, st_->series_[i_].labels)) {
          cur_.e = &st_->series_[i_];
          return true;
        }
      }
      return false;
    }
    const storage::Series& At() const override { return cur_; }

   private:
    const ArrayStore* st_;
    Matchers ms_;
    size_t i_ = SIZE_MAX;
    S cur_;
  };
  class Q final : public storage::Querier {
   public:
    explicit Q(const ArrayStore* st) : st_(st) {}
    std::unique_ptr<storage::SeriesSet> Select(bool, const storage::SelectHints*, const Matchers& ms) override {
      return std::make_unique<Set>(st_, ms);
    }
    absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view, const Matchers&) override {
      return std::vector<std::string>{};
    }
    absl::StatusOr<std::vector<std::string>> LabelNames(const Matchers&) override {
      return std::vector<std::string>{};
    }

   private:
    const ArrayStore* st_;
  };
  std::vector<Entry> series_;
};

template <typename Fn>
void Generate(Fn add) {
  const char* les[] = {"0.1", "0.5", "1", "5", "+Inf"};
  for (int i = 0; i < kSeries; ++i) {
    std::string job = "job" + std::to_string(i % kJobs);
    Labels counter{{"__name__", "http_requests_total"}, {"job", job}, {"instance", "i" + std::to_string(i)}};
    Labels bucket{{"__name__", "latency_seconds_bucket"},
                  {"job", job},
                  {"instance", "i" + std::to_string(i / 5)},
                  {"le", les[i % 5]}};
    std::vector<storage::Sample> c, b;
    for (int k = 0; k < kSamples; ++k) {
      c.push_back({k * kInterval, static_cast<double>(k * (1 + i % 7))});
      b.push_back({k * kInterval, static_cast<double>(k * (1 + i % 5))});
    }
    add(counter, std::move(c));
    add(bucket, std::move(b));
  }
}

storage::Queryable& FastStore() {
  static ArrayStore* store = [] {
    auto* s = new ArrayStore();
    Generate([&](const Labels& l, std::vector<storage::Sample> v) { s->Add(l, std::move(v)); });
    s->Sort();
    return s;
  }();
  return *store;
}

storage::MemoryStorage& Store() {
  static storage::MemoryStorage* store = [] {
    auto* s = new storage::MemoryStorage();
    Generate([&](const Labels& l, std::vector<storage::Sample> v) {
      for (const auto& x : v) (void)s->Add(l, x.t, x.v);
    });
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

storage::Queryable& StoreFor(benchmark::State& state) {
  if (state.range(0) == 0) return Store();
  return FastStore();
}

void RunInstant(benchmark::State& state, const std::string& q, size_t want_series) {
  Engine engine;
  auto& store = StoreFor(state);
  state.SetLabel(state.range(0) == 0 ? "MemoryStorage" : "arrays");
  for (auto _ : state) {
    auto r = engine.InstantQuery(store, q, kEnd);
    if (!r.ok() || r->series.size() != want_series) state.SkipWithError("unexpected answer");
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
}

void RunRange(benchmark::State& state, const std::string& q, size_t want_series) {
  Engine engine;
  auto& store = StoreFor(state);
  state.SetLabel(state.range(0) == 0 ? "MemoryStorage" : "arrays");
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

BENCHMARK(BM_InstantRate)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InstantSumByRate)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InstantHistogramQuantile)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeRate)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeSumByRate)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeHistogramQuantile)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeBinaryMatch)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pharos::promql
