#include "alertmanager/nflog.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "alertmanager/state_file.h"
#include "disk/fault_env.h"

namespace pharos::am {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

class NflogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDirs("/data").ok()); }

  std::unique_ptr<Nflog> Open(absl::Duration retention = absl::Hours(120)) {
    NflogOptions o;
    o.dir = "/data";
    o.env = &env_;
    o.retention = retention;
    o.clock = [this] { return now_; };
    auto n = Nflog::Open(o);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? std::move(*n) : nullptr;
  }

  disk::FaultEnv env_;
  absl::Time now_ = kT0;
  const ReceiverKey hook_{"team-a", "webhook", 0};
  const std::string group_ = "{}/{severity=\"page\"}:{alertname=\"Disk\"}";
};

TEST_F(NflogTest, LogThenQuery) {
  auto n = Open();
  EXPECT_FALSE(n->Query(hook_, group_).has_value());
  ASSERT_TRUE(n->Log(hook_, group_, {3, 1}, {7}, absl::Hours(8)).ok());
  auto e = n->Query(hook_, group_);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->group_key, group_);
  EXPECT_EQ(e->receiver, hook_);
  EXPECT_EQ(e->timestamp, kT0);
  EXPECT_EQ(e->firing_alerts, (std::vector<uint64_t>{3, 1}));
  EXPECT_EQ(e->resolved_alerts, std::vector<uint64_t>{7});
  EXPECT_EQ(e->expires_at, kT0 + absl::Hours(8));

  // Entries are per group and per integration (name, type, index).
  EXPECT_FALSE(n->Query(hook_, "{}:{other=\"x\"}").has_value());
  EXPECT_FALSE(n->Query({"team-a", "webhook", 1}, group_).has_value());
  EXPECT_FALSE(n->Query({"team-a", "email", 0}, group_).has_value());
  EXPECT_FALSE(n->Query({"team-b", "webhook", 0}, group_).has_value());

  // A later Log replaces the entry.
  now_ += absl::Minutes(5);
  ASSERT_TRUE(n->Log(hook_, group_, {}, {3, 1}, absl::Hours(8)).ok());
  e = n->Query(hook_, group_);
  EXPECT_EQ(e->timestamp, now_);
  EXPECT_TRUE(e->firing_alerts.empty());
  EXPECT_EQ(e->resolved_alerts, (std::vector<uint64_t>{3, 1}));
  EXPECT_EQ(n->Size(), 1u);
  EXPECT_EQ(Nflog::Key(hook_, group_), group_ + ":team-a/webhook/0");
}

TEST_F(NflogTest, ExpiryIsCappedByRetention) {
  auto n = Open(absl::Hours(10));
  ReceiverKey r1{"r", "webhook", 1}, r2{"r", "webhook", 2}, r3{"r", "webhook", 3};
  ASSERT_TRUE(n->Log(r1, group_, {1}, {}, absl::Hours(2)).ok());
  ASSERT_TRUE(n->Log(r2, group_, {1}, {}, absl::ZeroDuration()).ok());
  ASSERT_TRUE(n->Log(r3, group_, {1}, {}, absl::Hours(20)).ok());
  EXPECT_EQ(n->Query(r1, group_)->expires_at, kT0 + absl::Hours(2));
  EXPECT_EQ(n->Query(r2, group_)->expires_at, kT0 + absl::Hours(10));
  EXPECT_EQ(n->Query(r3, group_)->expires_at, kT0 + absl::Hours(10));
}

TEST_F(NflogTest, ExpiredEntriesAreGoneAndCollected) {
  auto n = Open();
  ASSERT_TRUE(n->Log(hook_, group_, {1}, {}, absl::Hours(1)).ok());
  ASSERT_TRUE(n->Log(hook_, "other", {1}, {}, absl::Hours(3)).ok());
  now_ = kT0 + absl::Hours(1) - absl::Nanoseconds(1);
  EXPECT_TRUE(n->Query(hook_, group_).has_value());
  EXPECT_EQ(n->GC(), 0);
  now_ = kT0 + absl::Hours(1);
  EXPECT_FALSE(n->Query(hook_, group_).has_value());
  EXPECT_EQ(n->GC(), 1);
  EXPECT_EQ(n->Size(), 1u);
  ASSERT_TRUE(n->Maintenance().ok());
  int records = 0;
  auto scan = ScanStateFile(*env_.Contents("/data/nflog"), StateKind::kNflog, [&](StateRecordType, std::string_view) {
    ++records;
    return absl::OkStatus();
  });
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(records, 1);
}

TEST_F(NflogTest, AnEntryFromTheFutureIsNotOverwritten) {
  auto n = Open();
  now_ = kT0 + absl::Minutes(10);
  ASSERT_TRUE(n->Log(hook_, group_, {1}, {}, absl::Hours(1)).ok());
  now_ = kT0;  // the clock stepped back
  ASSERT_TRUE(n->Log(hook_, group_, {2}, {}, absl::Hours(1)).ok());
  EXPECT_EQ(n->Query(hook_, group_)->firing_alerts, std::vector<uint64_t>{1});
  now_ = kT0 + absl::Minutes(10);  // the same instant does replace it
  ASSERT_TRUE(n->Log(hook_, group_, {3}, {}, absl::Hours(1)).ok());
  EXPECT_EQ(n->Query(hook_, group_)->firing_alerts, std::vector<uint64_t>{3});
}

TEST_F(NflogTest, RestartKeepsWhatWasSent) {
  {
    auto n = Open();
    ASSERT_TRUE(n->Log(hook_, group_, {1, 2}, {}, absl::Hours(8)).ok());
    now_ += absl::Minutes(1);
    ASSERT_TRUE(n->Log(hook_, group_, {1}, {2}, absl::Hours(8)).ok());
    ASSERT_TRUE(n->Log({"team-b", "email", 0}, group_, {9}, {}, absl::Minutes(30)).ok());
  }
  env_.SimulateCrash();
  now_ += absl::Minutes(40);  // the email entry has expired meanwhile
  auto n = Open();
  EXPECT_EQ(n->Size(), 1u);
  auto e = n->Query(hook_, group_);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->timestamp, kT0 + absl::Minutes(1));
  EXPECT_EQ(e->firing_alerts, std::vector<uint64_t>{1});
  EXPECT_EQ(e->resolved_alerts, std::vector<uint64_t>{2});
  EXPECT_EQ(e->expires_at, kT0 + absl::Minutes(1) + absl::Hours(8));
  EXPECT_FALSE(n->Query({"team-b", "email", 0}, group_).has_value());
}

TEST_F(NflogTest, FailedWriteLeavesTheLogUnchanged) {
  auto n = Open();
  ASSERT_TRUE(n->Log(hook_, group_, {1}, {}, absl::Hours(8)).ok());
  env_.FailSyncs(true);
  now_ += absl::Minutes(1);
  absl::Status s = n->Log(hook_, group_, {2}, {}, absl::Hours(8));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/data/nflog"), std::string::npos) << s;
  EXPECT_EQ(n->Query(hook_, group_)->firing_alerts, std::vector<uint64_t>{1});
  EXPECT_FALSE(n->Log({"x", "webhook", 0}, group_, {2}, {}, absl::Hours(8)).ok());
  EXPECT_EQ(n->Size(), 1u);
  env_.FailSyncs(false);
  ASSERT_TRUE(n->Log({"x", "webhook", 0}, group_, {5}, {}, absl::Hours(8)).ok());
  env_.SimulateCrash();
  n = Open();
  EXPECT_EQ(n->Size(), 2u);
  EXPECT_EQ(n->Query(hook_, group_)->firing_alerts, std::vector<uint64_t>{1});
  EXPECT_EQ(n->Query({"x", "webhook", 0}, group_)->firing_alerts, std::vector<uint64_t>{5});
}

TEST_F(NflogTest, CorruptTailKeepsTheGoodEntries) {
  {
    auto n = Open();
    ASSERT_TRUE(n->Log(hook_, group_, {1}, {}, absl::Hours(8)).ok());
    ASSERT_TRUE(n->Log(hook_, "second", {1}, {}, absl::Hours(8)).ok());
  }
  std::string data = *env_.Contents("/data/nflog");
  env_.SetContents("/data/nflog", data.substr(0, data.size() - 4));  // torn last record
  auto n = Open();
  EXPECT_TRUE(n->Query(hook_, group_).has_value());
  EXPECT_FALSE(n->Query(hook_, "second").has_value());
  ASSERT_TRUE(n->Log(hook_, "third", {1}, {}, absl::Hours(8)).ok());
  n = Open();
  EXPECT_EQ(n->Size(), 2u);
}

TEST_F(NflogTest, SilencesFileIsNotAnNflog) {
  env_.SetContents("/data/nflog", StateFileHeader(StateKind::kSilences));
  NflogOptions o;
  o.dir = "/data";
  o.env = &env_;
  auto n = Nflog::Open(o);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("/data/nflog: offset 5"), std::string::npos) << n.status();
}

TEST_F(NflogTest, ConcurrentLogAndQuery) {
  auto n = Open();
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        ReceiverKey r{"r", "webhook", t};
        ASSERT_TRUE(n->Log(r, "g" + std::to_string(i % 10), {static_cast<uint64_t>(i)}, {}, absl::Hours(1)).ok());
        (void)n->Query(r, "g0");
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(n->Size(), 40u);
  n = Open();
  EXPECT_EQ(n->Size(), 40u);
  EXPECT_EQ(n->Query({"r", "webhook", 2}, "g9")->firing_alerts, std::vector<uint64_t>{39});
}

}  // namespace
}  // namespace pharos::am
