#include "app/command_line.h"

#include <gtest/gtest.h>

namespace pharos::app {
namespace {

absl::StatusOr<CommandLine> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "pharos");
  return ParseCommandLine(static_cast<int>(args.size()), args.data());
}

TEST(CommandLine, AcceptsTheGuidesPrometheusCommandLine) {
  auto cl = Parse({"--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                   "--storage.tsdb.retention.time=30d"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(cl->kind, CommandLine::Kind::kServer);
  EXPECT_EQ(cl->flags.config_file, "/etc/prometheus/prometheus.yml");
  EXPECT_EQ(cl->flags.tsdb_path, "/prometheus");
  EXPECT_EQ(cl->flags.retention_ms, 30LL * 86400 * 1000);
}

TEST(CommandLine, AcceptsSpaceSeparatedValuesAndBoolFlags) {
  auto cl = Parse({"--web.listen-address", "127.0.0.1:9999", "--web.enable-lifecycle",
                   "--web.enable-admin-api", "--web.enable-remote-write-receiver",
                   "--web.console.templates=/etc/prometheus/consoles", "--log.format=json"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(cl->flags.listen_address, "127.0.0.1:9999");
  EXPECT_TRUE(cl->flags.enable_lifecycle);
  EXPECT_TRUE(cl->flags.enable_admin_api);
  EXPECT_EQ(cl->flags.log_format, "json");
}

TEST(CommandLine, DefaultsRetentionTo15DaysUnlessSizeIsSet) {
  auto cl = Parse({});
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->flags.retention_ms, 15LL * 86400 * 1000);
  cl = Parse({"--storage.tsdb.retention.size=512MB"});
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->flags.retention_ms, 0);
  EXPECT_EQ(cl->flags.retention_bytes, 512LL << 20);
}

TEST(CommandLine, FsyncPolicies) {
  EXPECT_EQ(Parse({"--storage.wal.fsync=never"})->flags.wal_fsync, FsyncPolicy::kNever);
  auto cl = Parse({"--storage.wal.fsync=1s"});
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->flags.wal_fsync, FsyncPolicy::kInterval);
  EXPECT_EQ(cl->flags.wal_fsync_interval_ms, 1000);
  EXPECT_FALSE(Parse({"--storage.wal.fsync=sometimes"}).ok());
}

TEST(CommandLine, ErrorsNameTheFlag) {
  auto cl = Parse({"--storage.tsdb.retention.time=30x"});
  ASSERT_FALSE(cl.ok());
  EXPECT_NE(cl.status().message().find("--storage.tsdb.retention.time"), std::string::npos);
  cl = Parse({"--no.such.flag=1"});
  ASSERT_FALSE(cl.ok());
  EXPECT_NE(cl.status().message().find("no.such.flag"), std::string::npos);
  EXPECT_FALSE(Parse({"--log.level=loud"}).ok());
}

TEST(CommandLine, CheckConfigSubcommand) {
  auto cl = Parse({"check", "config", "a.yml", "b.yml"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(cl->kind, CommandLine::Kind::kCheckConfig);
  EXPECT_EQ(cl->args, (std::vector<std::string>{"a.yml", "b.yml"}));
}

TEST(ParseBytes, Units) {
  EXPECT_EQ(*ParseBytes("512MB"), 512LL << 20);
  EXPECT_EQ(*ParseBytes("1GB"), 1LL << 30);
  EXPECT_EQ(*ParseBytes("100"), 100);
  EXPECT_EQ(*ParseBytes("2KiB"), 2048);
  EXPECT_FALSE(ParseBytes("12XB").ok());
  EXPECT_FALSE(ParseBytes("MB").ok());
}

}  // namespace
}  // namespace pharos::app
