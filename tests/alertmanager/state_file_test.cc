#include "alertmanager/state_file.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "disk/env.h"
#include "disk/fault_env.h"

namespace pharos::am {
namespace {

Silence SampleSilence() {
  Silence s;
  s.id = "0a1b2c3d-0000-4000-8000-000000000001";
  s.matchers = {{MatchType::kEqual, "alertname", "Disk"},
                {MatchType::kNotEqual, "env", "dev"},
                {MatchType::kRegexMatch, "job", "api|web"},
                {MatchType::kRegexNoMatch, "zone", "eu-.*"}};
  s.starts_at = absl::FromUnixSeconds(1700000000);
  s.ends_at = absl::FromUnixSeconds(1700003600) + absl::Nanoseconds(7);
  s.updated_at = absl::FromUnixSeconds(1699999999);
  s.created_by = "ops";
  s.comment = "maintenance \xe2\x9c\x93";
  return s;
}

NflogEntry SampleEntry() {
  NflogEntry e;
  e.group_key = "{}/{team=\"a\"}:{alertname=\"X\"}";
  e.receiver = {"team-a", "webhook", 3};
  e.timestamp = absl::FromUnixMillis(1700000000123);
  e.firing_alerts = {1, 0xffffffffffffffffull, 42};
  e.resolved_alerts = {7};
  e.expires_at = absl::FromUnixSeconds(1700432000);
  return e;
}

std::string SilenceRecord(const Silence& s) {
  std::string payload;
  EncodeSilence(s, &payload);
  std::string framed;
  AppendStateRecord(StateRecordType::kSilence, payload, &framed);
  return framed;
}

// Scans `data` as a silences file, collecting the ids of the records read.
absl::StatusOr<StateScan> ScanIds(std::string_view data, std::vector<std::string>* ids) {
  return ScanStateFile(data, StateKind::kSilences, [&](StateRecordType, std::string_view p) -> absl::Status {
    auto s = DecodeSilence(p);
    if (!s.ok()) return s.status();
    ids->push_back(s->id);
    return absl::OkStatus();
  });
}

TEST(StateFileTest, Crc32cKnownValues) {
  EXPECT_EQ(StateCrc32c(""), 0u);
  EXPECT_EQ(StateCrc32c("123456789"), 0xe3069283u);  // the standard check value
  EXPECT_EQ(StateCrc32c(std::string(32, '\0')), 0x8a9136aau);
}

TEST(StateFileTest, HeaderAndRecordLayout) {
  EXPECT_EQ(StateFileHeader(StateKind::kSilences), std::string("PAMS\x01\x01\x00\x00", 8));
  EXPECT_EQ(StateFileHeader(StateKind::kNflog), std::string("PAMS\x01\x02\x00\x00", 8));
  std::string framed;
  AppendStateRecord(StateRecordType::kNflogEntry, "abc", &framed);
  ASSERT_EQ(framed.size(), kStateRecordHeaderBytes + 3);
  EXPECT_EQ(framed.substr(0, 4), std::string("\x03\x00\x00\x00", 4));  // length, little-endian
  uint32_t crc = StateCrc32c(std::string("\x02" "abc", 4));            // over type and payload
  std::string crc_le;
  for (int i = 0; i < 4; ++i) crc_le.push_back(static_cast<char>(crc >> (8 * i)));
  EXPECT_EQ(framed.substr(4, 4), crc_le);
  EXPECT_EQ(framed.substr(8), "\x02" "abc");
}

TEST(StateFileTest, SilenceRoundTrip) {
  Silence s = SampleSilence();
  std::string payload;
  EncodeSilence(s, &payload);
  auto back = DecodeSilence(payload);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);

  s.starts_at = absl::InfinitePast();
  s.ends_at = absl::InfiniteFuture();
  s.matchers.clear();
  payload.clear();
  EncodeSilence(s, &payload);
  back = DecodeSilence(payload);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
}

TEST(StateFileTest, NflogEntryRoundTrip) {
  NflogEntry e = SampleEntry();
  std::string payload;
  EncodeNflogEntry(e, &payload);
  auto back = DecodeNflogEntry(payload);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->group_key, e.group_key);
  EXPECT_EQ(back->receiver, e.receiver);
  EXPECT_EQ(back->timestamp, e.timestamp);
  EXPECT_EQ(back->expires_at, e.expires_at);
  EXPECT_EQ(back->firing_alerts, e.firing_alerts);
  EXPECT_EQ(back->resolved_alerts, e.resolved_alerts);
}

TEST(StateFileTest, DecodeRefusesBadPayloads) {
  std::string payload;
  EncodeSilence(SampleSilence(), &payload);
  // Every strict prefix is refused (never read past the end).
  for (size_t n = 0; n < payload.size(); ++n) {
    EXPECT_FALSE(DecodeSilence(payload.substr(0, n)).ok()) << n;
  }
  auto trailing = DecodeSilence(payload + "x");
  EXPECT_FALSE(trailing.ok());
  EXPECT_NE(trailing.status().message().find("trailing"), std::string::npos) << trailing.status();

  // A matcher count far beyond the bytes present is refused before allocating.
  Silence empty_matchers = SampleSilence();
  empty_matchers.matchers.clear();
  std::string p2;
  EncodeSilence(empty_matchers, &p2);
  p2.pop_back();  // the count 0
  p2.append("\xff\xff\xff\xff\x0f");
  auto huge = DecodeSilence(p2);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("matchers: count 4294967295"), std::string::npos) << huge.status();

  // An unknown matcher type.
  Silence one = SampleSilence();
  one.matchers = {{MatchType::kEqual, "a", "b"}};
  std::string p3;
  EncodeSilence(one, &p3);
  p3[p3.size() - 5] = 9;  // the type byte before "a" and "b" (length-prefixed)
  auto bad_type = DecodeSilence(p3);
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("unknown matcher type 9"), std::string::npos) << bad_type.status();

  std::string p4;
  NflogEntry e = SampleEntry();
  EncodeNflogEntry(e, &p4);
  for (size_t n = 0; n < p4.size(); ++n) EXPECT_FALSE(DecodeNflogEntry(p4.substr(0, n)).ok()) << n;
}

TEST(StateFileTest, ScanReadsRecordsInOrder) {
  Silence a = SampleSilence();
  Silence b = SampleSilence();
  b.id = "b";
  std::string file = StateFileHeader(StateKind::kSilences) + SilenceRecord(a) + SilenceRecord(b);
  std::vector<std::string> ids;
  auto scan = ScanIds(file, &ids);
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_FALSE(scan->corrupt);
  EXPECT_EQ(scan->records, 2u);
  EXPECT_EQ(scan->good_bytes, file.size());
  EXPECT_EQ(ids, (std::vector<std::string>{a.id, "b"}));
}

TEST(StateFileTest, ScanStopsAtTheFirstBadRecord) {
  std::string header = StateFileHeader(StateKind::kSilences);
  std::string good = SilenceRecord(SampleSilence());
  Silence other = SampleSilence();
  other.id = "other";
  std::string second = SilenceRecord(other);
  uint64_t good_end = header.size() + good.size();

  struct Case {
    std::string name;
    std::string tail;
    std::string error;
  };
  std::string flipped = second;
  flipped[flipped.size() - 1] ^= 0x01;
  std::string huge = second;
  huge[3] = 0x7f;  // length > 1 MiB
  std::string wrong_type = second;
  wrong_type[8] = 0x02;  // an nflog record in a silences file (crc fixed below)
  {
    std::string payload = wrong_type.substr(9);
    wrong_type.clear();
    AppendStateRecord(StateRecordType::kNflogEntry, payload, &wrong_type);
  }
  std::string undecodable;
  AppendStateRecord(StateRecordType::kSilence, "\x05" "ab", &undecodable);
  std::vector<Case> cases = {
      {"torn header", second.substr(0, 5), "torn record header (5 bytes)"},
      {"torn payload", second.substr(0, second.size() - 1), "torn record"},
      {"checksum", flipped, "record checksum mismatch"},
      {"length limit", huge, "exceeds the limit of 1048576"},
      {"unknown type", wrong_type, "unknown record type 2 in a silences file"},
      {"undecodable payload", undecodable, "bad silence record"},
      {"zeros", std::string(64, '\0'), "record checksum mismatch"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> ids;
    // A torn record can only be the last thing in the file; anything else is
    // followed by a good record, which must not be read.
    bool torn = c.name.substr(0, 4) == "torn";
    auto scan = ScanIds(header + good + c.tail + (torn ? "" : second), &ids);
    ASSERT_TRUE(scan.ok()) << c.name << ": " << scan.status();
    EXPECT_TRUE(scan->corrupt) << c.name;
    EXPECT_EQ(scan->good_bytes, good_end) << c.name;
    EXPECT_EQ(scan->records, 1u) << c.name;
    EXPECT_EQ(ids.size(), 1u) << c.name;
    EXPECT_NE(scan->error.find(c.error), std::string::npos) << c.name << ": " << scan->error;
  }
}

TEST(StateFileTest, ScanHeaderErrors) {
  std::vector<std::string> ids;
  auto empty = ScanIds("", &ids);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->corrupt);
  EXPECT_EQ(empty->records, 0u);

  auto torn = ScanIds("PAMS\x01", &ids);
  ASSERT_TRUE(torn.ok());
  EXPECT_TRUE(torn->corrupt);
  EXPECT_EQ(torn->good_bytes, 0u);

  auto magic = ScanIds("{\"silences\": []}", &ids);
  ASSERT_FALSE(magic.ok());
  EXPECT_NE(magic.status().message().find("offset 0: not a Pharos Alertmanager state file"), std::string::npos);

  auto kind = ScanIds(StateFileHeader(StateKind::kNflog), &ids);
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.status().message().find("offset 5"), std::string::npos) << kind.status();

  std::string newer = StateFileHeader(StateKind::kSilences);
  newer[4] = 2;
  auto version = ScanIds(newer, &ids);
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.status().message().find("unsupported state file version 2"), std::string::npos);
}

// The seed corpus was written by a separate encoder that follows
// docs/format/alertmanager-state.md; reading it checks the spec and the code agree.
TEST(StateFileTest, ReadsFilesWrittenFromTheSpec) {
  std::string dir = std::string(PHAROS_SOURCE_DIR) + "/fuzz/corpus/am_state/";
  auto silences = disk::PosixEnv()->ReadFile(dir + "silences_three");
  ASSERT_TRUE(silences.ok()) << silences.status();
  std::vector<Silence> got;
  auto scan = ScanStateFile(*silences, StateKind::kSilences, [&](StateRecordType, std::string_view p) -> absl::Status {
    auto s = DecodeSilence(p);
    if (!s.ok()) return s.status();
    got.push_back(*s);
    return absl::OkStatus();
  });
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_FALSE(scan->corrupt) << scan->error;
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].id, "5f0c3c9e-1d2b-4c1e-9a55-3f8e2b9d7a10");
  EXPECT_EQ(got[0].matchers, (std::vector<SilenceMatcher>{{MatchType::kEqual, "alertname", "DiskFull"},
                                                           {MatchType::kNotEqual, "env", "dev"}}));
  EXPECT_EQ(got[0].starts_at, absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(got[0].ends_at, absl::FromUnixSeconds(1700003600));
  EXPECT_EQ(got[1].matchers[1], (SilenceMatcher{MatchType::kRegexNoMatch, "severity", "info|none"}));
  EXPECT_EQ(got[2].comment, "expired");

  auto nflog = disk::PosixEnv()->ReadFile(dir + "nflog_two");
  ASSERT_TRUE(nflog.ok()) << nflog.status();
  std::vector<NflogEntry> entries;
  scan = ScanStateFile(*nflog, StateKind::kNflog, [&](StateRecordType, std::string_view p) -> absl::Status {
    auto e = DecodeNflogEntry(p);
    if (!e.ok()) return e.status();
    entries.push_back(*e);
    return absl::OkStatus();
  });
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_FALSE(scan->corrupt) << scan->error;
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].receiver, (ReceiverKey{"team-a", "webhook", 0}));
  EXPECT_EQ(entries[0].firing_alerts, (std::vector<uint64_t>{1, 2, 0xffffffffffffffffull}));
  EXPECT_EQ(entries[1].receiver, (ReceiverKey{"team-b", "email", 3}));
  EXPECT_EQ(entries[1].resolved_alerts, std::vector<uint64_t>{42});
  EXPECT_EQ(entries[1].expires_at, absl::FromUnixSeconds(1700003600));
}

TEST(StateLogTest, CreatesAppendsAndReloads) {
  disk::FaultEnv env;
  ASSERT_TRUE(env.CreateDirs("/data").ok());
  std::vector<std::string> ids;
  auto fn = [&](StateRecordType, std::string_view p) -> absl::Status {
    auto s = DecodeSilence(p);
    if (!s.ok()) return s.status();
    ids.push_back(s->id);
    return absl::OkStatus();
  };
  {
    auto log = StateLog::Open(&env, "/data/silences", StateKind::kSilences, fn);
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_EQ(*env.Contents("/data/silences"), StateFileHeader(StateKind::kSilences));
    ASSERT_TRUE((*log)->Append(SilenceRecord(SampleSilence()), 1).ok());
    EXPECT_EQ((*log)->records(), 1u);
  }
  env.SimulateCrash();  // the append was synced
  StateScan recovery;
  auto log = StateLog::Open(&env, "/data/silences", StateKind::kSilences, fn, &recovery);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(ids, std::vector<std::string>{SampleSilence().id});
  EXPECT_FALSE(recovery.corrupt);
  EXPECT_EQ((*log)->records(), 1u);

  Silence b = SampleSilence();
  b.id = "b";
  ASSERT_TRUE((*log)->Rewrite(SilenceRecord(b), 1).ok());
  ASSERT_TRUE((*log)->Append(SilenceRecord(SampleSilence()), 1).ok());
  log->reset();
  ids.clear();
  ASSERT_TRUE(StateLog::Open(&env, "/data/silences", StateKind::kSilences, fn).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"b", SampleSilence().id}));
}

TEST(StateLogTest, CorruptTailIsKeptAsideAndCutOff) {
  disk::FaultEnv env;
  ASSERT_TRUE(env.CreateDirs("/data").ok());
  std::string good = StateFileHeader(StateKind::kSilences) + SilenceRecord(SampleSilence());
  std::string bad = good + "garbage!garbage!";
  env.SetContents("/data/silences", bad);
  std::vector<std::string> ids;
  auto fn = [&](StateRecordType, std::string_view p) -> absl::Status {
    ids.push_back(DecodeSilence(p)->id);
    return absl::OkStatus();
  };
  StateScan recovery;
  auto log = StateLog::Open(&env, "/data/silences", StateKind::kSilences, fn, &recovery);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(recovery.corrupt);
  EXPECT_EQ(recovery.good_bytes, good.size());
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(*env.Contents("/data/silences"), good);
  EXPECT_EQ(*env.Contents("/data/silences.corrupt"), bad);
  EXPECT_FALSE((*log)->needs_rewrite());
}

TEST(StateLogTest, ForeignFileIsAnErrorNamingThePath) {
  disk::FaultEnv env;
  ASSERT_TRUE(env.CreateDirs("/data").ok());
  env.SetContents("/data/nflog", "not ours at all");
  auto log = StateLog::Open(&env, "/data/nflog", StateKind::kNflog,
                            [](StateRecordType, std::string_view) { return absl::OkStatus(); });
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().message().substr(0, 25), "/data/nflog: offset 0: no");
  EXPECT_EQ(*env.Contents("/data/nflog"), "not ours at all");  // left alone
}

TEST(StateLogTest, FailedSyncRequiresARewrite) {
  disk::FaultEnv env;
  ASSERT_TRUE(env.CreateDirs("/data").ok());
  auto fn = [](StateRecordType, std::string_view) { return absl::OkStatus(); };
  auto log = StateLog::Open(&env, "/data/silences", StateKind::kSilences, fn);
  ASSERT_TRUE(log.ok());
  env.FailSyncs(true);
  absl::Status s = (*log)->Append(SilenceRecord(SampleSilence()), 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/data/silences"), std::string::npos) << s;
  EXPECT_TRUE((*log)->needs_rewrite());
  env.FailSyncs(false);
  EXPECT_TRUE(absl::IsFailedPrecondition((*log)->Append(SilenceRecord(SampleSilence()), 1)));
  ASSERT_TRUE((*log)->Rewrite("", 0).ok());
  EXPECT_FALSE((*log)->needs_rewrite());
  EXPECT_EQ(*env.Contents("/data/silences"), StateFileHeader(StateKind::kSilences));
  EXPECT_TRUE((*log)->Append(SilenceRecord(SampleSilence()), 1).ok());
}

}  // namespace
}  // namespace pharos::am
