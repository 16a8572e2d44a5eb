#include "tsdb/chunkenc/column.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "storage/sample.h"
#include "tsdb/block/packed_file.h"

namespace pharos::tsdb::chunkenc {
namespace {

using storage::Sample;

std::string Encode(const std::vector<Sample>& in) {
  std::string out;
  EXPECT_TRUE(EncodeColumnChunk(in, &out).ok());
  return out;
}

std::vector<Sample> Decode(std::string_view bytes, absl::Status* err = nullptr) {
  ColumnIterator it(bytes);
  std::vector<Sample> out;
  while (it.Next()) out.push_back(it.At());
  if (err != nullptr) {
    *err = it.Err();
  } else {
    EXPECT_TRUE(it.Err().ok()) << it.Err();
  }
  return out;
}

void ExpectSame(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].t, b[i].t) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(a[i].v), std::bit_cast<uint64_t>(b[i].v)) << i << " " << a[i].v;
  }
}

TEST(ColumnChunk, DecimalCountersAndGaugesRoundTripSmall) {
  std::mt19937_64 rng(1);
  std::vector<Sample> counter, gauge, ints;
  double c = 1234.5, g = 0.5;
  int64_t t = 1700000000000;
  for (int i = 0; i < 480; ++i) {
    t += 15000 + static_cast<int64_t>(rng() % 2);
    c = std::round((c + static_cast<double>(rng() % 300) / 100) * 100) / 100;
    g = std::round((g + (static_cast<double>(rng() % 21) - 10) / 1000) * 1000) / 1000;
    counter.push_back({t, c});
    gauge.push_back({t, g});
    ints.push_back({t, static_cast<double>(i * 7)});
  }
  for (const auto* in : {&counter, &gauge, &ints}) {
    std::string enc = Encode(*in);
    ExpectSame(Decode(enc), *in);
    // Decimal mantissa deltas: a few bytes per sample at most.
    EXPECT_LT(enc.size(), in->size() * 4);
  }
  EXPECT_LT(Encode(ints).size(), 480 * 2 + 20);  // constant deltas: one byte each
}

TEST(ColumnChunk, NonDecimalValuesRoundTripBitExact) {
  const double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> vals = {0.1,
                              -0.0,
                              0.0,
                              storage::StaleNaN(),
                              std::numeric_limits<double>::quiet_NaN(),
                              std::bit_cast<double>(uint64_t{0x7ff8dead0000beef}),
                              kInf,
                              -kInf,
                              1e300,
                              5e-324,
                              3.141592653589793,
                              9007199254740993.0,
                              -1.5};
  std::vector<Sample> in;
  int64_t t = std::numeric_limits<int64_t>::min();
  for (size_t i = 0; i < vals.size(); ++i) {
    in.push_back({t, vals[i]});
    if (i + 2 == vals.size()) {
      t = std::numeric_limits<int64_t>::max();
    } else if (i + 1 < vals.size()) {
      t += 1000;  // not after the last one: INT64_MAX + 1000 overflows
    }
  }
  ExpectSame(Decode(Encode(in)), in);
  // A single sample, and a stale marker inside a decimal counter.
  ExpectSame(Decode(Encode({{5, 2.5}})), {{5, 2.5}});
  std::vector<Sample> stale = {{1, 1.5}, {2, 2.5}, {3, storage::StaleNaN()}};
  ExpectSame(Decode(Encode(stale)), stale);
}

TEST(ColumnChunk, RefusesBadInput) {
  std::string out;
  EXPECT_FALSE(EncodeColumnChunk({}, &out).ok());
  EXPECT_FALSE(EncodeColumnChunk({{2, 1}, {2, 1}}, &out).ok());
  std::vector<Sample> many(kMaxColumnSamples + 1);
  for (size_t i = 0; i < many.size(); ++i) many[i] = {static_cast<int64_t>(i), 1};
  EXPECT_FALSE(EncodeColumnChunk(many, &out).ok());
}

TEST(ColumnChunk, EveryTruncationAndManyFlipsAreCleanErrors) {
  std::vector<Sample> in;
  for (int i = 0; i < 100; ++i) in.push_back({1000 + i * 15000, i * 0.25});
  std::string enc = Encode(in);
  for (size_t n = 0; n < enc.size(); ++n) {
    absl::Status err;
    auto got = Decode(enc.substr(0, n), &err);
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(err.code(), absl::StatusCode::kDataLoss) << n;
  }
  for (size_t i = 0; i < enc.size(); ++i) {
    std::string bad = enc;
    bad[i] ^= 0x55;
    absl::Status err;
    auto got = Decode(bad, &err);
    for (size_t j = 1; j < got.size(); ++j) ASSERT_LT(got[j - 1].t, got[j].t);
    if (!err.ok()) {
      EXPECT_TRUE(got.empty());
    }
  }
}

TEST(ColumnChunk, SeekAndAppendUntil) {
  std::vector<Sample> in;
  for (int i = 0; i < 50; ++i) in.push_back({i * 10, static_cast<double>(i)});
  std::string enc = Encode(in);
  ColumnIterator it(enc);
  ASSERT_TRUE(it.Seek(95));
  EXPECT_EQ(it.At().t, 100);
  ASSERT_TRUE(it.Seek(50));  // never backwards
  EXPECT_EQ(it.At().t, 100);
  std::vector<Sample> out;
  EXPECT_TRUE(it.AppendUntil(200, &out));
  EXPECT_EQ(out.size(), 11u);
  EXPECT_EQ(it.At().t, 210);
  EXPECT_FALSE(it.AppendUntil(1000, &out));
  EXPECT_EQ(out.size(), 40u);
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.Seek(1000));
}

TEST(PackedFile, RoundTripAndCorruption) {
  std::string raw(10000, 'x');
  for (size_t i = 0; i < raw.size(); i += 7) raw[i] = static_cast<char>(i);
  auto packed = block::Pack(raw);
  ASSERT_TRUE(packed.ok());
  EXPECT_TRUE(block::IsPacked(*packed));
  EXPECT_LT(packed->size(), raw.size());
  auto back = block::Unpack(*packed);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, raw);
  for (size_t i = 0; i < packed->size(); ++i) {
    std::string bad = *packed;
    bad[i] ^= 1;
    EXPECT_FALSE(block::Unpack(bad).ok()) << i;
  }
  EXPECT_FALSE(block::Unpack(packed->substr(0, packed->size() - 1)).ok());
}

}  // namespace
}  // namespace pharos::tsdb::chunkenc
