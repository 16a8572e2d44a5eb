#include "tsdb/db.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "disk/fault_env.h"
#include "tsdb/wal/segment.h"

namespace pharos::tsdb {
namespace {

using storage::AppendError;
using storage::Sample;

constexpr char kDir[] = "/db";

DBOptions TestOptions() {
  DBOptions o;
  o.maintenance_interval_ms = 0;  // the tests drive Maintain()
  o.block_range_ms = 1000;
  o.retention_ms = 0;
  return o;
}

std::unique_ptr<DB> MustOpen(disk::Env* env, DBOptions o = TestOptions()) {
  auto db = DB::Open(env, kDir, o);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

Labels L(std::string_view name, std::string_view i = "0") { return Labels{{"__name__", name}, {"i", i}}; }

absl::Status Add(DB& db, const Labels& l, int64_t t, double v) {
  auto app = db.NewAppender();
  auto r = app->Append(0, l, t, v);
  if (!r.ok()) return r.status();
  return app->Commit();
}

std::map<std::string, std::vector<Sample>> QueryAll(DB& db, int64_t mint = INT64_MIN / 2, int64_t maxt = INT64_MAX / 2) {
  auto q = db.NewQuerier(mint, maxt);
  EXPECT_TRUE(q.ok()) << q.status();
  auto set = (*q)->Select(true, nullptr, {Matcher::MustMake(MatchType::kRegexMatch, "__name__", ".+")});
  std::map<std::string, std::vector<Sample>> out;
  std::string prev;
  while (set->Next()) {
    std::string key = set->At().labels().ToString();
    EXPECT_LT(prev, key);  // sorted and unique
    prev = key;
    auto it = set->At().Iterator();
    auto& v = out[key];
    while (it->Next()) v.push_back(it->At());
    EXPECT_TRUE(it->Err().ok()) << it->Err();
  }
  EXPECT_TRUE(set->Err().ok()) << set->Err();
  return out;
}

std::vector<int64_t> Ts(const std::vector<Sample>& s) {
  std::vector<int64_t> t;
  for (const auto& x : s) t.push_back(x.t);
  return t;
}

std::vector<int64_t> Every(int64_t from, int64_t to, int64_t step) {
  std::vector<int64_t> v;
  for (int64_t t = from; t < to; t += step) v.push_back(t);
  return v;
}

TEST(DBTest, AcknowledgedCommitsSurviveACrashWithBatchFsync) {
  disk::FaultEnv env;
  std::mutex mu;
  std::map<std::string, std::set<int64_t>> acked;
  {
    auto db = MustOpen(&env);
    std::vector<std::thread> th;
    for (int i = 0; i < 4; ++i) {
      th.emplace_back([&, i] {
        for (int64_t t = 0; t < 300; ++t) {
          auto app = db->NewAppender();
          Labels l = L("m", std::to_string(i));
          ASSERT_TRUE(app->Append(0, l, t, t).ok());
          if (app->Commit().ok()) {
            std::lock_guard<std::mutex> g(mu);
            acked[l.ToString()].insert(t);
          }
        }
      });
    }
    for (auto& t : th) t.join();
    env.SimulateCrash();  // power loss: whatever was not fsynced is gone
  }
  auto db = MustOpen(&env);
  auto got = QueryAll(*db);
  ASSERT_EQ(acked.size(), 4u);
  for (const auto& [series, ts] : acked) {
    EXPECT_EQ(ts.size(), 300u);
    std::vector<int64_t> want(ts.begin(), ts.end());
    EXPECT_EQ(Ts(got[series]), want) << series;
  }
  EXPECT_EQ(db->Stats().head.series, 4u);
}

TEST(DBTest, CommitsThatDoNotWaitForSyncAreCoveredByTheNextAcknowledgedOne) {
  // The scraper's batches (SetWaitForSync(false)) are not fsynced one by
  // one; an acknowledged commit after them makes them durable as well.
  disk::FaultEnv env;
  {
    auto db = MustOpen(&env);
    uint64_t before = db->Stats().wal.fsyncs;
    for (int64_t t = 0; t < 10; ++t) {
      auto app = db->NewAppender();
      app->SetWaitForSync(false);
      ASSERT_TRUE(app->Append(0, L("scraped"), t, t).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
    EXPECT_LE(db->Stats().wal.fsyncs - before, 1u);  // the background one at most
    ASSERT_TRUE(Add(*db, L("acked"), 0, 1).ok());
    env.SimulateCrash();
  }
  auto db = MustOpen(&env);
  auto got = QueryAll(*db);
  EXPECT_EQ(Ts(got[L("scraped").ToString()]), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(Ts(got[L("acked").ToString()]), (std::vector<int64_t>{0}));
}

TEST(DBTest, FullDiskFailsCommitsUntilSpaceReturns) {
  disk::FaultEnv env;
  auto db = MustOpen(&env);
  ASSERT_TRUE(Add(*db, L("m"), 1, 1).ok());
  env.LimitToUsedPlus(3);
  absl::Status s = Add(*db, L("m"), 2, 2);
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_FALSE(db->Health().ok());
  EXPECT_EQ(Ts(QueryAll(*db)[L("m").ToString()]), (std::vector<int64_t>{1}));  // all-or-nothing
  env.SetSpaceLimit(UINT64_MAX);
  ASSERT_TRUE(Add(*db, L("m"), 3, 3).ok());
  EXPECT_TRUE(db->Health().ok());
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  db = MustOpen(&env);
  EXPECT_EQ(Ts(QueryAll(*db)[L("m").ToString()]), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(db->Stats().wal_corruptions, 0u);
}

TEST(DBTest, CorruptWalTailIsCutAndCounted) {
  disk::FaultEnv env;
  {
    auto db = MustOpen(&env);
    for (int64_t t = 0; t < 50; ++t) ASSERT_TRUE(Add(*db, L("m"), t, t).ok());
  }
  std::string seg;
  std::vector<std::string> names = *env.ListDir(std::string(kDir) + "/wal");
  for (const auto& n : names) {
    if (wal::ParseSegmentName(n)) seg = std::string(kDir) + "/wal/" + n;
  }
  std::string data = *env.Contents(seg);
  data.resize(data.size() - 4);  // torn last record
  data += "garbage";
  env.SetContents(seg, data);
  auto db = MustOpen(&env);
  EXPECT_EQ(db->Stats().wal_corruptions, 1u);
  EXPECT_EQ(Ts(QueryAll(*db)[L("m").ToString()]), Every(0, 49, 1));
  // The log is usable again and the next start is clean.
  ASSERT_TRUE(Add(*db, L("m"), 60, 1).ok());
  db.reset();
  db = MustOpen(&env);
  EXPECT_EQ(db->Stats().wal_corruptions, 0u);
  EXPECT_EQ(QueryAll(*db)[L("m").ToString()].size(), 50u);
}

TEST(DBTest, HeadIsCompactedIntoBlocksAndQueriesSpanBoth) {
  disk::FaultEnv env;
  auto db = MustOpen(&env);
  for (int64_t t = 0; t < 4000; t += 10) {
    auto app = db->NewAppender();
    ASSERT_TRUE(app->Append(0, L("a"), t, t).ok());
    ASSERT_TRUE(app->Append(0, L("b"), t, -t).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  ASSERT_TRUE(db->Maintain().ok());
  DBStats st = db->Stats();
  EXPECT_EQ(st.head_compactions, 3u);  // [0,999] [1000,1999] [2000,2999]; 990 ms stay in the head
  EXPECT_GE(st.blocks_loaded, 1u);
  EXPECT_EQ(db->Stats().head.min_time, 3000);
  EXPECT_GE(st.wal.checkpoints, 1u);
  auto all = QueryAll(*db);
  EXPECT_EQ(Ts(all[L("a").ToString()]), Every(0, 4000, 10));
  EXPECT_EQ(all[L("b").ToString()][150], (Sample{1500, -1500}));
  // A range inside one block and one across the block/head boundary.
  EXPECT_EQ(Ts(QueryAll(*db, 1200, 1230)[L("a").ToString()]), (std::vector<int64_t>{1200, 1210, 1220, 1230}));
  EXPECT_EQ(Ts(QueryAll(*db, 2980, 3010)[L("a").ToString()]), (std::vector<int64_t>{2980, 2990, 3000, 3010}));
  // Samples now in blocks are refused.
  EXPECT_EQ(storage::GetAppendError(Add(*db, L("a"), 2500, 1)), AppendError::kOutOfBounds);

  // After a restart, blocks and the (checkpointed) WAL give the same data once.
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  db = MustOpen(&env);
  auto again = QueryAll(*db);
  EXPECT_EQ(again, all);
  EXPECT_EQ(db->Stats().head.min_time, 3000);
  // LabelValues through the merged querier.
  auto q = *db->NewQuerier(0, 500);
  EXPECT_EQ(*q->LabelValues("__name__", {}), (std::vector<std::string>{"a", "b"}));
}

TEST(DBTest, FailedHeadCompactionLosesNothingAndIsRetried) {
  disk::FaultEnv env;
  auto db = MustOpen(&env);
  for (int64_t t = 0; t < 3000; t += 10) ASSERT_TRUE(Add(*db, L("a"), t, t).ok());
  auto before = QueryAll(*db);
  env.LimitToUsedPlus(100);  // the block does not fit
  EXPECT_FALSE(db->Maintain().ok());
  EXPECT_EQ(db->Stats().compactions_failed, 1u);
  EXPECT_EQ(db->Stats().blocks_loaded, 0u);
  EXPECT_EQ(QueryAll(*db), before);
  env.SetSpaceLimit(UINT64_MAX);
  ASSERT_TRUE(db->Maintain().ok());
  EXPECT_EQ(db->Stats().head_compactions, 2u);
  EXPECT_EQ(QueryAll(*db), before);
  db.reset();
  db = MustOpen(&env);
  EXPECT_EQ(QueryAll(*db), before);
}

TEST(DBTest, CorruptBlockIsLeftOutAndCounted) {
  disk::FaultEnv env;
  {
    auto db = MustOpen(&env);
    for (int64_t t = 0; t < 3000; t += 10) ASSERT_TRUE(Add(*db, L("a"), t, t).ok());
    ASSERT_TRUE(db->Maintain().ok());
    ASSERT_EQ(db->Stats().blocks_loaded, 2u);
  }
  std::vector<std::string> names = *env.ListDir(kDir);
  std::string victim;
  for (const auto& n : names) {
    if (n.size() == 26) victim = std::string(kDir) + "/" + n + "/meta.json";
  }
  ASSERT_FALSE(victim.empty());
  env.SetContents(victim, "{ not json");
  auto db = MustOpen(&env);
  DBStats st = db->Stats();
  EXPECT_EQ(st.blocks_failed_to_load, 1u);
  EXPECT_EQ(st.blocks_loaded, 1u);
  EXPECT_TRUE(env.Exists(victim));  // left for an operator to look at
  EXPECT_FALSE(QueryAll(*db)[L("a").ToString()].empty());
}

TEST(DBTest, CompactHeadPersistsEverything) {
  disk::FaultEnv env;
  auto db = MustOpen(&env);
  for (int64_t t = 0; t < 2500; t += 100) ASSERT_TRUE(Add(*db, L("a"), t, t).ok());
  auto before = QueryAll(*db);
  ASSERT_TRUE(db->CompactHead().ok());
  DBStats st = db->Stats();
  EXPECT_EQ(st.head_compactions, 3u);
  EXPECT_EQ(st.head.series, 0u);
  EXPECT_EQ(QueryAll(*db), before);
  EXPECT_EQ(storage::GetAppendError(Add(*db, L("a"), 2400, 1)), AppendError::kOutOfBounds);
  ASSERT_TRUE(Add(*db, L("a"), 2500, 1).ok());
  db.reset();
  db = MustOpen(&env);
  EXPECT_EQ(QueryAll(*db)[L("a").ToString()].size(), 26u);
}

TEST(DBTest, RetentionDeletesWholeOldBlocks) {
  disk::FaultEnv env;
  DBOptions o = TestOptions();
  o.retention_ms = 2500;
  auto db = MustOpen(&env, o);
  for (int64_t t = 0; t < 8000; t += 50) ASSERT_TRUE(Add(*db, L("a"), t, t).ok());
  ASSERT_TRUE(db->Maintain().ok());
  DBStats st = db->Stats();
  EXPECT_GT(st.retention_deletions, 0u);
  auto ts = Ts(QueryAll(*db)[L("a").ToString()]);
  ASSERT_FALSE(ts.empty());
  EXPECT_GE(ts.front(), 2000);  // blocks ending more than 2.5 s before the newest block are gone
  EXPECT_EQ(ts.back(), 7950);
  EXPECT_GT(st.bytes_on_disk, 0u);
}

TEST(DBTest, RetentionBySize) {
  disk::FaultEnv env;
  DBOptions o = TestOptions();
  o.retention_bytes = 1;  // nothing fits: every block goes
  auto db = MustOpen(&env, o);
  for (int64_t t = 0; t < 5000; t += 50) ASSERT_TRUE(Add(*db, L("a"), t, t).ok());
  ASSERT_TRUE(db->Maintain().ok());
  DBStats st = db->Stats();
  EXPECT_GT(st.head_compactions, 0u);
  EXPECT_EQ(st.blocks_loaded, 0u);
  EXPECT_GE(st.retention_deletions, 1u);
  EXPECT_EQ(st.block_bytes, 0u);
  EXPECT_EQ(QueryAll(*db)[L("a").ToString()].front().t, 4000);  // only the head is left
}

TEST(DBTest, OutOfOrderWindow) {
  disk::FaultEnv env;
  DBOptions o = TestOptions();
  o.out_of_order_window_ms = 300;
  auto db = MustOpen(&env, o);
  ASSERT_TRUE(Add(*db, L("a"), 1000, 1).ok());
  ASSERT_TRUE(Add(*db, L("a"), 800, 2).ok());
  EXPECT_EQ(storage::GetAppendError(Add(*db, L("a"), 600, 3)), AppendError::kTooOld);
  db->SetOutOfOrderWindow(0);
  EXPECT_EQ(storage::GetAppendError(Add(*db, L("a"), 900, 3)), AppendError::kOutOfOrder);
  DBStats st = db->Stats();
  EXPECT_EQ(st.head.rejected_too_old, 1u);
  EXPECT_EQ(st.head.rejected_out_of_order, 1u);
  EXPECT_EQ(st.head.out_of_order_samples_appended, 1u);
  EXPECT_EQ(QueryAll(*db)[L("a").ToString()], (std::vector<Sample>{{800, 2}, {1000, 1}}));
  // Accepted out-of-order samples come back after a restart.
  db.reset();
  db = MustOpen(&env);
  EXPECT_EQ(QueryAll(*db)[L("a").ToString()], (std::vector<Sample>{{800, 2}, {1000, 1}}));
}

TEST(DBTest, DirectoryLockAndLeftoverTmpBlocks) {
  disk::FaultEnv env;
  ASSERT_TRUE(env.CreateDirs(std::string(kDir) + "/01HZZZZZZZZZZZZZZZZZZZZZZZ.tmp").ok());
  auto db = MustOpen(&env);
  EXPECT_FALSE(env.Exists(std::string(kDir) + "/01HZZZZZZZZZZZZZZZZZZZZZZZ.tmp"));
  auto second = DB::Open(&env, kDir, TestOptions());
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
  ASSERT_TRUE(db->Close().ok());
  EXPECT_FALSE(Add(*db, L("a"), 1, 1).ok());  // closed
  auto third = DB::Open(&env, kDir, TestOptions());
  EXPECT_TRUE(third.ok()) << third.status();
}

TEST(DBTest, ConcurrentAppendersQueriesAndBackgroundCompaction) {
  disk::FaultEnv env;
  DBOptions o = TestOptions();
  o.maintenance_interval_ms = 2;
  o.block_range_ms = 100;
  auto db = MustOpen(&env, o);
  constexpr int kThreads = 3, kN = 1500;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      auto q = db->NewQuerier(0, kN);
      ASSERT_TRUE(q.ok());
      auto set = (*q)->Select(true, nullptr, {Matcher::MustMake(MatchType::kEqual, "__name__", "c")});
      while (set->Next()) {
        auto it = set->At().Iterator();
        int64_t prev = -1;
        while (it->Next()) {
          ASSERT_GT(it->At().t, prev);
          prev = it->At().t;
        }
      }
    }
  });
  std::vector<std::thread> th;
  for (int i = 0; i < kThreads; ++i) {
    th.emplace_back([&, i] {
      for (int64_t t = 0; t < kN; ++t) {
        auto app = db->NewAppender();
        auto r = app->Append(0, L("c", std::to_string(i)), t, t);
        // A thread that lags behind the others may find its range persisted already.
        if (!r.ok()) {
          ASSERT_EQ(storage::GetAppendError(r.status()), AppendError::kOutOfBounds) << r.status();
        }
        absl::Status s = app->Commit();
        ASSERT_TRUE(s.ok()) << s;
      }
    });
  }
  for (auto& t : th) t.join();
  done = true;
  reader.join();
  ASSERT_TRUE(db->Maintain().ok());
  auto all = QueryAll(*db);
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads));
  // Samples race with compaction: one that arrived after its range was
  // persisted is refused (out of bounds), never lost after being accepted.
  uint64_t refused = db->Stats().head.rejected_out_of_bounds;
  size_t total = 0;
  for (const auto& [k, v] : all) total += v.size();
  EXPECT_EQ(total + refused, static_cast<size_t>(kThreads * kN));
  EXPECT_EQ(db->Stats().compactions_failed, 0u);
}

}  // namespace
}  // namespace pharos::tsdb
