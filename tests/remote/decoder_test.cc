#include <cmath>

#include <gtest/gtest.h>

#include "remote/snappy_block.h"
#include "remote/testing/write_request_builder.h"
#include "remote/write_request.h"

namespace pharos::remote {
namespace {

using testing::EncodeWriteRequest;
using testing::PutBytes;
using testing::PutTag;
using testing::PutVarint;
using testing::SnappyCompress;
using testing::TestSeries;

std::vector<TestSeries> TwoSeries() {
  return {
      {{{"__name__", "up"}, {"job", "node"}}, {{1000, 1}, {2000, 0}}, 1, 0},
      {{{"__name__", "temp"}, {"room", "k\xc3\xbc"}}, {{-5, -2.5}, {INT64_MAX, std::nan("")}}, 0, 2},
  };
}

TEST(Snappy, DecodesWithinTheLimit) {
  std::string raw(10000, 'x');
  std::string z = SnappyCompress(raw);
  std::string out = "old content";
  ASSERT_TRUE(SnappyDecode(z, 10000, &out).ok());
  EXPECT_EQ(out, raw);
  auto over = SnappyDecode(z, 9999, &out);
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(over.message(), "snappy: decoded length 10000 exceeds the limit of 9999 bytes");
  // A header claiming 4 GiB is refused before anything is allocated.
  std::string huge;
  PutVarint(&huge, 0xffffffffu);
  EXPECT_EQ(SnappyDecode(huge, 1 << 20, &out).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(SnappyDecode("", 100, &out).code(), absl::StatusCode::kInvalidArgument);
  std::string corrupt = z;
  corrupt.resize(corrupt.size() / 2);
  EXPECT_EQ(SnappyDecode(corrupt, 1 << 20, &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST(WriteRequestDecoder, DecodesSeriesLabelsAndSamples) {
  for (bool unknown : {false, true}) {
    std::string buf = EncodeWriteRequest(TwoSeries(), 3, unknown);
    WriteRequestView v;
    ASSERT_TRUE(DecodeWriteRequest(buf, {}, &v).ok()) << unknown;
    ASSERT_EQ(v.series.size(), 2u);
    EXPECT_EQ(v.metadata, 3u);
    const SeriesView& a = v.series[0];
    ASSERT_EQ(a.labels_end - a.labels_begin, 2u);
    EXPECT_EQ(v.labels[a.labels_begin].name, "__name__");
    EXPECT_EQ(v.labels[a.labels_begin].value, "up");
    EXPECT_EQ(v.labels[a.labels_begin + 1].value, "node");
    ASSERT_EQ(a.samples_end - a.samples_begin, 2u);
    EXPECT_EQ(v.samples[a.samples_begin].t, 1000);
    EXPECT_EQ(v.samples[a.samples_begin].v, 1);
    EXPECT_EQ(a.exemplars, 1u);
    const SeriesView& b = v.series[1];
    EXPECT_EQ(v.labels[b.labels_begin + 1].value, "k\xc3\xbc");
    EXPECT_EQ(v.samples[b.samples_begin].t, -5);
    EXPECT_EQ(v.samples[b.samples_begin].v, -2.5);
    EXPECT_EQ(v.samples[b.samples_begin + 1].t, INT64_MAX);
    EXPECT_TRUE(std::isnan(v.samples[b.samples_begin + 1].v));
    EXPECT_EQ(b.histograms, 2u);
    // Views point into the buffer: no copies.
    EXPECT_GE(v.labels[0].name.data(), buf.data());
    EXPECT_LT(v.labels[0].name.data(), buf.data() + buf.size());
  }
}

TEST(WriteRequestDecoder, ReusesTheViewAndAcceptsAnEmptyRequest) {
  WriteRequestView v;
  ASSERT_TRUE(DecodeWriteRequest(EncodeWriteRequest(TwoSeries()), {}, &v).ok());
  ASSERT_TRUE(DecodeWriteRequest("", {}, &v).ok());
  EXPECT_TRUE(v.series.empty());
  EXPECT_TRUE(v.labels.empty());
}

TEST(WriteRequestDecoder, EveryTruncationFailsCleanly) {
  std::string buf = EncodeWriteRequest(TwoSeries(), 1, true);
  WriteRequestView v;
  int failures = 0;
  for (size_t n = 0; n < buf.size(); ++n) {
    if (!DecodeWriteRequest(std::string_view(buf).substr(0, n), {}, &v).ok()) ++failures;
  }
  EXPECT_GT(failures, static_cast<int>(buf.size()) / 2);
}

TEST(WriteRequestDecoder, RefusesMalformedInputNamingTheByte) {
  struct Case {
    std::string buf;
    std::string err;
  };
  std::vector<Case> cases;
  {
    std::string b;
    PutTag(&b, 1, 2);
    PutVarint(&b, 50);  // longer than what follows
    b += "abc";
    cases.push_back({b, "remote write request: byte 2: length 50 runs past the end of the message"});
  }
  {
    std::string b;
    PutTag(&b, 1, 0);  // timeseries must be length-delimited
    PutVarint(&b, 1);
    cases.push_back({b, "remote write request: byte 1: field 1 of WriteRequest has wire type 0"});
  }
  {
    std::string sample;
    PutTag(&sample, 1, 0);  // value must be fixed64
    PutVarint(&sample, 7);
    std::string ts;
    PutBytes(&ts, 2, sample);
    std::string b;
    PutBytes(&b, 1, ts);
    cases.push_back({b, "remote write request: byte 5: field 1 of Sample has wire type 0"});
  }
  {
    std::string b;
    PutTag(&b, 7, 3);  // groups are not supported
    cases.push_back({b, "remote write request: byte 1: unsupported wire type 3"});
  }
  {
    std::string b = "\x28";  // field 5, a varint the schema does not know
    b += std::string(10, '\xff');
    cases.push_back({b, "remote write request: byte 11: varint overflows 64 bits"});
  }
  {
    std::string b;
    PutTag(&b, 0, 0);
    cases.push_back({b, "remote write request: byte 1: invalid field number 0"});
  }
  for (const auto& c : cases) {
    WriteRequestView v;
    auto st = DecodeWriteRequest(c.buf, {}, &v);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(st.message(), c.err);
  }
}

TEST(WriteRequestDecoder, EnforcesLabelLimits) {
  DecodeLimits limits;
  limits.max_labels = 2;
  limits.max_label_name_bytes = 8;
  limits.max_label_value_bytes = 4;
  WriteRequestView v;
  EXPECT_TRUE(DecodeWriteRequest(EncodeWriteRequest({{{{"__name__", "up"}, {"a", "1"}}, {}}}), limits, &v).ok());
  auto many = DecodeWriteRequest(EncodeWriteRequest({{{{"__name__", "up"}, {"a", "1"}, {"b", "2"}}, {}}}), limits, &v);
  EXPECT_EQ(many.message(), "remote write request: byte 2: series has more than 2 labels");
  auto name = DecodeWriteRequest(EncodeWriteRequest({{{{"__name__", "up"}, {"too_long_name", "1"}}, {}}}), limits, &v);
  EXPECT_EQ(name.message(), "remote write request: byte 22: label name of 13 bytes exceeds the limit of 8 bytes");
  auto value = DecodeWriteRequest(EncodeWriteRequest({{{{"__name__", "up"}, {"a", "12345"}}, {}}}), limits, &v);
  EXPECT_EQ(value.message(), "remote write request: byte 25: label value of 5 bytes exceeds the limit of 4 bytes");
}

}  // namespace
}  // namespace pharos::remote
