#include "disk/fault_env.h"

#include <gtest/gtest.h>

namespace pharos::disk {
namespace {

TEST(FaultEnvTest, CrashKeepsOnlySyncedBytes) {
  FaultEnv env;
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  auto f = env.NewWritableFile("/d/a");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("hello ").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("world").ok());
  EXPECT_EQ(*env.Contents("/d/a"), "hello world");
  env.SimulateCrash();
  EXPECT_EQ(*env.Contents("/d/a"), "hello ");
  // The handle of the "dead process" no longer writes.
  EXPECT_FALSE((*f)->Append("x").ok());
  EXPECT_EQ(env.sync_count(), 1u);
}

TEST(FaultEnvTest, FullDiskWritesShortAndFails) {
  FaultEnv env;
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  auto f = env.NewWritableFile("/d/a");
  ASSERT_TRUE(f.ok());
  env.LimitToUsedPlus(4);
  absl::Status s = (*f)->Append("abcdefgh");
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_EQ(*env.Contents("/d/a"), "abcd");
  EXPECT_TRUE(env.Truncate("/d/a", 1).ok());
  env.SetSpaceLimit(UINT64_MAX);
  auto g = env.NewAppendableFile("/d/a");
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE((*g)->Append("z").ok());
  EXPECT_EQ(*env.Contents("/d/a"), "az");
}

TEST(FaultEnvTest, DirectoriesListRenameRemove) {
  FaultEnv env;
  ASSERT_TRUE(env.CreateDirs("/d/x.tmp").ok());
  ASSERT_TRUE((*env.NewWritableFile("/d/x.tmp/f"))->Append("12345").ok());
  ASSERT_TRUE((*env.NewWritableFile("/d/b"))->Append("1").ok());
  EXPECT_FALSE(env.NewWritableFile("/nope/f").ok());
  EXPECT_EQ(*env.ListDir("/d"), (std::vector<std::string>{"b", "x.tmp"}));
  ASSERT_TRUE(env.Rename("/d/x.tmp", "/d/x").ok());
  EXPECT_EQ(*env.ListDir("/d"), (std::vector<std::string>{"b", "x"}));
  EXPECT_EQ(*env.Contents("/d/x/f"), "12345");
  EXPECT_EQ(*env.DirSize("/d"), 6u);
  ASSERT_TRUE(env.RemoveAll("/d/x").ok());
  EXPECT_FALSE(env.Exists("/d/x/f"));
  EXPECT_EQ(*env.ListDir("/d"), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(absl::IsNotFound(env.RemoveFile("/d/zz")));
}

TEST(FaultEnvTest, FailedSyncKeepsDataUnsynced) {
  FaultEnv env;
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  auto f = env.NewWritableFile("/d/a");
  ASSERT_TRUE((*f)->Append("abc").ok());
  env.FailSyncs(true);
  EXPECT_FALSE((*f)->Sync().ok());
  env.SimulateCrash();
  EXPECT_EQ(*env.Contents("/d/a"), "");
}

}  // namespace
}  // namespace pharos::disk
