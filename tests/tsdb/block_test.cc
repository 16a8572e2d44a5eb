#include "tsdb/block/block.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "storage/memory_storage.h"
#include "tsdb/block/chunk_files.h"
#include "tsdb/block/index.h"
#include "tsdb/block/meta.h"
#include "tsdb/chunkenc/xor.h"
#include "tsdb/block_testing.h"

namespace pharos::tsdb::block {
namespace {

using storage::MemoryStorage;
using testing::Drain;
using testing::ExpectSameSeries;
using testing::M;
using testing::Query;
using testing::ScratchDir;

constexpr int64_t kMint = 1700000000000;
constexpr int64_t kMaxt = kMint + 2 * 3600 * 1000 - 1;

std::string WriteFrom(disk::Env* env, const std::string& dir, MemoryStorage* st, int64_t mint, int64_t maxt,
                      int level = 1, std::vector<std::string> sources = {}) {
  auto q = st->NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_TRUE(q.ok());
  auto set = (*q)->Select(true, nullptr, {M(MatchType::kRegexMatch, "__name__", ".+")});
  auto ulid = WriteBlock(env, dir, set.get(), mint, maxt, level, std::move(sources));
  EXPECT_TRUE(ulid.ok()) << ulid.status();
  return ulid.ok() ? *ulid : "";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

TEST(BlockMeta, JsonRoundTrip) {
  BlockMeta m;
  m.ulid = NewUlid();
  m.min_time = -5;
  m.max_time = INT64_MAX;
  m.stats = {123, 4, 5};
  m.level = 3;
  m.sources = {NewUlid(), NewUlid()};
  auto back = ParseMetaJson(EncodeMetaJson(m));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, m);
}

TEST(BlockMeta, RejectsMalformed) {
  for (std::string bad : {"", "{", "{\"ulid\":\"x\",\"minTime\":1,\"maxTime\":2}",
                          "{\"ulid\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"minTime\":3,\"maxTime\":2}",
                          "{\"ulid\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"minTime\":99999999999999999999,\"maxTime\":2}",
                          "{\"ulid\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"minTime\":1,\"maxTime\":2} x"}) {
    EXPECT_FALSE(ParseMetaJson(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseMetaJson("{\"ulid\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"minTime\":1,\"maxTime\":2,"
                            "\"extra\":{\"a\":[1,2,{\"b\":null}]}}")
                  .ok());
}

TEST(BlockMeta, UlidsAreIncreasingAndValid) {
  std::string prev;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUlid();
    EXPECT_TRUE(IsUlid(u)) << u;
    EXPECT_LT(prev, u);
    prev = u;
  }
  EXPECT_FALSE(IsUlid("01ARZ3NDEKTSV4RRFFQ69G5FA"));
  EXPECT_FALSE(IsUlid("01ARZ3NDEKTSV4RRFFQ69G5FAU"));  // U is not in the alphabet
}

TEST(Block, RoundTripRandomData) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  std::mt19937_64 rng(1);
  MemoryStorage st;
  testing::FillRandom(&st, rng, 300, kMint - 600000, kMaxt + 600000, 700);
  std::string ulid = WriteFrom(env, dir.path(), &st, kMint, kMaxt);
  ASSERT_FALSE(ulid.empty());
  EXPECT_TRUE(IsUlid(ulid));
  auto b = Block::Open(env, dir.path() + "/" + ulid);
  ASSERT_TRUE(b.ok()) << b.status();
  const BlockMeta& m = (*b)->meta();
  EXPECT_EQ(m.ulid, ulid);
  EXPECT_EQ(m.min_time, kMint);
  EXPECT_EQ(m.max_time, kMaxt);
  EXPECT_EQ(m.level, 1);
  EXPECT_EQ(m.sources, std::vector<std::string>{ulid});
  EXPECT_GT((*b)->SizeBytes(), 0u);

  auto want = Query(&st, kMint, kMaxt, {M(MatchType::kRegexMatch, "__name__", ".+")});
  auto got = Query(b->get(), INT64_MIN, INT64_MAX, {M(MatchType::kRegexMatch, "__name__", ".+")});
  ExpectSameSeries(want, got);
  uint64_t samples = 0;
  for (const auto& [ls, s] : want) samples += s.size();
  EXPECT_EQ(m.stats.num_samples, samples);
  EXPECT_EQ(m.stats.num_series, want.size());
  EXPECT_GE(m.stats.num_chunks, want.size());

  // Sub-ranges clip exactly.
  for (auto [lo, hi] : {std::pair{kMint + 1000000, kMint + 2000000}, {kMint, kMint}, {kMaxt - 15000, kMaxt}}) {
    ExpectSameSeries(Query(&st, lo, hi, {M(MatchType::kRegexMatch, "__name__", ".+")}),
                     Query(b->get(), lo, hi, {M(MatchType::kRegexMatch, "__name__", ".+")}));
  }
}

TEST(Block, MatchersAgreeWithMemoryStorage) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  std::mt19937_64 rng(2);
  MemoryStorage st;
  testing::FillRandom(&st, rng, 200, kMint, kMaxt, 50);
  std::string ulid = WriteFrom(env, dir.path(), &st, kMint, kMaxt);
  auto b = Block::Open(env, dir.path() + "/" + ulid);
  ASSERT_TRUE(b.ok()) << b.status();
  std::vector<Matchers> cases = {
      {M(MatchType::kEqual, "__name__", "up")},
      {M(MatchType::kEqual, "__name__", "up"), M(MatchType::kEqual, "job", "api")},
      {M(MatchType::kEqual, "__name__", "nope")},
      {M(MatchType::kNotEqual, "job", "api"), M(MatchType::kRegexMatch, "__name__", ".+")},
      {M(MatchType::kRegexMatch, "job", "api|db")},
      {M(MatchType::kRegexMatch, "instance", "host1.*")},
      {M(MatchType::kRegexNoMatch, "job", "api|db"), M(MatchType::kEqual, "__name__", "up")},
      {M(MatchType::kRegexNoMatch, "instance", "host[0-3].*"), M(MatchType::kRegexMatch, "job", ".+")},
      {M(MatchType::kEqual, "mode", ""), M(MatchType::kEqual, "__name__", "node_cpu_seconds_total")},
      {M(MatchType::kNotEqual, "mode", ""), M(MatchType::kRegexMatch, "__name__", ".*")},
      {M(MatchType::kRegexMatch, "mode", "idle|"), M(MatchType::kEqual, "job", "node")},
      {M(MatchType::kRegexMatch, "job", "(?i)API")},
  };
  for (const auto& ms : cases) {
    std::string desc;
    for (const auto& m : ms) desc += m.ToString() + " ";
    SCOPED_TRACE(desc);
    ExpectSameSeries(Query(&st, kMint, kMaxt, ms), Query(b->get(), kMint, kMaxt, ms));
  }
}

TEST(Block, LabelNamesAndValues) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  MemoryStorage st;
  ASSERT_TRUE(st.Add(Labels{{"__name__", "a"}, {"job", "x"}}, kMint, 1).ok());
  ASSERT_TRUE(st.Add(Labels{{"__name__", "b"}, {"job", "y"}, {"zone", "eu"}}, kMint + 10, 1).ok());
  ASSERT_TRUE(st.Add(Labels{{"__name__", "b"}, {"job", "z"}}, kMaxt, 1).ok());
  std::string ulid = WriteFrom(env, dir.path(), &st, kMint, kMaxt);
  auto b = Block::Open(env, dir.path() + "/" + ulid);
  ASSERT_TRUE(b.ok()) << b.status();
  auto q = (*b)->NewQuerier(kMint, kMaxt);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*(*q)->LabelNames({}), (std::vector<std::string>{"__name__", "job", "zone"}));
  EXPECT_EQ(*(*q)->LabelValues("job", {}), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(*(*q)->LabelValues("job", {M(MatchType::kEqual, "__name__", "b")}),
            (std::vector<std::string>{"y", "z"}));
  EXPECT_EQ(*(*q)->LabelNames({M(MatchType::kEqual, "job", "z")}), (std::vector<std::string>{"__name__", "job"}));
  // A narrower range only sees series with samples in it.
  auto q2 = (*b)->NewQuerier(kMint, kMint + 5);
  ASSERT_TRUE(q2.ok());
  EXPECT_EQ(*(*q2)->LabelValues("job", {}), (std::vector<std::string>{"x"}));
  EXPECT_EQ(*(*q2)->LabelNames({}), (std::vector<std::string>{"__name__", "job"}));
}

TEST(Block, IteratorSeekAndAppendUntilAcrossChunks) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  MemoryStorage st;
  Labels ls{{"__name__", "m"}};
  // Every 100 ms: more samples than one columnar chunk holds.
  for (int i = 0; i < 40000; ++i) ASSERT_TRUE(st.Add(ls, kMint + i * 100, i).ok());
  std::string ulid = WriteFrom(env, dir.path(), &st, kMint, kMaxt);
  auto b = Block::Open(env, dir.path() + "/" + ulid);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->meta().stats.num_chunks, 334u);  // 40000 samples / 120 per chunk
  auto q = (*b)->NewQuerier(kMint + 1000050, kMint + 3500000);
  auto set = (*q)->Select(true, nullptr, {M(MatchType::kEqual, "__name__", "m")});
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator();
  ASSERT_TRUE(it->Seek(0));
  EXPECT_EQ(it->At().t, kMint + 1000100);
  ASSERT_TRUE(it->Seek(kMint + 2000000));
  EXPECT_EQ(it->At().t, kMint + 2000000);
  EXPECT_EQ(it->At().v, 20000);
  std::vector<storage::Sample> out;
  EXPECT_TRUE(it->AppendUntil(kMint + 3400000, &out));  // across a chunk boundary (sample 32768)
  EXPECT_EQ(out.size(), 14001u);
  EXPECT_EQ(it->At().t, kMint + 3400100);
  EXPECT_FALSE(it->AppendUntil(INT64_MAX, &out));
  EXPECT_EQ(out.back().t, kMint + 3500000);
  EXPECT_EQ(out.size(), 15001u);
  for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i].v, 20000.0 + static_cast<double>(i));
  EXPECT_FALSE(it->Seek(kMint + 3600000));
  EXPECT_TRUE(it->Err().ok());
  EXPECT_FALSE(set->Next());
}

TEST(Block, NoSamplesLeavesNoDirectory) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  MemoryStorage st;
  ASSERT_TRUE(st.Add(Labels{{"__name__", "m"}}, kMint - 1, 1).ok());
  EXPECT_EQ(WriteFrom(env, dir.path(), &st, kMint, kMaxt), "");
  EXPECT_TRUE(env->ListDir(dir.path())->empty());
}

TEST(Block, UnsortedInputIsRefusedAndCleanedUp) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  MemoryStorage st;
  ASSERT_TRUE(st.Add(Labels{{"__name__", "a"}}, kMint, 1).ok());
  ASSERT_TRUE(st.Add(Labels{{"__name__", "b"}}, kMint, 1).ok());
  auto q = st.NewQuerier(INT64_MIN, INT64_MAX);
  // Two sets chained in the wrong order.
  class Reversed : public storage::SeriesSet {
   public:
    explicit Reversed(std::unique_ptr<storage::SeriesSet> a, std::unique_ptr<storage::SeriesSet> b)
        : a_(std::move(a)), b_(std::move(b)) {}
    bool Next() override { return onb_ ? b_->Next() : (a_->Next() || ((onb_ = true) && b_->Next())); }
    const storage::Series& At() const override { return onb_ ? b_->At() : a_->At(); }
    std::unique_ptr<storage::SeriesSet> a_, b_;
    bool onb_ = false;
  } set((*q)->Select(true, nullptr, {M(MatchType::kEqual, "__name__", "b")}),
        (*q)->Select(true, nullptr, {M(MatchType::kEqual, "__name__", "a")}));
  auto r = WriteBlock(env, dir.path(), &set, kMint, kMaxt);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(env->ListDir(dir.path())->empty());
}

TEST(Block, LeftoverTmpDirIsInvisibleAndRemoved) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  MemoryStorage st;
  ASSERT_TRUE(st.Add(Labels{{"__name__", "m"}}, kMint, 1).ok());
  std::string ulid = WriteFrom(env, dir.path(), &st, kMint, kMaxt);
  // Simulate a crash while writing a second block: a complete-looking copy
  // under <ulid>.tmp, and a half-written one.
  std::string crashed = NewUlid() + ".tmp";
  std::filesystem::copy(dir.path() + "/" + ulid, dir.path() + "/" + crashed, std::filesystem::copy_options::recursive);
  std::filesystem::create_directories(dir.path() + "/" + NewUlid() + ".tmp/chunks");
  auto listed = ListBlockDirs(env, dir.path());
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, std::vector<std::string>{ulid});
  ASSERT_TRUE(RemoveTmpBlockDirs(env, dir.path()).ok());
  EXPECT_EQ(*env->ListDir(dir.path()), std::vector<std::string>{ulid});
  EXPECT_TRUE(Block::Open(env, dir.path() + "/" + ulid).ok());
}

TEST(Block, DeleteBlockDirRemovesWholeBlock) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  MemoryStorage st;
  ASSERT_TRUE(st.Add(Labels{{"__name__", "m"}}, kMint, 1).ok());
  std::string ulid = WriteFrom(env, dir.path(), &st, kMint, kMaxt);
  auto b = Block::Open(env, dir.path() + "/" + ulid);
  ASSERT_TRUE(b.ok());
  auto q = (*b)->NewQuerier(kMint, kMaxt);
  ASSERT_TRUE(DeleteBlockDir(env, dir.path(), ulid).ok());
  b->reset();
  EXPECT_TRUE(env->ListDir(dir.path())->empty());
  // An open querier keeps its mappings valid.
  auto got = Drain((*q)->Select(true, nullptr, {M(MatchType::kEqual, "__name__", "m")}).get());
  EXPECT_EQ(got.size(), 1u);
}

class BlockCorruption : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = disk::PosixEnv();
    std::mt19937_64 rng(5);
    testing::FillRandom(&st_, rng, 50, kMint, kMaxt, 300);
    ulid_ = WriteFrom(env_, dir_.path(), &st_, kMint, kMaxt);
    bdir_ = dir_.path() + "/" + ulid_;
  }
  // Opens the block and reads every series fully; returns the first error.
  absl::Status OpenAndReadAll() {
    auto b = Block::Open(env_, bdir_);
    if (!b.ok()) return b.status();
    auto q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
    auto set = (*q)->Select(true, nullptr, {M(MatchType::kRegexMatch, "__name__", ".+")});
    while (set->Next()) {
      auto it = set->At().Iterator();
      while (it->Next()) {
      }
      if (!it->Err().ok()) return it->Err();
    }
    return set->Err();
  }
  ScratchDir dir_;
  disk::Env* env_;
  MemoryStorage st_;
  std::string ulid_, bdir_;
};

TEST_F(BlockCorruption, IntactBlockReadsCleanly) { EXPECT_TRUE(OpenAndReadAll().ok()); }

TEST_F(BlockCorruption, TruncatedIndexIsAnErrorNamingTheFile) {
  std::string index = ReadAll(bdir_ + "/index");
  for (size_t cut : {size_t{0}, size_t{7}, index.size() / 2, index.size() - 1}) {
    WriteAll(bdir_ + "/index", index.substr(0, cut));
    absl::Status s = OpenAndReadAll();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << cut << " " << s;
    EXPECT_NE(s.message().find("index"), std::string::npos) << s;
    EXPECT_NE(s.message().find("offset"), std::string::npos) << s;
  }
}

TEST_F(BlockCorruption, EveryFlippedIndexByteIsDetected) {
  std::string index = ReadAll(bdir_ + "/index");
  for (size_t i = 0; i < index.size(); i += 1 + index.size() / 300) {
    std::string bad = index;
    bad[i] ^= 0x20;
    WriteAll(bdir_ + "/index", bad);
    EXPECT_FALSE(OpenAndReadAll().ok()) << "byte " << i;
  }
}

TEST_F(BlockCorruption, FlippedChunkByteIsAnIteratorError) {
  std::string path = bdir_ + "/chunks/000001";
  std::string seg = ReadAll(path);
  for (size_t i = kChunkFileHeaderSize; i < seg.size(); i += 1 + seg.size() / 100) {
    std::string bad = seg;
    bad[i] ^= 0x01;
    WriteAll(path, bad);
    absl::Status s = OpenAndReadAll();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << "byte " << i << " " << s;
  }
  WriteAll(path, seg.substr(0, seg.size() / 2));
  EXPECT_FALSE(OpenAndReadAll().ok());
}

TEST_F(BlockCorruption, BadMetaOrMissingFilesAreErrors) {
  std::string meta = ReadAll(bdir_ + "/meta.json");
  WriteAll(bdir_ + "/meta.json", meta.substr(0, meta.size() / 2));
  absl::Status s = OpenAndReadAll();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("meta.json"), std::string::npos) << s;
  WriteAll(bdir_ + "/meta.json", meta);
  std::filesystem::rename(bdir_ + "/chunks/000001", bdir_ + "/chunks/000002");
  EXPECT_FALSE(OpenAndReadAll().ok());
}

TEST(BlockIndex, RejectsUnsortedSeries) {
  std::vector<IndexSeries> s(2);
  s[0].labels = Labels{{"a", "2"}};
  s[1].labels = Labels{{"a", "1"}};
  EXPECT_FALSE(BuildIndex(s).ok());
}

}  // namespace
}  // namespace pharos::tsdb::block
