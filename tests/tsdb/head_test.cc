#include "tsdb/head/head.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "disk/fault_env.h"

namespace pharos::tsdb::head {
namespace {

using storage::AppendError;
using storage::Sample;

Labels L(std::string_view name, std::string_view job = "a") { return Labels{{"__name__", name}, {"job", job}}; }

Matcher Eq(std::string_view n, std::string_view v) { return Matcher::MustMake(MatchType::kEqual, n, v); }

std::vector<Sample> Drain(storage::SampleIterator& it) {
  std::vector<Sample> out;
  while (it.Next()) out.push_back(it.At());
  EXPECT_TRUE(it.Err().ok());
  return out;
}

// Every series matching `ms` in [mint, maxt] with its samples, in order.
std::vector<std::pair<Labels, std::vector<Sample>>> Query(storage::Queryable& q, int64_t mint, int64_t maxt,
                                                          Matchers ms) {
  auto qr = q.NewQuerier(mint, maxt);
  EXPECT_TRUE(qr.ok());
  auto set = (*qr)->Select(true, nullptr, ms);
  std::vector<std::pair<Labels, std::vector<Sample>>> out;
  while (set->Next()) {
    auto it = set->At().Iterator();
    out.emplace_back(set->At().labels(), Drain(*it));
  }
  EXPECT_TRUE(set->Err().ok());
  return out;
}

std::vector<int64_t> Ts(const std::vector<Sample>& s) {
  std::vector<int64_t> t;
  for (const auto& x : s) t.push_back(x.t);
  return t;
}

absl::Status Add(Head& h, const Labels& l, int64_t t, double v) {
  auto app = h.NewAppender();
  auto r = app->Append(0, l, t, v);
  if (!r.ok()) return r.status();
  return app->Commit();
}

TEST(HeadTest, AppendCommitAndQueryAcrossChunks) {
  Head h(nullptr, {});
  for (int64_t t = 0; t < 300; ++t) {
    auto app = h.NewAppender();
    ASSERT_TRUE(app->Append(0, L("a"), t * 1000, t).ok());
    ASSERT_TRUE(app->Append(0, L("b"), t * 1000, -t).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  HeadStats st = h.Stats();
  EXPECT_EQ(st.series, 2u);
  EXPECT_EQ(st.samples_appended, 600u);
  EXPECT_EQ(st.chunks, 6u);  // 120 + 120 + 60 per series
  EXPECT_EQ(h.MinTime(), 0);
  EXPECT_EQ(h.MaxTime(), 299000);

  auto res = Query(h, 10000, 250000, {Eq("job", "a")});
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].first, L("a"));
  EXPECT_EQ(res[1].first, L("b"));
  ASSERT_EQ(res[0].second.size(), 241u);
  EXPECT_EQ(res[0].second.front(), (Sample{10000, 10}));
  EXPECT_EQ(res[0].second.back(), (Sample{250000, 250}));
  EXPECT_EQ(res[1].second[5], (Sample{15000, -15}));
  EXPECT_TRUE(Query(h, 300000, 400000, {Eq("job", "a")}).empty());
}

TEST(HeadTest, IteratorSeekAcrossChunks) {
  Head h(nullptr, {});
  for (int64_t t = 0; t < 500; ++t) ASSERT_TRUE(Add(h, L("a"), t * 10, t).ok());
  auto q = *h.NewQuerier(100, 4000);
  auto set = q->Select(false, nullptr, {Eq("__name__", "a")});
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator();
  ASSERT_TRUE(it->Seek(0));
  EXPECT_EQ(it->At().t, 100);  // clipped to the querier's range
  ASSERT_TRUE(it->Seek(2505));
  EXPECT_EQ(it->At().t, 2510);
  ASSERT_TRUE(it->Seek(2000));  // never backwards
  EXPECT_EQ(it->At().t, 2510);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->At().t, 2520);
  ASSERT_TRUE(it->Seek(4000));
  EXPECT_EQ(it->At().t, 4000);
  EXPECT_FALSE(it->Next());
  EXPECT_FALSE(it->Seek(4500));
}

TEST(HeadTest, RefusedSamplesAreAppendErrorsAndCounted) {
  Head h(nullptr, {});
  ASSERT_TRUE(Add(h, L("a"), 1000, 1).ok());
  auto app = h.NewAppender();
  auto ooo = app->Append(0, L("a"), 500, 1);
  EXPECT_EQ(storage::GetAppendError(ooo.status()), AppendError::kOutOfOrder) << ooo.status();
  auto dup = app->Append(0, L("a"), 1000, 2);
  EXPECT_EQ(storage::GetAppendError(dup.status()), AppendError::kDuplicateSample);
  EXPECT_TRUE(app->Append(0, L("a"), 1000, 1).ok());  // same value: accepted, stored once
  auto ok = app->Append(0, L("a"), 2000, 3);
  ASSERT_TRUE(ok.ok());
  // Within the batch, order matters too.
  auto in_batch = app->Append(*ok, Labels(), 1500, 3);
  EXPECT_EQ(storage::GetAppendError(in_batch.status()), AppendError::kOutOfOrder);
  auto bad = app->Append(0, Labels::FromSorted({{"b", "1"}, {"a", "2"}}), 1, 1);
  EXPECT_EQ(storage::GetAppendError(bad.status()), AppendError::kInvalidLabels);
  ASSERT_TRUE(app->Commit().ok());
  auto res = Query(h, 0, 10000, {Eq("__name__", "a")});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].second, (std::vector<Sample>{{1000, 1}, {2000, 3}}));

  h.Truncate(1500);
  auto oob = h.NewAppender()->Append(0, L("a"), 1200, 1);
  EXPECT_EQ(storage::GetAppendError(oob.status()), AppendError::kOutOfBounds);
  HeadStats st = h.Stats();
  EXPECT_EQ(st.rejected_out_of_order, 2u);
  EXPECT_EQ(st.rejected_duplicate, 1u);
  EXPECT_EQ(st.rejected_invalid_labels, 1u);
  EXPECT_EQ(st.rejected_out_of_bounds, 1u);
  EXPECT_EQ(st.samples_appended, 2u);
}

TEST(HeadTest, OutOfOrderWindowAcceptsAndMerges) {
  Head h(nullptr, HeadOptions{.out_of_order_window_ms = 2500});
  for (int64_t t : {1000, 2000, 3000, 5000}) ASSERT_TRUE(Add(h, L("a"), t, t).ok());
  EXPECT_TRUE(Add(h, L("a"), 4500, 4.5).ok());
  EXPECT_TRUE(Add(h, L("a"), 4000, 4).ok());
  EXPECT_TRUE(Add(h, L("a"), 4000, 4).ok());  // same again: no-op
  EXPECT_EQ(storage::GetAppendError(Add(h, L("a"), 4000, 9)), AppendError::kDuplicateSample);
  EXPECT_EQ(storage::GetAppendError(Add(h, L("a"), 3000, 9)), AppendError::kDuplicateSample);  // in a chunk
  EXPECT_EQ(storage::GetAppendError(Add(h, L("a"), 2499, 1)), AppendError::kTooOld);
  // The window is relative to the newest sample of the whole head.
  ASSERT_TRUE(Add(h, L("b"), 10000, 1).ok());
  EXPECT_EQ(storage::GetAppendError(Add(h, L("a"), 4800, 1)), AppendError::kTooOld);
  auto res = Query(h, 0, 20000, {Eq("__name__", "a")});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(Ts(res[0].second), (std::vector<int64_t>{1000, 2000, 3000, 4000, 4500, 5000}));
  res = Query(h, 4200, 4600, {Eq("__name__", "a")});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].second, (std::vector<Sample>{{4500, 4.5}}));
  HeadStats st = h.Stats();
  EXPECT_EQ(st.out_of_order_samples_appended, 2u);
  EXPECT_EQ(st.rejected_too_old, 2u);
  EXPECT_EQ(st.rejected_duplicate, 2u);

  // Turning the window off refuses them again.
  h.SetOutOfOrderWindow(0);
  EXPECT_EQ(storage::GetAppendError(Add(h, L("b"), 9999, 1)), AppendError::kOutOfOrder);
}

// Out-of-order samples next to closed chunks: they survive the chunk list
// growing, truncation keeps the newer ones and removes a series whose
// chunks and out-of-order samples are all older.
TEST(HeadTest, OutOfOrderSamplesWithClosedChunksAndTruncation) {
  Head h(nullptr, HeadOptions{.out_of_order_window_ms = 1000000});
  for (int64_t t = 1000; t < 500000; t += 1000) ASSERT_TRUE(Add(h, L("a"), t, 1).ok());  // 4 closed, 1 open
  ASSERT_TRUE(Add(h, L("a"), 1500, 2).ok());
  ASSERT_TRUE(Add(h, L("a"), 400500, 3).ok());
  for (int64_t t = 500000; t < 700000; t += 1000) ASSERT_TRUE(Add(h, L("a"), t, 1).ok());  // more chunks
  EXPECT_EQ(h.Stats().out_of_order_samples_appended, 2u);
  auto res = Query(h, 1000, 2000, {});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].second, (std::vector<Sample>{{1000, 1}, {1500, 2}, {2000, 1}}));
  h.Truncate(300000);  // drops 1500 with the old chunks, keeps 400500
  res = Query(h, 0, 1000000, {});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].second.front().t, 300000);
  EXPECT_EQ(res[0].second.size(), 400u + 1u);
  // Everything of "a" (chunks and out-of-order samples) before the bound.
  ASSERT_TRUE(Add(h, L("b"), 800000, 1).ok());
  ASSERT_TRUE(Add(h, L("a"), 350500, 4).ok());
  h.Truncate(700000);
  EXPECT_EQ(h.Stats().series, 1u);  // "a" is gone: its newest sample was 699000
  ASSERT_TRUE(Add(h, L("c"), 800500, 1).ok());
  ASSERT_TRUE(Add(h, L("c"), 800400, 2).ok());  // out of order for "c"
  h.Truncate(800450);
  res = Query(h, 0, 1000000, {Eq("__name__", "c")});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].second, (std::vector<Sample>{{800500, 1}}));
}

TEST(HeadTest, RollbackDiscardsTheBatch) {
  Head h(nullptr, {});
  auto app = h.NewAppender();
  ASSERT_TRUE(app->Append(0, L("a"), 1, 1).ok());
  app->Rollback();
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_TRUE(Query(h, 0, 10, {Eq("__name__", "a")}).empty());
  EXPECT_EQ(h.Stats().samples_appended, 0u);
  h.Truncate(0);  // the empty series is forgotten
  EXPECT_EQ(h.Stats().series, 0u);
}

TEST(HeadTest, SelectByMatchersViaPostings) {
  Head h(nullptr, {});
  ASSERT_TRUE(Add(h, Labels{{"__name__", "up"}, {"job", "api"}, {"instance", "1"}}, 10, 1).ok());
  ASSERT_TRUE(Add(h, Labels{{"__name__", "up"}, {"job", "db"}, {"instance", "2"}}, 10, 1).ok());
  ASSERT_TRUE(Add(h, Labels{{"__name__", "up"}, {"job", "web"}}, 10, 1).ok());
  ASSERT_TRUE(Add(h, Labels{{"__name__", "other"}, {"job", "api"}}, 10, 1).ok());
  auto names = [&](Matchers ms) {
    std::vector<std::string> out;
    for (const auto& [l, s] : Query(h, 0, 100, ms)) out.push_back(l.ToString());
    return out;
  };
  using M = Matcher;
  EXPECT_EQ(names({Eq("__name__", "up")}),
            (std::vector<std::string>{R"(up{instance="1", job="api"})", R"(up{instance="2", job="db"})",
                                      R"(up{job="web"})"}));
  EXPECT_EQ(names({Eq("__name__", "up"), M::MustMake(MatchType::kNotEqual, "job", "api")}).size(), 2u);
  EXPECT_EQ(names({M::MustMake(MatchType::kRegexMatch, "job", "api|web")}).size(), 3u);
  EXPECT_EQ(names({M::MustMake(MatchType::kRegexMatch, "job", "a.*")}).size(), 2u);
  EXPECT_EQ(names({Eq("__name__", "up"), M::MustMake(MatchType::kRegexNoMatch, "job", "a.*|d.*")}),
            (std::vector<std::string>{R"(up{job="web"})"}));
  // instance="" selects the series without that label.
  EXPECT_EQ(names({Eq("__name__", "up"), Eq("instance", "")}), (std::vector<std::string>{R"(up{job="web"})"}));
  EXPECT_EQ(names({Eq("__name__", "up"), M::MustMake(MatchType::kNotEqual, "instance", "")}).size(), 2u);
  EXPECT_TRUE(names({Eq("nope", "x")}).empty());
  EXPECT_EQ(names({}).size(), 4u);
}

TEST(HeadTest, LabelNamesAndValuesHonorTheRange) {
  Head h(nullptr, {});
  ASSERT_TRUE(Add(h, Labels{{"__name__", "old"}, {"zone", "x"}}, 100, 1).ok());
  ASSERT_TRUE(Add(h, Labels{{"__name__", "new"}, {"rack", "r1"}}, 5000, 1).ok());
  auto all = *h.NewQuerier(0, 10000);
  EXPECT_EQ(*all->LabelNames({}), (std::vector<std::string>{"__name__", "rack", "zone"}));
  EXPECT_EQ(*all->LabelValues("__name__", {}), (std::vector<std::string>{"new", "old"}));
  auto late = *h.NewQuerier(1000, 10000);
  EXPECT_EQ(*late->LabelNames({}), (std::vector<std::string>{"__name__", "rack"}));
  EXPECT_EQ(*late->LabelValues("__name__", {}), (std::vector<std::string>{"new"}));
  EXPECT_EQ(*all->LabelValues("__name__", {Eq("zone", "x")}), (std::vector<std::string>{"old"}));
}

// Many closed chunks per series (the list grows several times), then a
// truncation that drops the older ones: the rest stay whole and in order.
TEST(HeadTest, ManyChunksSurviveGrowthAndTruncation) {
  Head h(nullptr, {});
  for (int64_t t = 0; t < 1100; ++t) ASSERT_TRUE(Add(h, L("a"), t, t * 0.5).ok());
  EXPECT_EQ(h.Stats().chunks, 10u);  // 9 closed of 120, an open one of 20
  h.Truncate(600);                   // drops [0,119] .. [480,599]
  EXPECT_EQ(h.Stats().chunks, 5u);
  auto res = Query(h, 0, 2000, {});
  ASSERT_EQ(res.size(), 1u);
  ASSERT_EQ(res[0].second.size(), 500u);
  for (size_t i = 0; i < res[0].second.size(); ++i) {
    ASSERT_EQ(res[0].second[i], (Sample{static_cast<int64_t>(600 + i), (600 + i) * 0.5}));
  }
  for (int64_t t = 1100; t < 1400; ++t) ASSERT_TRUE(Add(h, L("a"), t, 1).ok());
  EXPECT_EQ(Query(h, 0, 2000, {})[0].second.size(), 800u);
}

TEST(HeadTest, TruncateDropsOldChunksAndSeries) {
  Head h(nullptr, {});
  for (int64_t t = 0; t < 240; ++t) ASSERT_TRUE(Add(h, L("a"), t, t).ok());
  ASSERT_TRUE(Add(h, L("gone"), 5, 1).ok());
  uint64_t gone_ref;
  {
    auto app = h.NewAppender();
    gone_ref = *app->Append(0, L("gone"), 6, 1);
    ASSERT_TRUE(app->Commit().ok());
  }
  EXPECT_TRUE(h.IsLive(gone_ref));
  h.Truncate(150);
  EXPECT_FALSE(h.IsLive(gone_ref));
  HeadStats st = h.Stats();
  EXPECT_EQ(st.series, 1u);
  EXPECT_EQ(st.series_removed, 1u);
  EXPECT_EQ(st.chunks, 1u);  // [0,119] dropped, [120,239] kept
  EXPECT_EQ(h.MinTime(), 150);
  auto res = Query(h, 0, 1000, {});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].second.front().t, 150);  // the straddling chunk stays in memory, clipped
  // A new series with the old labels gets a new reference.
  auto app = h.NewAppender();
  auto r = app->Append(0, L("gone"), 300, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(*r, gone_ref);
}

TEST(HeadTest, WalReplayRestoresSeriesAndSamples) {
  disk::FaultEnv env;
  const std::string dir = "/db/wal";
  uint64_t ref_a;
  {
    auto w = wal::Wal::Open(&env, dir, {});
    ASSERT_TRUE(w.ok());
    Head h(w->get(), HeadOptions{.out_of_order_window_ms = 100});
    for (int64_t t = 0; t < 200; ++t) {
      auto app = h.NewAppender();
      auto r = app->Append(0, L("a"), t * 10, t);
      ref_a = *r;
      ASSERT_TRUE(app->Append(0, L("b"), t * 10, std::nan("")).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
    ASSERT_TRUE(Add(h, L("a"), 1985, 7).ok());  // out of order, in the window
  }
  Head h2(nullptr, {});
  wal::ReplayStats st;
  ASSERT_TRUE(h2.ReplayWal(&env, dir, &st).ok());
  EXPECT_EQ(st.corruptions, 0u);
  EXPECT_EQ(h2.Stats().series, 2u);
  EXPECT_EQ(h2.Stats().samples_appended, 401u);
  auto res = Query(h2, 0, 10000, {});
  ASSERT_EQ(res.size(), 2u);
  ASSERT_EQ(res[0].second.size(), 201u);
  EXPECT_EQ(res[0].second[199], (Sample{1985, 7}));
  EXPECT_TRUE(std::isnan(res[1].second[3].v));
  EXPECT_EQ(h2.MaxTime(), 1990);
  EXPECT_TRUE(h2.IsLive(ref_a));
  // New series never reuse a replayed reference.
  auto app = h2.NewAppender();
  EXPECT_GT(*app->Append(0, L("c"), 5000, 1), ref_a);
}

TEST(HeadTest, FailedWalWriteLeavesTheHeadUnchanged) {
  disk::FaultEnv env;
  auto w = wal::Wal::Open(&env, "/wal", {});
  ASSERT_TRUE(w.ok());
  Head h(w->get(), {});
  ASSERT_TRUE(Add(h, L("a"), 1, 1).ok());
  env.LimitToUsedPlus(5);
  auto app = h.NewAppender();
  ASSERT_TRUE(app->Append(0, L("a"), 2, 2).ok());
  ASSERT_TRUE(app->Append(0, L("new"), 2, 2).ok());
  absl::Status s = app->Commit();
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_EQ(h.Stats().commit_failures, 1u);
  EXPECT_EQ(Query(h, 0, 10, {}).size(), 1u);
  EXPECT_EQ(Query(h, 0, 10, {})[0].second.size(), 1u);
  env.SetSpaceLimit(UINT64_MAX);
  auto app2 = h.NewAppender();
  ASSERT_TRUE(app2->Append(0, L("new"), 3, 3).ok());
  ASSERT_TRUE(app2->Commit().ok());
  // The series record of "new" is written with the batch that succeeded.
  Head h2(nullptr, {});
  wal::ReplayStats st;
  ASSERT_TRUE(h2.ReplayWal(&env, "/wal", &st).ok());
  auto res = Query(h2, 0, 10, {});
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[1].first, L("new"));
  EXPECT_EQ(res[1].second, (std::vector<Sample>{{3, 3}}));
}

TEST(HeadTest, ConcurrentAppendersOnSharedAndOwnSeries) {
  Head h(nullptr, {});
  constexpr int kThreads = 4, kN = 2000;
  std::vector<std::thread> th;
  std::atomic<int> shared_ok{0};
  for (int i = 0; i < kThreads; ++i) {
    th.emplace_back([&, i] {
      uint64_t ref = 0;
      for (int t = 0; t < kN; ++t) {
        auto app = h.NewAppender();
        auto r = app->Append(ref, L("own", std::to_string(i)), t, t);
        ASSERT_TRUE(r.ok());
        ref = *r;
        // All threads race on one series: out-of-order losers are refused.
        if (app->Append(0, L("shared"), t, t).ok()) ++shared_ok;
        ASSERT_TRUE(app->Commit().ok());
      }
    });
  }
  for (auto& t : th) t.join();
  auto res = Query(h, 0, kN, {});
  ASSERT_EQ(res.size(), kThreads + 1u);
  for (const auto& [l, s] : res) {
    if (l.MetricName() == "own") {
      EXPECT_EQ(s.size(), static_cast<size_t>(kN));
    }
    for (size_t i = 1; i < s.size(); ++i) ASSERT_LT(s[i - 1].t, s[i].t);
  }
  HeadStats st = h.Stats();
  EXPECT_EQ(st.series, kThreads + 1u);
  EXPECT_EQ(st.samples_appended, res.back().second.size() + kThreads * kN);
}

// Appends by ref and by labels, queries and truncation that removes series
// all race: a series is never freed while a batch or a querier holds it,
// and the counts add up afterwards.
TEST(HeadTest, TruncateRacesWithAppendersAndQueriers) {
  Head h(nullptr, {});
  constexpr int kAppenders = 2, kRounds = 600, kSeries = 20;
  std::atomic<int64_t> now{1000};
  std::atomic<bool> done{false};
  std::vector<std::thread> th;
  for (int a = 0; a < kAppenders; ++a) {
    th.emplace_back([&, a] {
      std::vector<uint64_t> refs(kSeries, 0);
      for (int r = 0; r < kRounds; ++r) {
        int64_t t = now.fetch_add(1);
        auto app = h.NewAppender();
        for (int i = 0; i < kSeries; ++i) {
          // Every few rounds a series moves to a new name: the old one empties and is removed.
          Labels l = L(absl::StrCat("s", a, "_", i, "_", r / 7));
          auto res = app->Append(refs[i], l, t, i);
          if (res.ok()) refs[i] = *res;
        }
        ASSERT_TRUE(app->Commit().ok());
      }
    });
  }
  th.emplace_back([&] {
    while (!done.load()) {
      h.Truncate(now.load() - 3);
      std::this_thread::yield();
    }
  });
  th.emplace_back([&] {
    while (!done.load()) {
      auto q = h.NewQuerier(0, INT64_MAX);
      ASSERT_TRUE(q.ok());
      auto set = (*q)->Select(false, nullptr, {});
      while (set->Next()) {
        auto it = set->At().Iterator();
        while (it->Next()) {
        }
        ASSERT_TRUE(it->Err().ok());
      }
    }
  });
  for (int a = 0; a < kAppenders; ++a) th[a].join();
  done.store(true);
  for (size_t i = kAppenders; i < th.size(); ++i) th[i].join();
  h.Truncate(now.load() + 1);
  HeadStats st = h.Stats();
  EXPECT_EQ(st.series, 0u);
  EXPECT_EQ(st.series_created, st.series_removed);
  EXPECT_EQ(st.chunks, 0u);
}

}  // namespace
}  // namespace pharos::tsdb::head
