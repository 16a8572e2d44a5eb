// Range functions over a real TSDB block (column chunks decoded per query),
// with the engine's helper threads (parallelism 2) and without (1). Data:
// 2,400 request counters and 1,600 histogram buckets, 2 h at 15 s, compacted
// into one block in a temporary directory, as in the shared query
// benchmark. Wall-clock time (the work is split across threads); each
// benchmark checks the shape of its answer.
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "disk/env.h"
#include "promql/engine.h"
#include "tsdb/db.h"

namespace pharos::promql {
namespace {

constexpr int64_t kInterval = 15000;
constexpr int64_t kEnd = 2 * 3600 * 1000 - kInterval;
constexpr int kHandlers = 20;

struct Data {
  std::string dir;
  std::unique_ptr<tsdb::DB> db;
  ~Data() {
    if (db) (void)db->Close();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

tsdb::DB& Db() {
  static Data* data = [] {
    auto* d = new Data();
    std::string tmpl = (std::filesystem::temp_directory_path() / "pharos-promql-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    d->dir = tmpl;
    tsdb::DBOptions o;
    o.maintenance_interval_ms = 0;
    auto db = tsdb::DB::Open(disk::PosixEnv(), d->dir, o);
    if (!db.ok()) std::abort();
    d->db = std::move(*db);
    std::mt19937_64 rng(1);
    const char* les[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
    std::vector<Labels> series;
    for (int inst = 0; inst < 4; ++inst) {
      std::string instance = "host" + std::to_string(inst) + ":9100";
      for (int h = 0; h < kHandlers; ++h) {
        std::string handler = "/api/v1/h" + std::to_string(h);
        for (const char* method : {"GET", "POST", "PUT"}) {
          for (const char* status : {"200", "201", "400", "404", "500", "503", "302", "304", "429", "502"}) {
            series.push_back(Labels{{"__name__", "http_requests_total"}, {"job", "api"}, {"instance", instance},
                                    {"handler", handler}, {"method", method}, {"status", status}});
          }
        }
        for (int k = 0; k < 20; ++k) {
          series.push_back(Labels{{"__name__", "http_request_duration_seconds_bucket"}, {"job", "api"},
                                  {"instance", instance}, {"handler", handler}, {"le", les[k % 12]},
                                  {"method", k < 12 ? "GET" : "POST"}});
        }
      }
    }
    std::vector<double> v(series.size(), 0);
    for (int64_t t = 0; t <= kEnd; t += kInterval) {
      auto app = d->db->NewAppender();
      for (size_t s = 0; s < series.size(); ++s) {
        v[s] += static_cast<double>(rng() % 50);
        if (!app->Append(0, series[s], t + static_cast<int64_t>(rng() % 3), v[s]).ok()) std::abort();
      }
      if (!app->Commit().ok()) std::abort();
    }
    if (!d->db->CompactHead().ok()) std::abort();
    return d;
  }();
  return *data->db;
}

double ProcessCpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

void Run(benchmark::State& state, const std::string& q, bool range, size_t want_series) {
  EngineOptions o;
  o.parallelism = static_cast<int>(state.range(0));
  Engine engine(o);
  auto& db = Db();
  double cpu0 = ProcessCpuMs();
  for (auto _ : state) {
    auto r = range ? engine.RangeQuery(db, q, kEnd - 3600000, kEnd, 15000) : engine.InstantQuery(db, q, kEnd);
    if (!r.ok() || r->series.size() != want_series) state.SkipWithError("unexpected answer");
  }
  // CPU of all threads (the benchmark's own CPU column is the calling thread's).
  state.counters["cpu_ms"] = (ProcessCpuMs() - cpu0) / static_cast<double>(state.iterations());
  state.SetLabel(o.parallelism == 1 ? "sequential" : "2 threads");
}

void BM_BlockRangeRate(benchmark::State& s) { Run(s, "rate(http_requests_total[5m])", true, 2400); }
void BM_BlockInstantRate(benchmark::State& s) { Run(s, "rate(http_requests_total[5m])", false, 2400); }
void BM_BlockRangeSumByRate(benchmark::State& s) {
  Run(s, "sum by (handler) (rate(http_requests_total[5m]))", true, kHandlers);
}
void BM_BlockRangeHistogramQuantile(benchmark::State& s) {
  Run(s, "histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[5m])))", true,
      kHandlers);
}
void BM_BlockRangeIncrease1h(benchmark::State& s) {
  Run(s, "sum by (status) (increase(http_requests_total[1h]))", true, 10);
}
void BM_BlockRangeAvgOverTime(benchmark::State& s) {
  Run(s, "avg_over_time(http_requests_total[10m])", true, 2400);
}

BENCHMARK(BM_BlockRangeRate)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BlockInstantRate)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BlockRangeSumByRate)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BlockRangeHistogramQuantile)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BlockRangeIncrease1h)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BlockRangeAvgOverTime)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace pharos::promql
