#include <gtest/gtest.h>

#include <random>

#include "storage/memory_storage.h"
#include "tsdb/block/block.h"
#include "tsdb/block/merge_querier.h"
#include "tsdb/block/planner.h"
#include "tsdb/block_testing.h"

namespace pharos::tsdb::block {
namespace {

using storage::MemoryStorage;
using storage::Sample;
using testing::ExpectSameSeries;
using testing::M;
using testing::Query;
using testing::ScratchDir;

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1700000000000 / (2 * kHour) * (2 * kHour);

const Matchers kAll = {M(MatchType::kRegexMatch, "__name__", ".+")};

std::string WriteFrom(disk::Env* env, const std::string& dir, MemoryStorage* st, int64_t mint, int64_t maxt) {
  auto q = st->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = (*q)->Select(true, nullptr, kAll);
  auto ulid = WriteBlock(env, dir, set.get(), mint, maxt);
  EXPECT_TRUE(ulid.ok()) << ulid.status();
  return ulid.ok() ? *ulid : "";
}

std::unique_ptr<Block> OpenOrDie(disk::Env* env, const std::string& dir) {
  auto b = Block::Open(env, dir);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? std::move(*b) : nullptr;
}

TEST(MergeIterator, MergesByTimestampFirstInputWinsTies) {
  std::vector<std::unique_ptr<storage::SampleIterator>> its;
  its.push_back(std::make_unique<storage::VectorIterator>(std::vector<Sample>{{1, 1}, {3, 3}, {5, 5}}));
  its.push_back(std::make_unique<storage::VectorIterator>(std::vector<Sample>{{2, 20}, {3, 30}, {6, 60}}));
  its.push_back(std::make_unique<storage::VectorIterator>(std::vector<Sample>{}));
  auto it = NewMergeIterator(std::move(its));
  std::vector<Sample> got;
  while (it->Next()) got.push_back(it->At());
  EXPECT_EQ(got, (std::vector<Sample>{{1, 1}, {2, 20}, {3, 3}, {5, 5}, {6, 60}}));
}

TEST(MergeIterator, SeekAndAppendUntil) {
  std::vector<std::unique_ptr<storage::SampleIterator>> its;
  its.push_back(std::make_unique<storage::VectorIterator>(std::vector<Sample>{{1, 1}, {4, 4}, {10, 10}, {11, 11}}));
  its.push_back(std::make_unique<storage::VectorIterator>(std::vector<Sample>{{2, 2}, {4, 40}, {5, 5}}));
  auto it = NewMergeIterator(std::move(its));
  ASSERT_TRUE(it->Seek(3));
  EXPECT_EQ(it->At(), (Sample{4, 4}));
  ASSERT_TRUE(it->Seek(0));  // never backwards
  EXPECT_EQ(it->At().t, 4);
  std::vector<Sample> out;
  EXPECT_TRUE(it->AppendUntil(10, &out));
  EXPECT_EQ(out, (std::vector<Sample>{{4, 4}, {5, 5}, {10, 10}}));
  EXPECT_EQ(it->At().t, 11);
  EXPECT_FALSE(it->AppendUntil(100, &out));
  EXPECT_EQ(out.back(), (Sample{11, 11}));
}

TEST(MergeQuerier, MergesSeriesOfSeveralStores) {
  MemoryStorage a, b, want;
  Labels x{{"__name__", "x"}}, y{{"__name__", "y"}}, z{{"__name__", "z"}};
  for (int64_t t = 0; t < 100; t += 10) ASSERT_TRUE(a.Add(x, t, 1).ok());
  for (int64_t t = 50; t < 200; t += 5) ASSERT_TRUE(b.Add(x, t, 2).ok());
  for (int64_t t = 0; t < 200; t += 5) {
    if (t < 100 && t % 10 == 0) {
      ASSERT_TRUE(want.Add(x, t, 1).ok());  // a's sample wins ties
    } else if (t >= 50) {
      ASSERT_TRUE(want.Add(x, t, 2).ok());
    }
  }
  ASSERT_TRUE(a.Add(z, 1, 1).ok());
  ASSERT_TRUE(want.Add(z, 1, 1).ok());
  ASSERT_TRUE(b.Add(y, 1, 1).ok());
  ASSERT_TRUE(want.Add(y, 1, 1).ok());
  std::vector<std::unique_ptr<storage::Querier>> qs;
  qs.push_back(*a.NewQuerier(0, 1000));
  qs.push_back(*b.NewQuerier(0, 1000));
  auto q = NewMergeQuerier(std::move(qs));
  auto set = q->Select(false, nullptr, kAll);
  ExpectSameSeries(Query(&want, 0, 1000, kAll), testing::Drain(set.get()));
  EXPECT_EQ(*q->LabelValues("__name__", {}), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(*q->LabelNames({}), std::vector<std::string>{"__name__"});
}

TEST(MergeQuerier, ChildErrorsAreTheResultsError) {
  class Failing final : public storage::Querier {
   public:
    std::unique_ptr<storage::SeriesSet> Select(bool, const storage::SelectHints*, const Matchers&) override {
      return storage::EmptySeriesSet(absl::DataLossError("disk on fire"));
    }
    absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view, const Matchers&) override {
      return absl::DataLossError("disk on fire");
    }
    absl::StatusOr<std::vector<std::string>> LabelNames(const Matchers&) override {
      return absl::DataLossError("disk on fire");
    }
  };
  MemoryStorage a;
  ASSERT_TRUE(a.Add(Labels{{"__name__", "x"}}, 1, 1).ok());
  std::vector<std::unique_ptr<storage::Querier>> qs;
  qs.push_back(*a.NewQuerier(0, 10));
  qs.push_back(std::make_unique<Failing>());
  auto q = NewMergeQuerier(std::move(qs));
  auto set = q->Select(true, nullptr, kAll);
  while (set->Next()) {
  }
  EXPECT_EQ(set->Err().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(q->LabelValues("__name__", {}).ok());
  EXPECT_FALSE(q->LabelNames({}).ok());
}

TEST(Compaction, CorruptInputBlockFailsAndLeavesNoOutput) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  MemoryStorage st;
  for (int64_t t = 0; t < 1000; ++t) ASSERT_TRUE(st.Add(Labels{{"__name__", "m"}}, kT0 + t * 1000, t).ok());
  std::string u = WriteFrom(env, dir.path(), &st, kT0, kT0 + 2 * kHour - 1);
  auto b = OpenOrDie(env, dir.path() + "/" + u);
  // Damage a chunk after opening (chunks are checked when read).
  {
    std::string path = dir.path() + "/" + u + "/chunks/000001";
    auto data = env->ReadFile(path);
    ASSERT_TRUE(data.ok());
    std::string bad = *data;
    bad[bad.size() / 2] ^= 0x55;
    ASSERT_TRUE(disk::WriteFileAtomic(env, path, bad).ok());
  }
  auto b2 = OpenOrDie(env, dir.path() + "/" + u);
  auto r = CompactBlocks(env, dir.path(), {b2.get()});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
  EXPECT_EQ(*env->ListDir(dir.path()), std::vector<std::string>{u});
}

TEST(Compaction, MergesAdjacentBlocks) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  std::mt19937_64 rng(9);
  MemoryStorage all;
  testing::FillRandom(&all, rng, 100, kT0, kT0 + 6 * kHour - 1, 2000);
  std::vector<std::unique_ptr<Block>> blocks;
  std::vector<Block*> ptrs;
  for (int i = 0; i < 3; ++i) {
    std::string u = WriteFrom(env, dir.path(), &all, kT0 + i * 2 * kHour, kT0 + (i + 1) * 2 * kHour - 1);
    blocks.push_back(OpenOrDie(env, dir.path() + "/" + u));
    ptrs.push_back(blocks.back().get());
  }
  auto u = CompactBlocks(env, dir.path(), ptrs);
  ASSERT_TRUE(u.ok()) << u.status();
  auto c = OpenOrDie(env, dir.path() + "/" + *u);
  EXPECT_EQ(c->meta().level, 2);
  EXPECT_EQ(c->meta().min_time, kT0);
  EXPECT_EQ(c->meta().max_time, kT0 + 6 * kHour - 1);
  std::vector<std::string> sources = {ptrs[0]->meta().ulid, ptrs[1]->meta().ulid, ptrs[2]->meta().ulid};
  std::sort(sources.begin(), sources.end());
  EXPECT_EQ(c->meta().sources, sources);
  ExpectSameSeries(Query(&all, kT0, kT0 + 6 * kHour - 1, kAll), Query(c.get(), INT64_MIN, INT64_MAX, kAll));
  uint64_t n = 0;
  for (Block* b : ptrs) n += b->meta().stats.num_samples;
  EXPECT_EQ(c->meta().stats.num_samples, n);
}

TEST(Compaction, MergesOverlappingBlocksAndDeduplicates) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  MemoryStorage s1, s2, want;
  Labels a{{"__name__", "a"}}, b{{"__name__", "b"}, {"job", "x"}}, only2{{"__name__", "c"}};
  // s1: a every 10 s in [0, 2h); s2: a every 15 s in [1h, 3h) (overlap, some equal timestamps).
  for (int64_t t = 0; t < 2 * kHour; t += 10000) ASSERT_TRUE(s1.Add(a, kT0 + t, 1).ok());
  for (int64_t t = kHour; t < 3 * kHour; t += 15000) ASSERT_TRUE(s2.Add(a, kT0 + t, 2).ok());
  for (int64_t t = 0; t < 3 * kHour; t += 5000) {
    bool in1 = t < 2 * kHour && t % 10000 == 0;
    bool in2 = t >= kHour && t % 15000 == 0;
    if (in1) {
      ASSERT_TRUE(want.Add(a, kT0 + t, 1).ok());
    } else if (in2) {
      ASSERT_TRUE(want.Add(a, kT0 + t, 2).ok());
    }
  }
  ASSERT_TRUE(s1.Add(b, kT0 + 5, 5).ok());
  ASSERT_TRUE(s2.Add(b, kT0 + 5 + kHour, 6).ok());
  ASSERT_TRUE(want.Add(b, kT0 + 5, 5).ok());
  ASSERT_TRUE(want.Add(b, kT0 + 5 + kHour, 6).ok());
  ASSERT_TRUE(s2.Add(only2, kT0 + 2 * kHour, 7).ok());
  ASSERT_TRUE(want.Add(only2, kT0 + 2 * kHour, 7).ok());

  auto b1 = OpenOrDie(env, dir.path() + "/" + WriteFrom(env, dir.path(), &s1, kT0, kT0 + 2 * kHour - 1));
  auto b2 = OpenOrDie(env, dir.path() + "/" + WriteFrom(env, dir.path(), &s2, kT0 + kHour, kT0 + 3 * kHour - 1));
  std::vector<const BlockMeta*> metas = {&b1->meta(), &b2->meta()};
  EXPECT_EQ(PlanCompaction(metas, {2 * kHour, 6 * kHour}),
            (std::vector<std::string>{b1->meta().ulid, b2->meta().ulid}));
  auto u = CompactBlocks(env, dir.path(), {b1.get(), b2.get()});
  ASSERT_TRUE(u.ok()) << u.status();
  auto c = OpenOrDie(env, dir.path() + "/" + *u);
  EXPECT_EQ(c->meta().min_time, kT0);
  EXPECT_EQ(c->meta().max_time, kT0 + 3 * kHour - 1);
  ExpectSameSeries(Query(&want, INT64_MIN, INT64_MAX, kAll), Query(c.get(), INT64_MIN, INT64_MAX, kAll));
  std::vector<std::string> dirs = {b1->meta().ulid, b2->meta().ulid, *u};
  std::sort(dirs.begin(), dirs.end());
  EXPECT_EQ(*ListBlockDirs(env, dir.path()), dirs);
}

TEST(Compaction, EmptyInputGivesNoBlock) {
  ScratchDir dir;
  auto u = CompactBlocks(disk::PosixEnv(), dir.path(), {});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, "");
}

BlockMeta Meta(std::string ulid, int64_t mint, int64_t maxt) {
  BlockMeta m;
  m.ulid = std::move(ulid);
  m.min_time = mint;
  m.max_time = maxt;
  return m;
}

std::vector<const BlockMeta*> Ptrs(const std::vector<BlockMeta>& ms) {
  std::vector<const BlockMeta*> out;
  for (const auto& m : ms) out.push_back(&m);
  return out;
}

TEST(Retention, ByTime) {
  std::vector<BlockMeta> ms;
  for (int i = 0; i < 10; ++i) ms.push_back(Meta("b" + std::to_string(i), i * 2 * kHour, (i + 1) * 2 * kHour - 1));
  // Newest maxTime is 20h-1; 6h retention keeps blocks ending at or after 14h-1.
  EXPECT_EQ(BlocksBeyondRetention(Ptrs(ms), 6 * kHour, 0),
            (std::vector<std::string>{"b0", "b1", "b2", "b3", "b4", "b5"}));
  EXPECT_TRUE(BlocksBeyondRetention(Ptrs(ms), 0, 0).empty());
  EXPECT_TRUE(BlocksBeyondRetention(Ptrs(ms), 100 * kHour, 0).empty());
  EXPECT_TRUE(BlocksBeyondRetention({}, kHour, 1).empty());
}

TEST(Retention, BySizeOldestFirst) {
  std::vector<BlockMeta> ms;
  for (int i = 0; i < 5; ++i) ms.push_back(Meta("b" + std::to_string(i), i * 10, i * 10 + 9));
  std::vector<uint64_t> sizes = {100, 100, 100, 100, 100};
  EXPECT_EQ(BlocksBeyondRetention(Ptrs(ms), 0, 300, sizes), (std::vector<std::string>{"b0", "b1"}));
  EXPECT_EQ(BlocksBeyondRetention(Ptrs(ms), 0, 300, sizes, 50), (std::vector<std::string>{"b0", "b1", "b2"}));
  EXPECT_TRUE(BlocksBeyondRetention(Ptrs(ms), 0, 500, sizes).empty());
  // Both limits: the union.
  EXPECT_EQ(BlocksBeyondRetention(Ptrs(ms), 25, 400, sizes), (std::vector<std::string>{"b0", "b1"}));
}

TEST(CompactionPlan, ExponentialRangesCappedByRetention) {
  EXPECT_EQ(CompactionRanges(2 * kHour, 0, 4), (std::vector<int64_t>{2 * kHour, 6 * kHour, 18 * kHour, 54 * kHour}));
  // 10 days retention: ranges up to 24h (10%) stay.
  EXPECT_EQ(CompactionRanges(2 * kHour, 240 * kHour), (std::vector<int64_t>{2 * kHour, 6 * kHour, 18 * kHour}));
  EXPECT_EQ(CompactionRanges(2 * kHour, kHour), std::vector<int64_t>{2 * kHour});
}

TEST(CompactionPlan, PicksFullAlignedWindowsLeavingNewestBlock) {
  auto ranges = CompactionRanges(2 * kHour, 0, 3);  // 2h, 6h, 18h
  std::vector<BlockMeta> ms;
  for (int i = 0; i < 3; ++i) ms.push_back(Meta("b" + std::to_string(i), i * 2 * kHour, (i + 1) * 2 * kHour - 1));
  // Only three 2h blocks: the newest is left out, [0,6h) is not complete and
  // the remaining two do not end before the newest remaining block starts.
  EXPECT_TRUE(PlanCompaction(Ptrs(ms), ranges).empty());
  ms.push_back(Meta("b3", 6 * kHour, 8 * kHour - 1));
  EXPECT_EQ(PlanCompaction(Ptrs(ms), ranges), (std::vector<std::string>{"b0", "b1", "b2"}));
  // After that compaction: a 6h block and 2h blocks.
  std::vector<BlockMeta> next = {Meta("c0", 0, 6 * kHour - 1), Meta("b3", 6 * kHour, 8 * kHour - 1),
                                 Meta("b4", 8 * kHour, 10 * kHour - 1), Meta("b5", 10 * kHour, 12 * kHour - 1),
                                 Meta("b6", 12 * kHour, 14 * kHour - 1)};
  EXPECT_EQ(PlanCompaction(Ptrs(next), ranges), (std::vector<std::string>{"b3", "b4", "b5"}));
  // Gaps: two blocks of one window followed by a block of a later window.
  std::vector<BlockMeta> gap = {Meta("g0", 0, 2 * kHour - 1), Meta("g1", 4 * kHour, 6 * kHour - 1),
                                Meta("g2", 12 * kHour, 14 * kHour - 1), Meta("g3", 14 * kHour, 16 * kHour - 1)};
  EXPECT_EQ(PlanCompaction(Ptrs(gap), ranges), (std::vector<std::string>{"g0", "g1"}));
}

TEST(CompactionPlan, OverlapsFirst) {
  std::vector<BlockMeta> ms = {Meta("a", 0, 99), Meta("b", 100, 199), Meta("c", 150, 250), Meta("d", 240, 300),
                               Meta("e", 400, 500)};
  EXPECT_EQ(PlanCompaction(Ptrs(ms), {100, 300}), (std::vector<std::string>{"b", "c", "d"}));
}

}  // namespace
}  // namespace pharos::tsdb::block
