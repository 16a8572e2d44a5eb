// Crash safety and full disks while writing blocks, on the fault-injecting Env.
#include <gtest/gtest.h>

#include <random>

#include "disk/fault_env.h"
#include "storage/memory_storage.h"
#include "tsdb/block/block.h"
#include "tsdb/block_testing.h"

namespace pharos::tsdb::block {
namespace {

using testing::ExpectSameSeries;
using testing::M;
using testing::Query;

constexpr int64_t kMint = 1700006400000;
constexpr int64_t kMaxt = kMint + 2 * 3600 * 1000 - 1;
const Matchers kAll = {M(MatchType::kRegexMatch, "__name__", ".+")};

absl::StatusOr<std::string> WriteFrom(disk::Env* env, storage::MemoryStorage* st) {
  auto q = st->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = (*q)->Select(true, nullptr, kAll);
  return WriteBlock(env, "/data", set.get(), kMint, kMaxt);
}

class BlockCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.CreateDirs("/data").ok());
    std::mt19937_64 rng(17);
    testing::FillRandom(&st_, rng, 100, kMint, kMaxt, 400);
  }
  disk::FaultEnv env_;
  storage::MemoryStorage st_;
};

TEST_F(BlockCrash, WrittenBlockSurvivesPowerLoss) {
  auto ulid = WriteFrom(&env_, &st_);
  ASSERT_TRUE(ulid.ok()) << ulid.status();
  env_.SimulateCrash();
  auto b = Block::Open(&env_, "/data/" + *ulid);
  ASSERT_TRUE(b.ok()) << b.status();
  ExpectSameSeries(Query(&st_, kMint, kMaxt, kAll), Query(b->get(), kMint, kMaxt, kAll));
}

TEST_F(BlockCrash, FullDiskLeavesNothingBehindAtAnyPoint) {
  // A first block that must stay intact.
  auto first = WriteFrom(&env_, &st_);
  ASSERT_TRUE(first.ok());
  uint64_t block_bytes = env_.UsedBytes();
  for (uint64_t extra : {uint64_t{0}, uint64_t{10}, block_bytes / 3, block_bytes / 2, block_bytes - 100}) {
    SCOPED_TRACE(extra);
    env_.LimitToUsedPlus(extra);
    auto r = WriteFrom(&env_, &st_);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
    env_.SetSpaceLimit(UINT64_MAX);
    EXPECT_EQ(*env_.ListDir("/data"), std::vector<std::string>{*first});
  }
  // With room again, writing works and both blocks list.
  auto second = WriteFrom(&env_, &st_);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(ListBlockDirs(&env_, "/data")->size(), 2u);
}

TEST_F(BlockCrash, FailedSyncIsAnErrorAndLeavesNothing) {
  env_.FailSyncs(true);
  auto r = WriteFrom(&env_, &st_);
  EXPECT_FALSE(r.ok());
  env_.FailSyncs(false);
  EXPECT_TRUE(env_.ListDir("/data")->empty());
}

TEST_F(BlockCrash, CrashBeforeRenameLeavesOnlyATmpDirThatStartupRemoves) {
  // A crash while writing: files exist under <ulid>.tmp with unsynced data.
  // Recreate that state by hand: the writer's files, never synced.
  std::string tmp = "/data/" + NewUlid() + ".tmp";
  ASSERT_TRUE(env_.CreateDirs(tmp + "/chunks").ok());
  auto f = env_.NewWritableFile(tmp + "/chunks/000001");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append(std::string(1000, 'x')).ok());
  env_.SimulateCrash();
  EXPECT_TRUE(ListBlockDirs(&env_, "/data")->empty());
  ASSERT_TRUE(RemoveTmpBlockDirs(&env_, "/data").ok());
  EXPECT_TRUE(env_.ListDir("/data")->empty());
}

}  // namespace
}  // namespace pharos::tsdb::block
