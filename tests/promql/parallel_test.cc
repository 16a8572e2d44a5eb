// Parallel evaluation (EngineOptions::parallelism) must give exactly the
// sequential answer: the same series in the same order, bit-identical
// values, the same annotations and the same errors. Random counters and
// gauges (resets, gaps, stale markers, values whose sums depend on the order
// of additions) are queried by an engine without helpers and by one whose
// selectors hand their series to a helper in batches of several sizes.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <iterator>
#include <limits>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "disk/env.h"
#include "promql/engine.h"
#include "promql/internal/evaluator.h"
#include "storage/memory_storage.h"
#include "storage/sample.h"
#include "tsdb/db.h"

namespace pharos::promql {
namespace {

constexpr int64_t kStep = 15000;
constexpr int64_t kEnd = 2 * 3600 * 1000;

void Fill(storage::MemoryStorage* store) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> inc(0, 10);
  std::uniform_int_distribution<int> pct(0, 99), jitter(0, 999);
  auto add = [&](const Labels& l, bool counter) {
    double v = inc(rng) * 1000;
    for (int64_t t = 0; t <= kEnd; t += kStep) {
      int p = pct(rng);
      if (p < 4) continue;  // a missed scrape
      double x = v;
      if (p == 4) x = storage::StaleNaN();
      ASSERT_TRUE(store->Add(l, t + jitter(rng), x).ok());
      if (counter) {
        v = p == 5 ? inc(rng) : v + inc(rng) * (1 + pct(rng));  // 1% resets
      } else {
        v = inc(rng) * 1e3 - 5e3 + (p == 6 ? 1e-9 : 0);
      }
    }
  };
  for (int a = 0; a < 10; ++a) {
    for (int b = 0; b < 30; ++b) {
      std::string sa = std::to_string(a), sb = std::to_string(b);
      add(Labels{{"__name__", "req_total"}, {"a", sa}, {"b", sb}}, true);
      if (b % 6 == 0) add(Labels{{"__name__", "gauge"}, {"a", sa}, {"b", sb}}, false);
      if (a == 9 && b > 25) add(Labels{{"__name__", "other_total"}, {"a", sa}, {"b", sb}}, true);
    }
  }
}

storage::MemoryStorage& Store() {
  static storage::MemoryStorage* s = [] {
    auto* st = new storage::MemoryStorage();
    Fill(st);
    return st;
  }();
  return *s;
}

bool SameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

void ExpectSame(const absl::StatusOr<QueryResult>& want, const absl::StatusOr<QueryResult>& got,
                const std::string& what) {
  ASSERT_EQ(want.ok(), got.ok()) << what << ": " << want.status() << " vs " << got.status();
  if (!want.ok()) {
    EXPECT_EQ(want.status(), got.status()) << what;
    return;
  }
  EXPECT_EQ(want->type, got->type) << what;
  EXPECT_EQ(want->warnings, got->warnings) << what;
  EXPECT_EQ(want->infos, got->infos) << what;
  ASSERT_EQ(want->series.size(), got->series.size()) << what;
  for (size_t i = 0; i < want->series.size(); ++i) {
    const Series& w = want->series[i];
    const Series& g = got->series[i];
    ASSERT_EQ(w.labels, g.labels) << what << " series " << i;
    ASSERT_EQ(w.points.size(), g.points.size()) << what << " " << w.labels.ToString();
    for (size_t k = 0; k < w.points.size(); ++k) {
      ASSERT_EQ(w.points[k].t, g.points[k].t) << what;
      ASSERT_TRUE(SameBits(w.points[k].v, g.points[k].v))
          << what << " " << w.labels.ToString() << " at " << w.points[k].t << ": " << w.points[k].v << " vs "
          << g.points[k].v;
    }
  }
}

const char* kQueries[] = {
    "rate(req_total[5m])",
    "increase(req_total[10m])",
    "delta(gauge[5m])",
    "irate(req_total[5m])",
    "idelta(gauge[5m])",
    "deriv(gauge[10m])",
    "predict_linear(gauge[10m], 600)",
    "sum by (a) (rate(req_total[5m]))",
    "sum(rate(req_total[5m]))",
    "avg by (b) (rate(req_total[5m]))",
    "count by (a) (increase(req_total[2m]))",
    "max by (a) (rate(req_total[1m])) - min by (a) (rate(req_total[1m]))",
    "stddev by (a) (rate(req_total[5m]))",
    "topk(3, rate(req_total[5m]))",
    "sum by (a) (increase(req_total[1h]))",
    "avg_over_time(gauge[5m])",
    "sum_over_time(gauge[5m])",
    "count_over_time(req_total[3m])",
    "min_over_time(gauge[5m])",
    "max_over_time(gauge[5m])",
    "last_over_time(req_total[5m])",
    "stddev_over_time(gauge[5m])",
    "stdvar_over_time(gauge[5m])",
    "changes(gauge[5m])",
    "resets(req_total[10m])",
    "present_over_time(gauge[1m])",
    "quantile_over_time(0.9, gauge[5m])",
    "quantile_over_time(1.5, gauge[5m])",
    "mad_over_time(gauge[5m])",
    "holt_winters(gauge[5m], 0.5, 0.5)",
    "holt_winters(gauge[5m], 1.5, 0.5)",
    "absent_over_time(req_total{a=\"none\"}[5m])",
    "absent_over_time(req_total[30s])",
    "rate({__name__=~\".+_total\"}[5m])",
    "rate({__name__=~\"req_total|gauge\"}[5m])",
    "rate(gauge[5m])",
    "rate(req_total[5m] @ 3600)",
    "rate(req_total[5m] offset 10m)",
    "rate(req_total[5m:1m])",
    "sum_over_time(req_total[1h])",
};

class ParallelTest : public ::testing::TestWithParam<size_t> {
 protected:
  void TearDown() override { internal::SetParallelBatchForTesting(0); }
};

TEST_P(ParallelTest, SameAnswersAsSequential) {
  EngineOptions seq_opts;
  seq_opts.parallelism = 1;
  seq_opts.max_samples = 2'000'000;
  EngineOptions par_opts = seq_opts;
  par_opts.parallelism = 2;
  Engine seq(seq_opts), par(par_opts);
  auto& store = Store();
  for (const char* q : kQueries) {
    for (int64_t t : {int64_t{3600000}, kEnd, kEnd - 7 * kStep}) {
      internal::SetParallelBatchForTesting(0);
      auto want = seq.InstantQuery(store, q, t);
      internal::SetParallelBatchForTesting(GetParam());
      auto got = par.InstantQuery(store, q, t);
      ExpectSame(want, got, std::string(q) + " at " + std::to_string(t));
    }
    internal::SetParallelBatchForTesting(0);
    auto want = seq.RangeQuery(store, q, 1800000, kEnd, 60000);
    internal::SetParallelBatchForTesting(GetParam());
    auto got = par.RangeQuery(store, q, 1800000, kEnd, 60000);
    ExpectSame(want, got, std::string(q) + " range");
  }
}

// The sample limit stops both at the same series with the same error, and
// queries under it still agree.
TEST_P(ParallelTest, SampleLimitAsSequential) {
  for (int64_t limit : {1000, 20000, 100000, 400000}) {
    EngineOptions seq_opts;
    seq_opts.parallelism = 1;
    seq_opts.max_samples = limit;
    EngineOptions par_opts = seq_opts;
    par_opts.parallelism = 2;
    Engine seq(seq_opts), par(par_opts);
    for (const char* q : {"sum_over_time(req_total[30m])", "rate(req_total[5m])", "sum(rate(gauge[10m]))"}) {
      internal::SetParallelBatchForTesting(0);
      auto want = seq.RangeQuery(Store(), q, 1800000, kEnd, 60000);
      internal::SetParallelBatchForTesting(GetParam());
      auto got = par.RangeQuery(Store(), q, 1800000, kEnd, 60000);
      ExpectSame(want, got, std::string(q) + " limit " + std::to_string(limit));
    }
  }
}

TEST_P(ParallelTest, Cancellation) {
  EngineOptions opts;
  opts.parallelism = 2;
  Engine par(opts);
  internal::SetParallelBatchForTesting(GetParam());
  std::atomic<int> polls{0};
  QueryContext ctx;
  ctx.is_cancelled = [&] { return ++polls > 3; };
  auto r = par.RangeQuery(Store(), "sum by (a) (rate(req_total[5m]))", 1800000, kEnd, 60000, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
  ctx.is_cancelled = nullptr;
  ctx.deadline = absl::Now() - absl::Seconds(1);
  r = par.RangeQuery(Store(), "rate(req_total[5m])", 1800000, kEnd, 60000, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
}

// Aggregations of a range function add each series into its group as it
// is computed; with a regular-expression name matcher the engine takes the
// general path (an array per series, then the aggregation). Both must agree
// bit for bit.
TEST_P(ParallelTest, StreamedAggregationAsMaterialised) {
  EngineOptions opts;
  opts.parallelism = 2;
  Engine par(opts);
  internal::SetParallelBatchForTesting(GetParam());
  const char* ops[] = {"sum", "avg", "count", "group", "min", "max", "stddev", "stdvar"};
  const char* groupings[] = {"by (a)", "without (b)", "by (__name__, a)", "", "by (b, a)"};
  const char* fns[][2] = {{"rate(", "req_total[5m])"},
                          {"increase(", "req_total[1h])"},
                          {"avg_over_time(", "gauge[10m])"},
                          {"last_over_time(", "req_total[5m])"},
                          {"stddev_over_time(", "gauge[5m])"}};
  for (size_t o = 0; o < std::size(ops); ++o) {
    const char* op = ops[o];
    for (size_t f = 0; f < std::size(fns); ++f) {
      const char* g = groupings[(o + f) % std::size(groupings)];
      const auto& fn = fns[f];
      {
        std::string name(fn[1], std::string(fn[1]).find('['));
        std::string rest(fn[1] + name.size());
        std::string streamed = std::string(op) + " " + g + " (" + fn[0] + fn[1] + ")";
        std::string general =
            std::string(op) + " " + g + " (" + fn[0] + "{__name__=~\"" + name + "\"}" + rest + ")";
        ExpectSame(par.RangeQuery(Store(), general, 1800000, kEnd, 60000),
                   par.RangeQuery(Store(), streamed, 1800000, kEnd, 60000), streamed + " range");
        ExpectSame(par.InstantQuery(Store(), general, kEnd), par.InstantQuery(Store(), streamed, kEnd),
                   streamed + " instant");
      }
    }
  }
}

// Several queries at once on one engine share its helpers; each still
// gets the sequential answer.
TEST_P(ParallelTest, ConcurrentQueriesShareTheHelpers) {
  EngineOptions seq_opts;
  seq_opts.parallelism = 1;
  EngineOptions par_opts;
  par_opts.parallelism = 3;
  Engine seq(seq_opts), par(par_opts);
  const char* qs[] = {"sum by (a) (rate(req_total[5m]))", "rate(req_total[5m])", "avg_over_time(gauge[5m])",
                      "sum(increase(req_total[1h]))"};
  std::vector<absl::StatusOr<QueryResult>> want;
  for (const char* q : qs) want.push_back(seq.RangeQuery(Store(), q, 1800000, kEnd, 60000));
  internal::SetParallelBatchForTesting(GetParam());
  std::vector<std::thread> threads;
  std::vector<std::vector<absl::StatusOr<QueryResult>>> got(4);
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (const char* q : qs) got[t].push_back(par.RangeQuery(Store(), q, 1800000, kEnd, 60000));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < 4; ++t) {
    ASSERT_EQ(got[t].size(), 3 * std::size(qs));
    for (size_t i = 0; i < got[t].size(); ++i) {
      ExpectSame(want[i % std::size(qs)], got[t][i], std::string(qs[i % std::size(qs)]) + " concurrent");
    }
  }
}

// The same over the TSDB: chunks of a compacted block (decoded through the
// shared frame cache) merged with the head's, decoded on two threads.
TEST_P(ParallelTest, TsdbBlocksAndHead) {
  std::string dir = (std::filesystem::temp_directory_path() / "pharos-parallel-test-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    tsdb::DBOptions o;
    o.maintenance_interval_ms = 0;
    auto db = tsdb::DB::Open(disk::PosixEnv(), dir, o);
    ASSERT_TRUE(db.ok()) << db.status();
    std::mt19937_64 rng(3);
    auto append = [&](int64_t from, int64_t to) {
      for (int64_t t = from; t <= to; t += kStep) {
        auto app = (*db)->NewAppender();
        for (int s = 0; s < 300; ++s) {
          Labels l{{"__name__", "req_total"}, {"a", std::to_string(s % 10)}, {"b", std::to_string(s)}};
          double v = static_cast<double>(t / kStep * (s % 7 + 1)) + static_cast<double>(rng() % 1000) / 7;
          ASSERT_TRUE(app->Append(0, l, t + static_cast<int64_t>(rng() % 900), v).ok());
        }
        ASSERT_TRUE(app->Commit().ok());
      }
    };
    append(0, kEnd - 30 * 60000);
    ASSERT_TRUE((*db)->CompactHead().ok());
    append(kEnd - 30 * 60000 + kStep, kEnd);
    EngineOptions seq_opts;
    seq_opts.parallelism = 1;
    EngineOptions par_opts;
    par_opts.parallelism = 2;
    Engine seq(seq_opts), par(par_opts);
    for (const char* q : {"rate(req_total[5m])", "sum by (a) (rate(req_total[5m]))", "max_over_time(req_total[10m])",
                          "topk(3, sum by (a) (increase(req_total[1h])))"}) {
      internal::SetParallelBatchForTesting(0);
      auto want = seq.RangeQuery(**db, q, 1800000, kEnd, 30000);
      ASSERT_TRUE(want.ok()) << want.status();
      EXPECT_FALSE(want->series.empty()) << q;
      internal::SetParallelBatchForTesting(GetParam());
      ExpectSame(want, par.RangeQuery(**db, q, 1800000, kEnd, 30000), std::string(q) + " tsdb range");
      internal::SetParallelBatchForTesting(0);
      auto want_i = seq.InstantQuery(**db, q, kEnd - 20 * 60000);
      internal::SetParallelBatchForTesting(GetParam());
      ExpectSame(want_i, par.InstantQuery(**db, q, kEnd - 20 * 60000), std::string(q) + " tsdb instant");
    }
    ASSERT_TRUE((*db)->Close().ok());
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// avg_over_time evaluates the windows of a range query four at a time;
// each step must equal the instant query at that time (one window alone),
// bit for bit, also with infinities, NaN, huge values and windows of
// different lengths (irregular timestamps).
TEST(AvgOverTimeTest, RangeStepsEqualInstantQueries) {
  storage::MemoryStorage store;
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> pct(0, 99);
  std::uniform_real_distribution<double> val(-1e3, 1e3);
  const double kInf = std::numeric_limits<double>::infinity();
  for (int s = 0; s < 6; ++s) {
    Labels l{{"__name__", "g"}, {"s", std::to_string(s)}};
    int64_t t = 0;
    while (t <= 3600000) {
      int p = pct(rng);
      double v = val(rng);
      if (s >= 3 && p < 3) v = kInf;
      if (s >= 3 && p == 3) v = -kInf;
      if (s >= 4 && p == 4) v = std::numeric_limits<double>::quiet_NaN();
      if (s == 5 && p == 5) v = 1.7e308;
      ASSERT_TRUE(store.Add(l, t, v).ok());
      t += 1000 + 1000 * static_cast<int64_t>(pct(rng) % 20);  // 1 to 20 s apart
    }
  }
  EngineOptions opts;
  opts.parallelism = 1;
  Engine eng(opts);
  for (const char* q : {"avg_over_time(g[1m])", "avg_over_time(g[5m])", "avg_over_time(g[17s])"}) {
    auto range = eng.RangeQuery(store, q, 0, 3600000, 7000);
    ASSERT_TRUE(range.ok()) << range.status();
    size_t checked = 0;
    for (const Series& sr : range->series) {
      for (const auto& pt : sr.points) {
        auto inst = eng.InstantQuery(store, std::string(q).replace(std::string(q).find("g["), 1,
                                                                   "g{s=\"" + std::string(sr.labels.Get("s")) + "\"}"),
                                     pt.t);
        ASSERT_TRUE(inst.ok()) << inst.status();
        ASSERT_EQ(inst->series.size(), 1u) << q << " at " << pt.t;
        ASSERT_TRUE(SameBits(inst->series[0].points[0].v, pt.v))
            << q << " " << sr.labels.ToString() << " at " << pt.t << ": " << pt.v << " vs "
            << inst->series[0].points[0].v;
        ++checked;
      }
    }
    EXPECT_GT(checked, 1000u) << q;
  }
}

// 0: the engine's own batch sizing (several batches of 256 series here).
INSTANTIATE_TEST_SUITE_P(Batches, ParallelTest, ::testing::Values(0, 1, 2, 7));

}  // namespace
}  // namespace pharos::promql
