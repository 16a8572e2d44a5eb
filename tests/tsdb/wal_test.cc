#include "tsdb/wal/wal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "disk/fault_env.h"
#include "tsdb/wal/segment.h"

namespace pharos::tsdb::wal {
namespace {

constexpr char kDir[] = "/wal";

std::string SamplesPayload(uint64_t ref, int64_t t, double v) {
  std::string p;
  RefSample s{ref, t, v};
  EncodeSamples(std::span<const RefSample>(&s, 1), &p);
  return p;
}

absl::Status LogSample(Wal& w, uint64_t ref, int64_t t, double v = 1.0, bool wait_for_sync = true) {
  std::string p = SamplesPayload(ref, t, v);
  Record r{RecordType::kSamples, p};
  return w.Log(std::span<const Record>(&r, 1), wait_for_sync);
}

// Replays kDir and returns every sample in order.
std::vector<RefSample> ReplayAll(disk::Env* env, ReplayStats* stats, std::vector<RefSeries>* series = nullptr) {
  std::vector<RefSample> out;
  ReplayStats st;
  absl::Status s = Replay(env, kDir, [&](RecordType type, std::string_view p) {
    if (type == RecordType::kSamples) return DecodeSamples(p, &out).ok();
    if (type == RecordType::kSeries) {
      std::vector<RefSeries> tmp;
      if (!DecodeSeries(p, &tmp).ok()) return false;
      if (series) series->insert(series->end(), tmp.begin(), tmp.end());
    }
    return true;
  }, &st);
  EXPECT_TRUE(s.ok()) << s;
  if (stats) *stats = st;
  return out;
}

std::vector<int64_t> Times(const std::vector<RefSample>& v) {
  std::vector<int64_t> t;
  for (const auto& s : v) t.push_back(s.t);
  return t;
}

std::vector<int64_t> Range(int64_t a, int64_t b) {
  std::vector<int64_t> v;
  for (int64_t i = a; i < b; ++i) v.push_back(i);
  return v;
}

std::unique_ptr<Wal> OpenWal(disk::Env* env, FsyncPolicy p = FsyncPolicy::kBatch, uint64_t seg = 1 << 20) {
  auto w = Wal::Open(env, kDir, WalOptions{p, seg});
  EXPECT_TRUE(w.ok()) << w.status();
  return std::move(*w);
}

std::string LastSegmentPath(disk::Env* env) {
  auto names = *env->ListDir(kDir);
  std::string last;
  for (const auto& n : names) {
    if (ParseSegmentName(n)) last = n;
  }
  return std::string(kDir) + "/" + last;
}

TEST(WalRecordsTest, SeriesAndSamplesRoundTrip) {
  std::vector<RefSeries> series = {{1, Labels{{"__name__", "up"}, {"job", "a"}}},
                                   {300000, Labels{{"__name__", "x"}, {"empty", ""}}}};
  std::string p;
  EncodeSeries(series, &p);
  std::vector<RefSeries> got;
  ASSERT_TRUE(DecodeSeries(p, &got).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].ref, 1u);
  EXPECT_EQ(got[0].labels, series[0].labels);
  EXPECT_EQ(got[1].ref, 300000u);
  EXPECT_EQ(got[1].labels, series[1].labels);

  std::vector<RefSample> samples = {{5, 1000, 1.5}, {3, -20, -0.0}, {900, INT64_MAX, 1e300}, {5, INT64_MIN, 0}};
  std::string q;
  EncodeSamples(samples, &q);
  EXPECT_LT(q.size(), samples.size() * 20);
  std::vector<RefSample> gs;
  ASSERT_TRUE(DecodeSamples(q, &gs).ok());
  ASSERT_EQ(gs.size(), samples.size());
  for (size_t i = 0; i < gs.size(); ++i) {
    EXPECT_EQ(gs[i].ref, samples[i].ref);
    EXPECT_EQ(gs[i].t, samples[i].t);
    EXPECT_EQ(gs[i].v, samples[i].v);
  }
}

TEST(WalRecordsTest, MalformedPayloadsAreRejected) {
  std::vector<RefSeries> out;
  EXPECT_FALSE(DecodeSeries(std::string("\x01\x05\x01", 3), &out).ok());  // 5 labels announced
  std::string unsorted;
  EncodeSeries(std::vector<RefSeries>{{1, Labels{{"a", "1"}, {"b", "2"}}}}, &unsorted);
  std::swap(unsorted[3], unsorted[6]);  // "a" <-> "b"
  EXPECT_FALSE(DecodeSeries(unsorted, &out).ok());
  std::vector<RefSample> s;
  std::string p = SamplesPayload(1, 2, 3);
  EXPECT_FALSE(DecodeSamples(p.substr(0, p.size() - 1), &s).ok());
  EXPECT_FALSE(DecodeSamples(std::string(12, '\xff'), &s).ok());
}

TEST(FsyncPolicyTest, Parse) {
  EXPECT_EQ(*ParseFsyncPolicy("batch"), FsyncPolicy(FsyncPolicy::kBatch));
  EXPECT_EQ(*ParseFsyncPolicy("never"), FsyncPolicy(FsyncPolicy::kNever));
  EXPECT_EQ(*ParseFsyncPolicy("1s"), FsyncPolicy::Interval(1000));
  EXPECT_EQ(*ParseFsyncPolicy("250ms"), FsyncPolicy::Interval(250));
  for (std::string_view bad : {"", "0s", "0", "sometimes", "-1s", "1x"}) {
    auto p = ParseFsyncPolicy(bad);
    EXPECT_FALSE(p.ok()) << bad;
  }
  EXPECT_NE(std::string(ParseFsyncPolicy("always").status().message()).find("always"), std::string::npos);
  EXPECT_EQ(FormatFsyncPolicy(FsyncPolicy::Interval(1500)), "1s500ms");
  EXPECT_EQ(FormatFsyncPolicy(FsyncPolicy::kNever), "never");
}

TEST(WalTest, LogAndReplayAcrossSegments) {
  disk::FaultEnv env;
  {
    auto w = OpenWal(&env, FsyncPolicy::kBatch, 200);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(LogSample(*w, 7, i).ok());
    EXPECT_GT(w->Stats().current_segment, 3);
    EXPECT_EQ(w->Stats().records_written, 100u);
    EXPECT_GE(w->Stats().fsyncs, 100u);
    ASSERT_TRUE(w->Close().ok());
  }
  ReplayStats st;
  EXPECT_EQ(Times(ReplayAll(&env, &st)), Range(0, 100));
  EXPECT_EQ(st.corruptions, 0u);
  // A reopened WAL continues in a new segment; replay sees both runs.
  {
    auto w = OpenWal(&env);
    ASSERT_TRUE(LogSample(*w, 7, 100).ok());
  }
  EXPECT_EQ(Times(ReplayAll(&env, &st)), Range(0, 101));
}

TEST(WalTest, FsyncLatencyHistogramCounts) {
  disk::FaultEnv env;
  auto w = OpenWal(&env);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(LogSample(*w, 1, i).ok());
  WalStats st = w->Stats();
  ASSERT_EQ(st.fsync_latency_cumulative.size(), FsyncLatencyBounds().size() + 1);
  EXPECT_EQ(st.fsync_latency_cumulative.back(), st.fsyncs);
  EXPECT_EQ(st.fsyncs, 5u);
  for (size_t i = 1; i < st.fsync_latency_cumulative.size(); ++i) {
    EXPECT_LE(st.fsync_latency_cumulative[i - 1], st.fsync_latency_cumulative[i]);
  }
}

// Writes 0..n-1 in one segment, then damages the file with `damage` and
// checks that replay keeps exactly `survivors` and counts one corruption.
void CheckDamage(const std::function<void(std::string*)>& damage, int n, int survivors) {
  disk::FaultEnv env;
  {
    auto w = OpenWal(&env);
    for (int i = 0; i < n; ++i) ASSERT_TRUE(LogSample(*w, 1, i).ok());
  }
  std::string path = LastSegmentPath(&env);
  std::string data = *env.Contents(path);
  damage(&data);
  env.SetContents(path, data);
  ReplayStats st;
  EXPECT_EQ(Times(ReplayAll(&env, &st)), Range(0, survivors));
  EXPECT_EQ(st.corruptions, 1u);
  EXPECT_GT(st.bytes_cut, 0u);
  EXPECT_FALSE(st.corruption.empty());
  // The file was cut at the last good record: a second replay is clean and
  // new records follow the survivors.
  ReplayStats st2;
  EXPECT_EQ(Times(ReplayAll(&env, &st2)), Range(0, survivors));
  EXPECT_EQ(st2.corruptions, 0u);
  {
    auto w = OpenWal(&env);
    ASSERT_TRUE(LogSample(*w, 1, survivors).ok());
  }
  EXPECT_EQ(Times(ReplayAll(&env, &st2)), Range(0, survivors + 1));
  EXPECT_EQ(st2.corruptions, 0u);
}

TEST(WalTest, TornRecordIsCut) {
  CheckDamage([](std::string* d) { d->resize(d->size() - 3); }, 10, 9);
}

TEST(WalTest, TornHeaderIsCut) {
  CheckDamage([](std::string* d) { d->append("\x02\x10", 2); }, 10, 10);
}

TEST(WalTest, BadChecksumCutsFromThatRecord) {
  std::string one;
  AppendFrame(2, SamplesPayload(1, 0, 1.0), &one);
  const size_t rec = one.size();  // every record has the same size here
  CheckDamage([&](std::string* d) { (*d)[rec * 4 + kRecordHeaderBytes + 1] ^= 0x40; }, 10, 4);
}

TEST(WalTest, GarbageAndZeroTailsAreCut) {
  CheckDamage([](std::string* d) { d->append(4096, '\0'); }, 10, 10);
  CheckDamage([](std::string* d) { d->append("this is not a record at all, just junk bytes"); }, 10, 10);
  // A huge announced length is refused without allocating it.
  CheckDamage([](std::string* d) { d->append("\x02\xff\xff\xff\xff\0\0\0\0", 9); }, 3, 3);
}

TEST(WalTest, RandomDamageKeepsAnExactPrefix) {
  disk::FaultEnv base;
  {
    auto w = OpenWal(&base);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(LogSample(*w, 1 + i % 3, i, i * 0.5).ok());
  }
  const std::string path = LastSegmentPath(&base);
  const std::string good = *base.Contents(path);
  std::mt19937 rng(42);
  for (int round = 0; round < 300; ++round) {
    std::string d = good;
    size_t pos = rng() % d.size();
    switch (round % 4) {
      case 0: d[pos] = static_cast<char>(d[pos] ^ (1 + rng() % 255)); break;
      case 1: d.resize(pos); break;
      case 2: d.insert(pos, std::string(1 + rng() % 16, static_cast<char>(rng()))); break;
      case 3: d.replace(pos, std::min<size_t>(8, d.size() - pos), 8, '\0'); break;
    }
    disk::FaultEnv env;
    ASSERT_TRUE(env.CreateDirs(kDir).ok());
    env.SetContents(path, d);
    ReplayStats st;
    std::vector<RefSample> got = ReplayAll(&env, &st);
    ASSERT_LE(got.size(), 20u);
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].t, static_cast<int64_t>(i)) << "round " << round;
      ASSERT_EQ(got[i].v, i * 0.5);
      ASSERT_EQ(got[i].ref, 1 + i % 3);
    }
    EXPECT_EQ(st.corruptions == 0, d == good || (d.size() < good.size() && got.size() * (good.size() / 20) == d.size()))
        << "round " << round;
    ReplayStats again;
    ReplayAll(&env, &again);
    EXPECT_EQ(again.corruptions, 0u);
  }
}

TEST(WalTest, CorruptionInEarlierSegmentDropsLaterSegments) {
  disk::FaultEnv env;
  {
    auto w = OpenWal(&env, FsyncPolicy::kBatch, 100);
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(LogSample(*w, 1, i).ok());
  }
  auto names = *env.ListDir(kDir);
  ASSERT_GT(names.size(), 3u);
  std::string second = std::string(kDir) + "/" + names[1];
  std::string data = *env.Contents(second);
  data[data.size() - 1] ^= 1;
  env.SetContents(second, data);
  ReplayStats st;
  std::vector<RefSample> got = ReplayAll(&env, &st);
  EXPECT_EQ(st.corruptions, 1u);
  EXPECT_EQ(st.segments_removed, names.size() - 2);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(Times(got), Range(0, static_cast<int64_t>(got.size())));
  EXPECT_LT(got.size(), 30u);
  EXPECT_EQ(env.ListDir(kDir)->size(), 2u);
}

TEST(WalTest, FullDiskFailsCommitThenRecovers) {
  disk::FaultEnv env;
  auto w = OpenWal(&env);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(LogSample(*w, 1, i).ok());
  env.LimitToUsedPlus(10);  // less than one record: a short write
  absl::Status s = LogSample(*w, 1, 5);
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_NE(std::string(s.message()).find("commit not stored"), std::string::npos) << s;
  EXPECT_FALSE(w->Health().ok());
  EXPECT_EQ(w->Stats().write_failures, 1u);
  EXPECT_FALSE(LogSample(*w, 1, 6).ok());
  env.SetSpaceLimit(UINT64_MAX);  // space is back
  ASSERT_TRUE(LogSample(*w, 1, 7).ok());
  EXPECT_TRUE(w->Health().ok());
  ASSERT_TRUE(w->Close().ok());
  ReplayStats st;
  EXPECT_EQ(Times(ReplayAll(&env, &st)), (std::vector<int64_t>{0, 1, 2, 3, 4, 7}));
  EXPECT_EQ(st.corruptions, 0u) << st.corruption;
}

TEST(WalTest, FailedFsyncDiscardsTheCommit) {
  disk::FaultEnv env;
  auto w = OpenWal(&env);
  ASSERT_TRUE(LogSample(*w, 1, 0).ok());
  env.FailSyncs(true);
  EXPECT_FALSE(LogSample(*w, 1, 1).ok());
  EXPECT_EQ(w->Stats().fsync_failures, 1u);
  env.FailSyncs(false);
  ASSERT_TRUE(LogSample(*w, 1, 2).ok());
  ASSERT_TRUE(w->Close().ok());
  ReplayStats st;
  EXPECT_EQ(Times(ReplayAll(&env, &st)), (std::vector<int64_t>{0, 2}));
}

TEST(WalTest, BatchCommitsSurviveCrashWithConcurrentWriters) {
  disk::FaultEnv env;
  auto w = OpenWal(&env, FsyncPolicy::kBatch, 4096);
  std::mutex mu;
  std::set<int64_t> acked;
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < 200; ++i) {
        int64_t t = th * 1000 + i;
        if (LogSample(*w, th, t).ok()) {
          std::lock_guard<std::mutex> l(mu);
          acked.insert(t);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  WalStats ws = w->Stats();
  EXPECT_EQ(acked.size(), 800u);
  // Group commit: fewer fsyncs than commits is allowed, more is not.
  EXPECT_LE(ws.fsyncs, 800u + static_cast<uint64_t>(ws.current_segment) + 1);
  env.SimulateCrash();
  w.reset();
  ReplayStats st;
  std::vector<RefSample> got = ReplayAll(&env, &st);
  std::set<int64_t> have;
  for (const auto& s : got) have.insert(s.t);
  for (int64_t t : acked) EXPECT_TRUE(have.contains(t)) << t;
}

TEST(WalTest, NeverPolicyLosesUnsyncedDataOnPowerLoss) {
  // The same crash with fsync "never" loses the tail: the fault env really
  // drops unsynced bytes, so the test above can fail.
  disk::FaultEnv env;
  auto w = OpenWal(&env, FsyncPolicy::kNever);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(LogSample(*w, 1, i).ok());
  EXPECT_EQ(w->Stats().fsyncs, 0u);
  env.SimulateCrash();
  w.reset();
  ReplayStats st;
  EXPECT_TRUE(ReplayAll(&env, &st).empty());
}

// Waits (up to 10 s) for the WAL's background fsync, then cuts the power:
// the n samples logged before must all be replayed.
void ExpectBackgroundFsyncKeeps(disk::FaultEnv& env, std::unique_ptr<Wal>& w, size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (w->Stats().fsyncs == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(w->Stats().fsyncs, 1u);
  env.SimulateCrash();
  w.reset();
  ReplayStats st;
  EXPECT_EQ(ReplayAll(&env, &st).size(), n);
}

TEST(WalTest, IntervalPolicySyncsInTheBackground) {
  disk::FaultEnv env;
  auto w = OpenWal(&env, FsyncPolicy::Interval(10));
  ASSERT_TRUE(LogSample(*w, 1, 0).ok());
  ExpectBackgroundFsyncKeeps(env, w, 1);
}

TEST(WalTest, GroupsLoggedWithoutWaitingReachTheDiskInTheBackground) {
  // Under the batch policy a group logged without waiting is not fsynced
  // by its own call (a scrape commit): 20 of them in a row cost at most the
  // background's one fsync per second, not 20. They still reach the disk
  // on their own within the period, and survive a power loss after that.
  disk::FaultEnv env;
  auto w = OpenWal(&env);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(LogSample(*w, 1, i, 1.0, false).ok());
  EXPECT_LE(w->Stats().fsyncs, 2u);
  ExpectBackgroundFsyncKeeps(env, w, 20);
}

TEST(WalTest, WaitedGroupCoversEarlierUnwaitedOnes) {
  // An acknowledged group's fsync makes every group written before it
  // durable too, so a crash right after it keeps them all.
  disk::FaultEnv env;
  auto w = OpenWal(&env);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(LogSample(*w, 1, i, 1.0, false).ok());
  ASSERT_TRUE(LogSample(*w, 1, 5).ok());
  env.SimulateCrash();
  w.reset();
  ReplayStats st;
  EXPECT_EQ(Times(ReplayAll(&env, &st)), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

TEST(WalTest, CheckpointKeepsLiveSeriesAndRecentSamples) {
  disk::FaultEnv env;
  auto w = OpenWal(&env, FsyncPolicy::kBatch, 256);
  for (uint64_t ref = 1; ref <= 4; ++ref) {
    std::string p;
    RefSeries s{ref, Labels{{"__name__", "m"}, {"i", std::to_string(ref)}}};
    EncodeSeries(std::span<const RefSeries>(&s, 1), &p);
    Record r{RecordType::kSeries, p};
    ASSERT_TRUE(w->Log(std::span<const Record>(&r, 1)).ok());
  }
  for (int64_t t = 0; t < 40; ++t) ASSERT_TRUE(LogSample(*w, 1 + t % 4, t).ok());
  auto cut = w->CutSegment();
  ASSERT_TRUE(cut.ok());
  ASSERT_TRUE(LogSample(*w, 1, 40).ok());
  auto keep = [](uint64_t ref) { return ref % 2 == 1; };
  ASSERT_TRUE(w->Checkpoint(*cut, keep, 20).ok());
  EXPECT_EQ(w->Stats().checkpoints, 1u);
  auto names = *env.ListDir(kDir);
  EXPECT_EQ(names.back(), CheckpointName(*cut));
  EXPECT_EQ(names.size(), 2u);  // checkpoint + open segment
  ASSERT_TRUE(w->Close().ok());

  ReplayStats st;
  std::vector<RefSeries> series;
  std::vector<RefSample> got = ReplayAll(&env, &st, &series);
  EXPECT_EQ(st.checkpoint, *cut);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].ref, 1u);
  EXPECT_EQ(series[1].ref, 3u);
  std::vector<int64_t> want;
  for (int64_t t = 20; t < 40; ++t) {
    if ((1 + t % 4) % 2 == 1) want.push_back(t);
  }
  want.push_back(40);
  EXPECT_EQ(Times(got), want);

  // A second checkpoint replaces the first.
  auto w2 = OpenWal(&env);
  ASSERT_TRUE(LogSample(*w2, 3, 41).ok());
  auto cut2 = w2->CutSegment();
  ASSERT_TRUE(cut2.ok());
  ASSERT_TRUE(w2->Checkpoint(*cut2, [](uint64_t ref) { return ref == 3; }, 30).ok());
  ASSERT_TRUE(w2->Close().ok());
  series.clear();
  got = ReplayAll(&env, &st, &series);
  EXPECT_EQ(st.checkpoint, *cut2);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(Times(got), (std::vector<int64_t>{30, 34, 38, 41}));
  names = *env.ListDir(kDir);
  EXPECT_EQ(names.back(), CheckpointName(*cut2));
}

TEST(WalTest, CheckpointSpansFilesAndFailsSafelyOnFullDisk) {
  disk::FaultEnv env;
  auto w = OpenWal(&env, FsyncPolicy::kBatch, 128);
  for (int64_t t = 0; t < 60; ++t) ASSERT_TRUE(LogSample(*w, 1, t).ok());
  auto cut = w->CutSegment();
  ASSERT_TRUE(cut.ok());
  // No room for the checkpoint: it fails and the segments stay.
  env.LimitToUsedPlus(50);
  EXPECT_FALSE(w->Checkpoint(*cut, [](uint64_t) { return true; }, 10).ok());
  EXPECT_EQ(w->Stats().checkpoint_failures, 1u);
  env.SetSpaceLimit(UINT64_MAX);
  ReplayStats st;
  EXPECT_EQ(Times(ReplayAll(&env, &st)), Range(0, 60));
  EXPECT_EQ(st.checkpoint, -1);
  // With room it succeeds, split over several files of at most 128 bytes.
  ASSERT_TRUE(w->Checkpoint(*cut, [](uint64_t) { return true; }, 10).ok());
  auto files = *env.ListDir(std::string(kDir) + "/" + CheckpointName(*cut));
  EXPECT_GT(files.size(), 2u);
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(Times(ReplayAll(&env, &st)), Range(10, 60));
  EXPECT_EQ(st.checkpoint, *cut);
}

}  // namespace
}  // namespace pharos::tsdb::wal
