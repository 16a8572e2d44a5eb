#include "tsdb/chunkenc/xor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "tsdb/chunkenc/coding.h"

namespace pharos::tsdb::chunkenc {
namespace {

using storage::Sample;

constexpr size_t kStableTotal = 288080;
constexpr uint64_t kStableHash = 17149705032883748603ULL;

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
double FromBits(uint64_t b) {
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

XorChunk Encode(const std::vector<Sample>& samples) {
  XorChunk c;
  XorAppender app(&c);
  for (const auto& s : samples) EXPECT_TRUE(app.Append(s.t, s.v));
  return c;
}

std::vector<Sample> DecodeAll(std::string_view bytes, absl::Status* err = nullptr) {
  XorIterator it(bytes);
  std::vector<Sample> out;
  while (it.Next()) out.push_back(it.At());
  if (err != nullptr) *err = it.Err();
  else EXPECT_TRUE(it.Err().ok()) << it.Err();
  return out;
}

void ExpectBitExact(const std::vector<Sample>& want, const std::vector<Sample>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(want[i].t, got[i].t) << i;
    EXPECT_EQ(Bits(want[i].v), Bits(got[i].v)) << i;
  }
}

std::vector<Sample> RandomSamples(std::mt19937_64& rng, int n) {
  std::vector<Sample> s;
  int64_t t = static_cast<int64_t>(rng() % 2000000000000ULL) - 1000000000000LL;
  double v = 100;
  for (int i = 0; i < n; ++i) {
    switch (rng() % 6) {
      case 0: t += 15000; break;
      case 1: t += 1 + rng() % 20; break;
      case 2: t += 15000 + static_cast<int64_t>(rng() % 200) - 100; break;
      case 3: t += 1 + rng() % 1000000; break;
      case 4: t += 1 + rng() % (1ULL << 40); break;
      default: t += 30000; break;
    }
    switch (rng() % 7) {
      case 0: break;  // unchanged
      case 1: v += 1; break;
      case 2: v = FromBits(rng()); break;  // any bit pattern, NaNs included
      case 3: v = storage::StaleNaN(); break;
      case 4: v = static_cast<double>(rng() % 1000) / 10; break;
      case 5: v = -v * 1.5; break;
      default: v = std::numeric_limits<double>::infinity(); break;
    }
    s.push_back({t, v});
  }
  return s;
}

TEST(XorChunk, EmptyChunkHasNoSamples) {
  XorChunk c;
  EXPECT_EQ(c.NumSamples(), 0);
  XorIterator it(c.Bytes());
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.Err().ok());
  EXPECT_FALSE(it.Seek(0));
}

TEST(XorChunk, RoundTripRegularScrapes) {
  std::vector<Sample> in;
  for (int i = 0; i < kSamplesPerChunk; ++i) in.push_back({1700000000000 + i * 15000, 1000.0 + i * 3});
  XorChunk c = Encode(in);
  EXPECT_EQ(c.NumSamples(), kSamplesPerChunk);
  ExpectBitExact(in, DecodeAll(c.Bytes()));
  // Regular counters need far fewer than 8 bytes per sample.
  EXPECT_LT(c.SizeBytes(), in.size() * 4);
}

TEST(XorChunk, RoundTripRandomIsBitExact) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    auto in = RandomSamples(rng, 1 + static_cast<int>(rng() % 300));
    XorChunk c = Encode(in);
    ExpectBitExact(in, DecodeAll(c.Bytes()));
  }
}

// Scrape-like series: counters, gauges with few decimals, jittered
// timestamps, the odd reset and staleness marker.
std::vector<Sample> ScrapeLikeSamples(std::mt19937_64& rng, int n) {
  std::vector<Sample> s;
  int64_t t = 1700000000000 + static_cast<int64_t>(rng() % 100000);
  double v = static_cast<double>(rng() % 100000);
  const int kind = static_cast<int>(rng() % 4);
  for (int i = 0; i < n; ++i) {
    t += 1000 + (rng() % 8 == 0 ? static_cast<int64_t>(rng() % 21) - 10 : 0);
    switch (kind) {
      case 0: v += static_cast<double>(rng() % 13); break;       // counter
      case 1: v = static_cast<double>(rng() % 100000) / 100; break;  // gauge, 2 decimals
      case 2: v = 0.1 * static_cast<double>(i) + 0.001 * static_cast<double>(rng() % 7); break;
      default: v = std::sin(static_cast<double>(i) / 10) * 1e3; break;  // full float bits
    }
    if (rng() % 200 == 0) v = 0;  // reset
    s.push_back({t, rng() % 500 == 0 ? storage::StaleNaN() : v});
  }
  return s;
}

// Every encoder writes the same bytes as the bit-at-a-time reference, after
// every sample (readers copy the open chunk at any point).
TEST(XorChunk, EncodersMatchBitByBitReference) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 600; ++round) {
    int n = 1 + static_cast<int>(rng() % 250);
    auto in = round % 2 ? RandomSamples(rng, n) : ScrapeLikeSamples(rng, n);
    XorChunk c;
    XorAppender app(&c);
    XorOpenChunk open;
    std::vector<Sample> prefix;
    for (const auto& x : in) {
      prefix.push_back(x);
      ASSERT_TRUE(app.Append(x.t, x.v));
      ASSERT_TRUE(open.Append(x.t, x.v));
      if (prefix.size() % 17 == 1 || prefix.size() == in.size()) {
        std::string want = internal::EncodeBitByBitForTest(prefix);
        ASSERT_EQ(want, c.Bytes()) << "round " << round << " sample " << prefix.size();
        ASSERT_EQ(want, open.Bytes()) << "round " << round << " sample " << prefix.size();
      }
    }
    EXPECT_EQ(open.NumSamples(), static_cast<int>(in.size()));
    EXPECT_EQ(open.LastT(), in.back().t);
    EXPECT_EQ(open.FirstT(), in.front().t);
    EXPECT_GE(open.Capacity(), open.Bytes().size());
    ExpectBitExact(in, DecodeAll(open.Bytes()));
  }
}

// The format does not change: a hash of the encodings of many seeded
// series, as the encoder of commit 5a23c3e (byte-at-a-time writer) wrote
// them.
TEST(XorChunk, EncodingIsStable) {
  std::mt19937_64 rng(2026);
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  size_t total = 0;
  for (int round = 0; round < 400; ++round) {
    int n = 1 + static_cast<int>(rng() % 200);
    auto in = round % 2 ? RandomSamples(rng, n) : ScrapeLikeSamples(rng, n);
    XorChunk c = Encode(in);
    for (unsigned char b : c.Bytes()) h = (h ^ b) * 1099511628211ULL;
    total += c.Bytes().size();
  }
  EXPECT_EQ(total, kStableTotal);
  EXPECT_EQ(h, kStableHash);
}

TEST(XorOpenChunk, RefusesLikeAppenderAndClears) {
  XorOpenChunk c;
  EXPECT_EQ(c.Bytes().size(), 0u);
  EXPECT_TRUE(c.Append(10, 1));
  EXPECT_FALSE(c.Append(10, 2));
  EXPECT_FALSE(c.Append(9, 2));
  EXPECT_TRUE(c.Append(11, 2));
  XorOpenChunk moved = std::move(c);
  EXPECT_EQ(c.NumSamples(), 0);
  EXPECT_EQ(moved.NumSamples(), 2);
  ExpectBitExact({{10, 1}, {11, 2}}, DecodeAll(moved.Bytes()));
  EXPECT_EQ(c.LastT(), INT64_MIN);
  moved.Clear();
  EXPECT_EQ(moved.NumSamples(), 0);
  EXPECT_EQ(moved.Capacity(), 0u);
  EXPECT_EQ(moved.LastT(), 11);  // kept for the holder
  EXPECT_EQ(moved.LastBits(), Bits(2));
  EXPECT_TRUE(moved.Append(5, 3));  // a cleared chunk starts over
  ExpectBitExact({{5, 3}}, DecodeAll(moved.Bytes()));
}

TEST(XorChunk, PreservesNaNPayloadsAndStaleness) {
  std::vector<Sample> in = {{1, storage::StaleNaN()},
                            {2, std::numeric_limits<double>::quiet_NaN()},
                            {3, FromBits(0x7ff8000000000001ULL)},
                            {4, storage::StaleNaN()},
                            {5, -0.0},
                            {6, 0.0}};
  auto out = DecodeAll(Encode(in).Bytes());
  ExpectBitExact(in, out);
  EXPECT_TRUE(storage::IsStaleNaN(out[0].v));
  EXPECT_TRUE(storage::IsStaleNaN(out[3].v));
  EXPECT_FALSE(storage::IsStaleNaN(out[1].v));
}

TEST(XorChunk, DecimalValuesRoundTripAndCompress) {
  // Two-decimal counters (cpu seconds) are stored as scaled-integer deltas.
  std::vector<Sample> cpu;
  double v = 12345.67;
  for (int i = 0; i < kSamplesPerChunk; ++i) {
    v = std::round((v + (i % 7) * 0.37) * 100) / 100;
    cpu.push_back({i * 15000, v});
  }
  XorChunk c = Encode(cpu);
  ExpectBitExact(cpu, DecodeAll(c.Bytes()));
  EXPECT_LT(c.SizeBytes(), cpu.size() * 3);  // XOR alone needs ~7 bytes/sample here

  // Values near decimals that are not exactly representable, signed zeros,
  // huge values and scale changes all stay bit-exact.
  std::vector<Sample> tricky;
  const double vals[] = {0.1, 0.30000000000000004, -0.0, 0.0, 1e300, -1e-300, 9007199254740993.0,
                         9007199254740992.0, 0.001, 123.456, 123.4567, -5, 1.5, 1.25, 1.125, 1.0625,
                         4503599627370496.5, std::numeric_limits<double>::denorm_min()};
  int64_t t = 0;
  for (double a : vals) {
    for (double b : vals) {
      tricky.push_back({t++, a});
      tricky.push_back({t++, b});
    }
  }
  ExpectBitExact(tricky, DecodeAll(Encode(tricky).Bytes()));
}

TEST(XorChunk, ExtremeTimestamps) {
  std::vector<Sample> in = {{INT64_MIN, 1}, {INT64_MIN + 1, 2}, {0, 3}, {1, 4}, {INT64_MAX - 1, 5}, {INT64_MAX, 6}};
  ExpectBitExact(in, DecodeAll(Encode(in).Bytes()));
}

TEST(XorAppender, RefusesNonIncreasingTimestamps) {
  XorChunk c;
  XorAppender app(&c);
  EXPECT_TRUE(app.Append(10, 1));
  EXPECT_FALSE(app.Append(10, 2));
  EXPECT_FALSE(app.Append(9, 2));
  EXPECT_TRUE(app.Append(11, 2));
  EXPECT_EQ(c.NumSamples(), 2);
  EXPECT_EQ(app.LastT(), 11);
}

TEST(XorAppender, ResumesOnExistingChunk) {
  std::mt19937_64 rng(7);
  auto in = RandomSamples(rng, 100);
  XorChunk c = Encode({in.begin(), in.begin() + 60});
  XorChunk copy(std::string(c.Bytes()));
  XorAppender app(&copy);
  ASSERT_TRUE(app.status().ok());
  EXPECT_EQ(app.NumSamples(), 60);
  for (size_t i = 60; i < in.size(); ++i) ASSERT_TRUE(app.Append(in[i].t, in[i].v));
  EXPECT_EQ(copy.Bytes(), Encode(in).Bytes());
}

TEST(XorAppender, CorruptChunkIsRefused) {
  XorChunk c(std::string("\x00\x05\x01", 3));
  XorAppender app(&c);
  EXPECT_FALSE(app.status().ok());
  EXPECT_FALSE(app.Append(1, 1));
}

TEST(XorIterator, SeekAndAppendUntil) {
  std::vector<Sample> in;
  for (int i = 0; i < 100; ++i) in.push_back({i * 10, static_cast<double>(i)});
  XorChunk c = Encode(in);
  XorIterator it(c.Bytes());
  ASSERT_TRUE(it.Seek(55));
  EXPECT_EQ(it.At().t, 60);
  ASSERT_TRUE(it.Seek(20));  // never backwards
  EXPECT_EQ(it.At().t, 60);
  std::vector<Sample> out;
  EXPECT_TRUE(it.AppendUntil(200, &out));
  ASSERT_EQ(out.size(), 15u);
  EXPECT_EQ(out.front().t, 60);
  EXPECT_EQ(out.back().t, 200);
  EXPECT_EQ(it.At().t, 210);
  EXPECT_FALSE(it.AppendUntil(INT64_MAX, &out));
  EXPECT_EQ(out.size(), 94u);
  EXPECT_EQ(out.back().t, 990);
  EXPECT_FALSE(it.Seek(10000));
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.Err().ok());
}

TEST(XorIterator, ReusableWithReset) {
  XorChunk a = Encode({{1, 1}, {2, 2}});
  XorChunk b = Encode({{5, 5}});
  XorIterator it(a.Bytes());
  ASSERT_TRUE(it.Next());
  it.Reset(b.Bytes());
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.At().t, 5);
  EXPECT_FALSE(it.Next());
}

TEST(XorIterator, TruncatedChunkIsAnError) {
  std::mt19937_64 rng(3);
  auto in = RandomSamples(rng, 120);
  XorChunk c = Encode(in);
  std::string bytes(c.Bytes());
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    absl::Status err;
    auto out = DecodeAll(std::string_view(bytes).substr(0, cut), &err);
    EXPECT_FALSE(err.ok()) << "cut " << cut;
    EXPECT_LT(out.size(), in.size());
  }
}

TEST(XorIterator, GarbageNeverYieldsNonIncreasingTimestamps) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(2 + rng() % 64, '\0');
    for (auto& ch : bytes) ch = static_cast<char>(rng());
    absl::Status err;
    auto out = DecodeAll(bytes, &err);
    for (size_t i = 1; i < out.size(); ++i) ASSERT_GT(out[i].t, out[i - 1].t);
    EXPECT_LE(out.size(), NumSamplesOf(bytes));
  }
}

TEST(Coding, Crc32cKnownValues) {
  // RFC 3720 test vectors.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(Crc32c("6789", Crc32c("12345")), 0xe3069283u);
}

TEST(Coding, VarintsRoundTripAndRejectOverflow) {
  std::string buf;
  const int64_t vals[] = {0, 1, -1, 63, -64, 1LL << 40, INT64_MIN, INT64_MAX};
  for (int64_t v : vals) PutVarint(&buf, v);
  PutUvarint(&buf, UINT64_MAX);
  Decoder d(buf);
  for (int64_t v : vals) {
    int64_t got;
    ASSERT_TRUE(d.GetVarint(&got));
    EXPECT_EQ(got, v);
  }
  uint64_t u;
  ASSERT_TRUE(d.GetUvarint(&u));
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_FALSE(d.GetUvarint(&u));
  EXPECT_FALSE(d.ok());

  const std::string overflow("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
  Decoder over(overflow);
  EXPECT_FALSE(over.GetUvarint(&u));
  const std::string short_prefixed("\x05" "abc", 4);
  Decoder lp(short_prefixed);
  std::string_view sv;
  EXPECT_FALSE(lp.GetLengthPrefixed(&sv));
}

}  // namespace
}  // namespace pharos::tsdb::chunkenc
