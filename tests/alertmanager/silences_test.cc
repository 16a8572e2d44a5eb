#include "alertmanager/silences.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "alertmanager/state_file.h"
#include "disk/env.h"
#include "disk/fault_env.h"

namespace pharos::am {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

// Silences over an in-memory Env with a clock the test moves.
class SilencesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDirs("/data").ok()); }

  std::unique_ptr<Silences> Open(absl::Duration retention = absl::Hours(120)) {
    SilencesOptions o;
    o.dir = "/data";
    o.env = &env_;
    o.retention = retention;
    o.clock = [this] { return now_; };
    auto s = Silences::Open(o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  static Silence Make(std::vector<SilenceMatcher> ms, absl::Time start, absl::Time end) {
    Silence s;
    s.matchers = std::move(ms);
    s.starts_at = start;
    s.ends_at = end;
    s.created_by = "me";
    s.comment = "why";
    return s;
  }
  static SilenceMatcher Eq(std::string n, std::string v) { return {MatchType::kEqual, std::move(n), std::move(v)}; }
  static SilenceMatcher Re(std::string n, std::string v) { return {MatchType::kRegexMatch, std::move(n), std::move(v)}; }

  std::string MustSet(Silences& s, Silence sil) {
    auto id = s.Set(std::move(sil));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  // Records in /data/silences (live or superseded); UINT64_MAX when it does not scan cleanly.
  uint64_t RecordsOnDisk() {
    auto scan = ScanStateFile(*env_.Contents("/data/silences"), StateKind::kSilences,
                              [](StateRecordType, std::string_view) { return absl::OkStatus(); });
    return scan.ok() && !scan->corrupt ? scan->records : UINT64_MAX;
  }

  disk::FaultEnv env_;
  absl::Time now_ = kT0;
};

TEST_F(SilencesTest, ValidationErrorsUseAlertmanagerWords) {
  auto s = Open();
  absl::Time end = kT0 + absl::Hours(1);
  struct Case {
    Silence silence;
    std::string error;
  };
  std::vector<Case> cases = {
      {Make({}, kT0, end), "silence invalid: at least one matcher required"},
      {Make({Eq("", "x")}, kT0, end), "silence invalid: invalid label matcher 0: invalid label name \"\""},
      {Make({Eq("a", "x"), Eq("0bad", "x")}, kT0, end),
       "silence invalid: invalid label matcher 1: invalid label name \"0bad\""},
      {Make({Eq("a", "\xff")}, kT0, end), "silence invalid: invalid label matcher 0: invalid label value \"\\xff\""},
      {Make({Re("a", "(")}, kT0, end), "silence invalid: invalid label matcher 0: invalid regular expression \"(\": "},
      {Make({Eq("a", "")}, kT0, end), "silence invalid: at least one matcher must not match the empty string"},
      {Make({Re("a", ".*"), Re("b", "x|")}, kT0, end),
       "silence invalid: at least one matcher must not match the empty string"},
      {Make({Eq("a", "x")}, end, kT0), "start time must be before end time"},
      {Make({Eq("a", "x")}, kT0, kT0), "start time must be before end time"},
      {Make({Eq("a", "x")}, kT0 - absl::Hours(2), kT0 - absl::Seconds(1)), "end time can't be in the past"},
  };
  for (const Case& c : cases) {
    auto id = s->Set(c.silence);
    ASSERT_FALSE(id.ok()) << c.error;
    EXPECT_TRUE(absl::IsInvalidArgument(id.status())) << id.status();
    EXPECT_EQ(std::string(id.status().message()).substr(0, c.error.size()), c.error) << id.status();
  }
  EXPECT_EQ(s->Size(), 0u);

  // 0.25 counts only = and =~ as matching the empty string: a != alone is accepted.
  EXPECT_TRUE(s->Set(Make({{MatchType::kNotEqual, "a", "x"}}, kT0, end)).ok());
  EXPECT_TRUE(s->Set(Make({Eq("a", ""), Eq("b", "y")}, kT0, end)).ok());

  auto unknown = s->Set([&] {
    Silence x = Make({Eq("a", "x")}, kT0, end);
    x.id = "no-such-id";
    return x;
  }());
  EXPECT_TRUE(absl::IsNotFound(unknown.status())) << unknown.status();
}

TEST_F(SilencesTest, CreateAssignsUuidAndClampsStart) {
  auto s = Open();
  uint64_t v0 = s->Version();
  std::string id = MustSet(*s, Make({Eq("a", "x")}, kT0 - absl::Hours(1), kT0 + absl::Hours(1)));
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  auto got = s->Get(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->silence.starts_at, kT0);  // in the past: now
  EXPECT_EQ(got->silence.updated_at, kT0);
  EXPECT_EQ(got->silence.created_by, "me");
  EXPECT_EQ(got->state, SilenceState::kActive);
  EXPECT_EQ(s->Version(), v0 + 1);
  EXPECT_NE(MustSet(*s, Make({Eq("a", "x")}, kT0, kT0 + absl::Hours(1))), id);
  EXPECT_TRUE(absl::IsNotFound(s->Get("nope").status()));
}

TEST_F(SilencesTest, StatesFollowTheClock) {
  auto s = Open();
  absl::Time start = kT0 + absl::Minutes(10);
  absl::Time end = kT0 + absl::Minutes(20);
  std::string id = MustSet(*s, Make({Eq("a", "x")}, start, end));
  EXPECT_EQ(s->Get(id)->state, SilenceState::kPending);
  now_ = start - absl::Nanoseconds(1);
  EXPECT_EQ(s->Get(id)->state, SilenceState::kPending);
  now_ = start;
  EXPECT_EQ(s->Get(id)->state, SilenceState::kActive);
  now_ = end;  // ends_at itself is still active
  EXPECT_EQ(s->Get(id)->state, SilenceState::kActive);
  now_ = end + absl::Nanoseconds(1);
  EXPECT_EQ(s->Get(id)->state, SilenceState::kExpired);
  EXPECT_EQ(SilenceStateName(SilenceState::kPending), "pending");
  EXPECT_EQ(ParseSilenceState("expired"), SilenceState::kExpired);
  EXPECT_FALSE(ParseSilenceState("gone").has_value());
}

TEST_F(SilencesTest, UpdateInPlaceWhenHistoryIsKept) {
  auto s = Open();
  std::string id = MustSet(*s, Make({Eq("a", "x")}, kT0, kT0 + absl::Hours(1)));
  uint64_t version = s->Version();
  now_ += absl::Minutes(5);
  Silence upd = s->Get(id)->silence;
  upd.ends_at = kT0 + absl::Hours(3);
  upd.comment = "longer";
  upd.starts_at += absl::Milliseconds(400);  // same second: as read back through the API
  EXPECT_EQ(MustSet(*s, upd), id);
  auto got = s->Get(id);
  EXPECT_EQ(got->silence.ends_at, kT0 + absl::Hours(3));
  EXPECT_EQ(got->silence.comment, "longer");
  EXPECT_EQ(got->silence.updated_at, now_);
  EXPECT_EQ(s->Size(), 1u);
  EXPECT_EQ(s->Version(), version);  // only additions bump the version

  // A pending silence may move as long as it does not start in the past.
  std::string pid = MustSet(*s, Make({Eq("b", "y")}, now_ + absl::Hours(1), now_ + absl::Hours(2)));
  Silence p = s->Get(pid)->silence;
  p.starts_at = now_ + absl::Minutes(30);
  EXPECT_EQ(MustSet(*s, p), pid);
  EXPECT_EQ(s->Get(pid)->silence.starts_at, now_ + absl::Minutes(30));
}

TEST_F(SilencesTest, ChangesThatRewriteHistoryExpireAndCreate) {
  auto s = Open();
  std::string id = MustSet(*s, Make({Eq("a", "x")}, kT0, kT0 + absl::Hours(1)));
  now_ += absl::Minutes(5);

  // New matchers on an active silence.
  Silence changed = s->Get(id)->silence;
  changed.matchers = {Eq("a", "y")};
  std::string id2 = MustSet(*s, changed);
  EXPECT_NE(id2, id);
  EXPECT_EQ(s->Get(id)->silence.ends_at, now_);  // the old one ended now
  EXPECT_EQ(s->Get(id)->silence.matchers, std::vector<SilenceMatcher>{Eq("a", "x")});
  EXPECT_EQ(s->Get(id2)->silence.starts_at, now_);  // clamped
  EXPECT_EQ(s->Get(id2)->silence.matchers, std::vector<SilenceMatcher>{Eq("a", "y")});
  now_ += absl::Seconds(1);
  EXPECT_EQ(s->Get(id)->state, SilenceState::kExpired);
  EXPECT_EQ(s->Get(id2)->state, SilenceState::kActive);

  // A different start for an active silence.
  Silence moved = s->Get(id2)->silence;
  moved.starts_at = now_ + absl::Minutes(10);
  std::string id3 = MustSet(*s, moved);
  EXPECT_NE(id3, id2);
  EXPECT_EQ(s->Get(id3)->state, SilenceState::kPending);
  EXPECT_EQ(s->Get(id2)->silence.ends_at, now_);

  // A pending silence moved into the past: the old one gets starts = ends = now.
  Silence early = s->Get(id3)->silence;
  early.starts_at = now_ - absl::Minutes(1);
  std::string id4 = MustSet(*s, early);
  EXPECT_NE(id4, id3);
  EXPECT_EQ(s->Get(id3)->silence.starts_at, now_);
  EXPECT_EQ(s->Get(id3)->silence.ends_at, now_);
  EXPECT_EQ(s->Get(id4)->silence.starts_at, now_);

  // Updating an expired silence creates a new one and leaves the old as it was.
  const Silence expired = s->Get(id)->silence;
  Silence revived = expired;
  revived.ends_at = now_ + absl::Hours(1);
  std::string id5 = MustSet(*s, revived);
  EXPECT_NE(id5, id);
  EXPECT_EQ(s->Get(id)->silence, expired);
  EXPECT_EQ(s->Get(id)->silence.ends_at, kT0 + absl::Minutes(5));
  EXPECT_EQ(s->Get(id5)->state, SilenceState::kActive);
  EXPECT_EQ(s->Size(), 5u);
}

TEST_F(SilencesTest, ExpireRules) {
  auto s = Open();
  std::string active = MustSet(*s, Make({Eq("a", "x")}, kT0, kT0 + absl::Hours(1)));
  std::string pending = MustSet(*s, Make({Eq("a", "y")}, kT0 + absl::Hours(1), kT0 + absl::Hours(2)));
  now_ += absl::Minutes(1);
  ASSERT_TRUE(s->Expire(active).ok());
  EXPECT_EQ(s->Get(active)->silence.ends_at, now_);
  EXPECT_EQ(s->Get(active)->silence.updated_at, now_);
  ASSERT_TRUE(s->Expire(pending).ok());
  EXPECT_EQ(s->Get(pending)->silence.starts_at, now_);
  EXPECT_EQ(s->Get(pending)->silence.ends_at, now_);
  now_ += absl::Seconds(1);
  EXPECT_EQ(s->Get(active)->state, SilenceState::kExpired);
  EXPECT_EQ(s->Get(pending)->state, SilenceState::kExpired);
  absl::Status again = s->Expire(active);
  EXPECT_TRUE(absl::IsFailedPrecondition(again)) << again;
  EXPECT_EQ(again.message(), "silence " + active + " already expired");
  EXPECT_TRUE(absl::IsNotFound(s->Expire("nope")));
}

TEST_F(SilencesTest, QueryFiltersAndApiOrder) {
  auto s = Open();
  std::string a1 = MustSet(*s, Make({Eq("team", "a")}, kT0, kT0 + absl::Hours(3)));
  std::string a2 = MustSet(*s, Make({Eq("team", "b"), Re("job", "api|web")}, kT0, kT0 + absl::Hours(1)));
  std::string p1 = MustSet(*s, Make({Eq("team", "a")}, kT0 + absl::Hours(2), kT0 + absl::Hours(4)));
  std::string p2 = MustSet(*s, Make({Eq("team", "c")}, kT0 + absl::Hours(1), kT0 + absl::Hours(4)));
  std::string e1 = MustSet(*s, Make({Eq("team", "a")}, kT0, kT0 + absl::Hours(1)));
  now_ += absl::Minutes(1);
  ASSERT_TRUE(s->Expire(e1).ok());
  now_ += absl::Minutes(1);
  std::string e2 = MustSet(*s, Make({Eq("team", "d")}, kT0, kT0 + absl::Hours(1)));
  ASSERT_TRUE(s->Expire(e2).ok());
  now_ += absl::Minutes(1);

  auto ids = [](const std::vector<SilenceView>& v) {
    std::vector<std::string> out;
    for (const auto& x : v) out.push_back(x.silence.id);
    return out;
  };
  // Active by end, pending by start, expired most recent first.
  EXPECT_EQ(ids(s->Query({})), (std::vector<std::string>{a2, a1, p2, p1, e2, e1}));

  SilenceQuery by_state;
  by_state.states = {SilenceState::kPending, SilenceState::kExpired};
  EXPECT_EQ(ids(s->Query(by_state)), (std::vector<std::string>{p2, p1, e2, e1}));

  SilenceQuery by_id;
  by_id.ids = {e1, a1, "missing", a1};
  EXPECT_EQ(ids(s->Query(by_id)), (std::vector<std::string>{a1, e1}));

  SilenceQuery by_labels;
  by_labels.matches = LabelSet{{"team", "b"}, {"job", "web"}};
  EXPECT_EQ(ids(s->Query(by_labels)), std::vector<std::string>{a2});
  by_labels.matches = LabelSet{{"team", "b"}, {"job", "webx"}};  // anchored
  EXPECT_TRUE(s->Query(by_labels).empty());

  SilenceQuery by_filter;
  by_filter.filter = {Eq("team", "a")};
  EXPECT_EQ(ids(s->Query(by_filter)), (std::vector<std::string>{a1, p1, e1}));
  by_filter.filter = {Re("job", "api|web"), Eq("team", "b")};
  EXPECT_EQ(ids(s->Query(by_filter)), std::vector<std::string>{a2});
  by_filter.filter = {Eq("job", "api|web")};  // type must match too
  EXPECT_TRUE(s->Query(by_filter).empty());
  by_filter.filter = {Eq("team", "a")};
  by_filter.states = {SilenceState::kActive};
  EXPECT_EQ(ids(s->Query(by_filter)), std::vector<std::string>{a1});
}

TEST_F(SilencesTest, MutedByActiveMatchingSilences) {
  int n = 0;
  SilencesOptions o;
  o.dir = "/data";
  o.env = &env_;
  o.clock = [this] { return now_; };
  o.new_id = [&n] { return "id" + std::to_string(n++); };  // ids in creation order
  auto opened = Silences::Open(o);
  ASSERT_TRUE(opened.ok());
  Silences& s = **opened;
  MustSet(s, Make({Eq("alertname", "Disk"), {MatchType::kNotEqual, "env", "dev"}}, kT0, kT0 + absl::Hours(1)));
  MustSet(s, Make({Re("instance", "db-[0-9]+")}, kT0, kT0 + absl::Hours(1)));
  MustSet(s, Make({Eq("alertname", "Disk")}, kT0 + absl::Hours(1), kT0 + absl::Hours(2)));  // pending
  MustSet(s, Make({{MatchType::kRegexNoMatch, "severity", "page|critical"}}, kT0, kT0 + absl::Hours(1)));

  LabelSet disk = {{"alertname", "Disk"}, {"instance", "db-12"}, {"severity", "page"}};
  EXPECT_EQ(s.MutedBy(disk, now_), (std::vector<std::string>{"id0", "id1"}));
  LabelSet dev = {{"alertname", "Disk"}, {"env", "dev"}, {"instance", "db-1x"}, {"severity", "critical"}};
  EXPECT_TRUE(s.MutedBy(dev, now_).empty());
  // A missing label reads as "": != "dev" and !~ "page|critical" both match it.
  EXPECT_EQ(s.MutedBy({{"alertname", "Disk"}}, now_), (std::vector<std::string>{"id0", "id3"}));
  // Later the first two have ended and the pending one is active.
  EXPECT_EQ(s.MutedBy(disk, kT0 + absl::Minutes(90)), std::vector<std::string>{"id2"});
  // Expired by Expire().
  ASSERT_TRUE(s.Expire("id1").ok());
  EXPECT_EQ(s.MutedBy(disk, now_ + absl::Seconds(1)), std::vector<std::string>{"id0"});

  // Through the Muter interface.
  Muter* muter = &s;
  EXPECT_EQ(muter->MutedBy({{"instance", "db-7"}, {"severity", "page"}}, now_), std::vector<std::string>{"id1"});
}

TEST_F(SilencesTest, GarbageCollectionAfterRetention) {
  auto s = Open(absl::Hours(10));
  std::string a = MustSet(*s, Make({Eq("a", "x")}, kT0, kT0 + absl::Hours(1)));
  std::string b = MustSet(*s, Make({Eq("a", "y")}, kT0, kT0 + absl::Hours(5)));
  now_ = kT0 + absl::Hours(11) - absl::Nanoseconds(1);
  EXPECT_EQ(s->GC(), 0);
  now_ = kT0 + absl::Hours(11);  // ends_at + retention: deleted
  EXPECT_EQ(s->GC(), 1);
  EXPECT_TRUE(absl::IsNotFound(s->Get(a).status()));
  EXPECT_TRUE(s->Get(b).ok());
  ASSERT_TRUE(s->Maintenance().ok());
  // After compaction the file holds only b.
  EXPECT_EQ(RecordsOnDisk(), 1u);
  // A restart at a time when b is past retention too loads nothing.
  now_ = kT0 + absl::Hours(15);
  s.reset();
  s = Open(absl::Hours(10));
  EXPECT_EQ(s->Size(), 0u);
}

TEST_F(SilencesTest, RestartSeesEverything) {
  std::vector<SilenceView> before;
  {
    auto s = Open();
    std::string a = MustSet(*s, Make({Eq("a", "x"), Re("b", "y+")}, kT0, kT0 + absl::Hours(1)));
    MustSet(*s, Make({Eq("c", "z")}, kT0 + absl::Hours(1), kT0 + absl::Hours(2)));
    now_ += absl::Minutes(1);
    Silence upd = s->Get(a)->silence;
    upd.comment = "updated";
    upd.ends_at += absl::Hours(1);
    MustSet(*s, upd);
    Silence changed = upd;
    changed.matchers.pop_back();
    MustSet(*s, changed);  // expires a, creates another
    before = s->Query({});
    ASSERT_EQ(before.size(), 3u);
  }
  env_.SimulateCrash();  // only what was synced survives
  auto s = Open();
  auto after = s->Query({});
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].silence, before[i].silence) << i;
    EXPECT_EQ(after[i].state, before[i].state) << i;
  }
  // Muting works from the loaded state.
  std::string replacement;
  for (const auto& v : before) {
    if (v.silence.matchers == std::vector<SilenceMatcher>{Eq("a", "x")}) replacement = v.silence.id;
  }
  EXPECT_EQ(s->MutedBy({{"a", "x"}}, now_ + absl::Seconds(1)), std::vector<std::string>{replacement});
  EXPECT_EQ(s->MutedBy({{"c", "z"}}, kT0 + absl::Minutes(90)).size(), 1u);
}

TEST_F(SilencesTest, CorruptTailLoadsTheGoodPrefix) {
  std::string first;
  {
    auto s = Open();
    first = MustSet(*s, Make({Eq("a", "x")}, kT0, kT0 + absl::Hours(1)));
    MustSet(*s, Make({Eq("a", "y")}, kT0, kT0 + absl::Hours(1)));
  }
  std::string data = *env_.Contents("/data/silences");
  data[data.size() - 3] ^= 0x40;  // inside the second record
  env_.SetContents("/data/silences", data);
  auto s = Open();
  ASSERT_NE(s, nullptr);
  auto all = s->Query({});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].silence.id, first);
  EXPECT_EQ(*env_.Contents("/data/silences.corrupt"), data);
  // New changes append to a clean file and survive another restart.
  std::string third = MustSet(*s, Make({Eq("a", "z")}, kT0, kT0 + absl::Hours(1)));
  s.reset();
  s = Open();
  EXPECT_EQ(s->Size(), 2u);
  EXPECT_TRUE(s->Get(third).ok());
}

TEST_F(SilencesTest, ForeignFileFailsOpenWithPathAndOffset) {
  env_.SetContents("/data/silences", "\x0a\x24 an Alertmanager protobuf snapshot");
  SilencesOptions o;
  o.dir = "/data";
  o.env = &env_;
  auto s = Silences::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/data/silences: offset 0"), std::string::npos) << s.status();
}

TEST_F(SilencesTest, FailedSyncLeavesStateUnchanged) {
  auto s = Open();
  std::string a = MustSet(*s, Make({Eq("a", "x")}, kT0, kT0 + absl::Hours(1)));
  uint64_t version = s->Version();
  env_.FailSyncs(true);
  auto created = s->Set(Make({Eq("a", "y")}, kT0, kT0 + absl::Hours(1)));
  EXPECT_FALSE(created.ok());
  Silence changed = s->Get(a)->silence;
  changed.matchers = {Eq("a", "changed")};
  EXPECT_FALSE(s->Set(changed).ok());
  EXPECT_FALSE(s->Expire(a).ok());
  EXPECT_EQ(s->Size(), 1u);
  EXPECT_EQ(s->Version(), version);
  EXPECT_EQ(s->Get(a)->silence.ends_at, kT0 + absl::Hours(1));
  EXPECT_EQ(s->MutedBy({{"a", "x"}}, now_), std::vector<std::string>{a});

  // The disk recovers: the next change rewrites the file, and a crash after
  // it shows exactly the acknowledged state.
  env_.FailSyncs(false);
  std::string b = MustSet(*s, Make({Eq("b", "1")}, kT0, kT0 + absl::Hours(1)));
  env_.SimulateCrash();
  s = Open();
  ASSERT_EQ(s->Size(), 2u);
  EXPECT_TRUE(s->Get(a).ok());
  EXPECT_TRUE(s->Get(b).ok());
  EXPECT_EQ(s->Get(a)->silence.ends_at, kT0 + absl::Hours(1));
}

TEST_F(SilencesTest, FullDiskLeavesStateUnchanged) {
  auto s = Open();
  std::string a = MustSet(*s, Make({Eq("a", "x")}, kT0, kT0 + absl::Hours(1)));
  env_.LimitToUsedPlus(10);
  auto created = s->Set(Make({Eq("a", "y")}, kT0, kT0 + absl::Hours(1)));
  ASSERT_FALSE(created.ok());
  EXPECT_TRUE(absl::IsUnavailable(created.status())) << created.status();
  EXPECT_EQ(s->Size(), 1u);
  env_.SetSpaceLimit(UINT64_MAX);
  std::string b = MustSet(*s, Make({Eq("a", "y")}, kT0, kT0 + absl::Hours(1)));
  s = Open();
  EXPECT_EQ(s->Size(), 2u);
  EXPECT_TRUE(s->Get(b).ok());
}

TEST_F(SilencesTest, LogIsCompactedAsItGrows) {
  auto s = Open();
  std::string id = MustSet(*s, Make({Eq("a", "x")}, kT0, kT0 + absl::Hours(1)));
  for (int i = 0; i < 3000; ++i) {
    Silence upd = s->Get(id)->silence;
    upd.comment = "edit " + std::to_string(i);
    ASSERT_EQ(MustSet(*s, upd), id);
  }
  // Without compaction the file would hold 3001 records.
  EXPECT_LE(RecordsOnDisk(), 1100u);
  s = Open();
  EXPECT_EQ(s->Get(id)->silence.comment, "edit 2999");
}

TEST_F(SilencesTest, ConcurrentWritersAndReaders) {
  auto s = Open();
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      (void)s->MutedBy({{"a", "x"}}, now_);
      (void)s->Query({});
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto id = s->Set(Make({Eq("a", "x"), Eq("w", std::to_string(t))}, kT0, kT0 + absl::Hours(1)));
        ASSERT_TRUE(id.ok()) << id.status();
        if (i % 2 == 0) {
          ASSERT_TRUE(s->Expire(*id).ok());
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  reader.join();
  EXPECT_EQ(s->Size(), 150u);
  // Expire() ends a silence now; it is expired right after.
  EXPECT_EQ(s->MutedBy({{"a", "x"}, {"w", "1"}}, now_ + absl::Nanoseconds(1)).size(), 25u);
  s = Open();
  EXPECT_EQ(s->Size(), 150u);
}

TEST(SilencesPosixTest, RoundTripOnARealDirectory) {
  std::string dir = ::testing::TempDir() + "/pharos_silences_test_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::string id;
  {
    SilencesOptions o;
    o.dir = dir + "/am";
    auto s = Silences::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    Silence sil;
    sil.matchers = {{MatchType::kEqual, "job", "node"}};
    sil.starts_at = absl::Now();
    sil.ends_at = absl::Now() + absl::Hours(1);
    auto set = (*s)->Set(sil);
    ASSERT_TRUE(set.ok()) << set.status();
    id = *set;
  }
  SilencesOptions o;
  o.dir = dir + "/am";
  auto s = Silences::Open(o);
  ASSERT_TRUE(s.ok()) << s.status();
  auto got = (*s)->Get(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, SilenceState::kActive);
  EXPECT_EQ((*s)->MutedBy({{"job", "node"}}, absl::Now()), std::vector<std::string>{id});
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pharos::am
