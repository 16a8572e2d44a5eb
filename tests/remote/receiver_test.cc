#include <gtest/gtest.h>

#include "common/metrics/registry.h"
#include "remote/testing/fake_appendable.h"
#include "remote/testing/write_request_builder.h"
#include "remote/write_receiver.h"
#include "storage/memory_storage.h"

namespace pharos::remote {
namespace {

using testing::EncodeWriteRequest;
using testing::FakeAppendable;
using testing::SnappyCompress;
using testing::TestSeries;

constexpr int64_t kNowMs = 1714557600000;

class ReceiverTest : public ::testing::Test {
 protected:
  WriteReceiver Receiver(WriteLimits limits = {}) {
    return WriteReceiver(&fake_, limits, &registry_, [] { return absl::FromUnixMillis(kNowMs); });
  }
  absl::Status Send(const std::vector<TestSeries>& series, WriteStats* stats = nullptr) {
    return Receiver().Receive(SnappyCompress(EncodeWriteRequest(series)), stats);
  }
  std::vector<storage::Sample> SamplesOf(const Labels& l) {
    auto q = store_.NewQuerier(INT64_MIN, INT64_MAX);
    auto set = (*q)->Select(true, nullptr, {Matcher::MustMake(MatchType::kEqual, "__name__", l.MetricName())});
    std::vector<storage::Sample> out;
    while (set->Next()) {
      if (set->At().labels() != l) continue;
      auto it = set->At().Iterator();
      while (it->Next()) out.push_back(it->At());
    }
    return out;
  }
  std::string Metrics() {
    std::string out;
    registry_.WriteText(&out);
    return out;
  }

  storage::MemoryStorage store_;
  FakeAppendable fake_{&store_};
  metrics::Registry registry_;
};

TEST_F(ReceiverTest, AppendsEverySampleAndCommitsOnce) {
  WriteStats stats;
  ASSERT_TRUE(Send({{{{"__name__", "up"}, {"job", "node"}}, {{1000, 1}, {2000, 0}}},
                    {{{"job", "api"}, {"__name__", "rps"}}, {{1500, 12.5}}, 2, 0}},  // unsorted labels
                   &stats)
                  .ok());
  EXPECT_EQ(stats.series, 2u);
  EXPECT_EQ(stats.samples, 3u);
  EXPECT_EQ(stats.exemplars_dropped, 2u);
  EXPECT_EQ(fake_.commits, 1);
  EXPECT_EQ(SamplesOf(Labels{{"__name__", "up"}, {"job", "node"}}),
            (std::vector<storage::Sample>{{1000, 1}, {2000, 0}}));
  EXPECT_EQ(SamplesOf(Labels{{"__name__", "rps"}, {"job", "api"}}), (std::vector<storage::Sample>{{1500, 12.5}}));
  EXPECT_NE(Metrics().find("pharos_remote_write_samples_appended_total 3\n"), std::string::npos);
}

TEST_F(ReceiverTest, SkipsHistogramsAndDropsEmptyLabelValues) {
  WriteStats stats;
  ASSERT_TRUE(Send({{{{"__name__", "lat"}}, {}, 0, 3},
                    {{{"__name__", "up"}, {"env", ""}, {"job", "x"}}, {{1000, 1}}, 0, 1}},
                   &stats)
                  .ok());
  EXPECT_EQ(stats.histograms_dropped, 4u);
  EXPECT_EQ(stats.series, 1u);
  EXPECT_EQ(store_.NumSeries(), 1u);
  EXPECT_EQ(SamplesOf(Labels{{"__name__", "up"}, {"job", "x"}}).size(), 1u);
  EXPECT_NE(Metrics().find("pharos_remote_write_histograms_dropped_total 4\n"), std::string::npos);
}

TEST_F(ReceiverTest, InvalidSeriesRejectTheWholeRequest) {
  const TestSeries good = {{{"__name__", "up"}, {"job", "node"}}, {{1000, 1}}};
  struct Case {
    TestSeries bad;
    std::string err;
  } cases[] = {
      {{{{"job", "x"}}, {{1, 1}}}, "series #1 (byte 47) {job=\"x\"}: missing metric name (__name__ label)"},
      {{{{"__name__", "up"}, {"1a", "x"}}, {{1, 1}}},
       "series #1 (byte 47) {1a=\"x\", __name__=\"up\"}: invalid label name \"1a\""},
      {{{{"__name__", "up-down"}}, {{1, 1}}}, "series #1 (byte 47) {__name__=\"up-down\"}: invalid metric name \"up-down\""},
      {{{{"__name__", "up"}, {"a", "1"}, {"a", "2"}}, {{1, 1}}},
       "series #1 (byte 47) {__name__=\"up\", a=\"1\", a=\"2\"}: duplicate label name \"a\""},
      {{{{"__name__", "up"}, {"a", "\xff"}}, {{1, 1}}},
       "series #1 (byte 47) {__name__=\"up\", a=\"\xff\"}: value of label \"a\" is not valid UTF-8"},
  };
  for (const auto& c : cases) {
    auto st = Send({good, c.bad});
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(st.message(), c.err);
    EXPECT_EQ(store_.NumSamples(), 0u) << c.err;
  }
  EXPECT_EQ(fake_.commits, 0);
  EXPECT_NE(Metrics().find("pharos_remote_write_invalid_requests_total 5\n"), std::string::npos);
}

TEST_F(ReceiverTest, MalformedBodiesStoreNothing) {
  EXPECT_EQ(Receiver().Receive("not snappy at all").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Receiver().Receive(SnappyCompress("\x0a\x05" "ab")).code(), absl::StatusCode::kInvalidArgument);
  WriteLimits small;
  small.max_decoded_bytes = 10;
  auto st = Receiver(small).Receive(SnappyCompress(EncodeWriteRequest({{{{"__name__", "up"}}, {{1, 1}}}})));
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(store_.NumSamples(), 0u);
}

TEST_F(ReceiverTest, RefusedSamplesRollBackTheRequestLikePrometheus) {
  fake_.refuse_timestamp = 2000;
  auto st = Send({{{{"__name__", "a"}}, {{1000, 1}}}, {{{"__name__", "b"}}, {{1000, 1}, {2000, 2}}}});
  EXPECT_EQ(storage::GetAppendError(st), storage::AppendError::kOutOfOrder);
  EXPECT_EQ(st.message(), "out of order sample: sample is older than the newest");
  EXPECT_EQ(store_.NumSamples(), 0u);
  EXPECT_EQ(fake_.rollbacks, 1);
}

TEST_F(ReceiverTest, SamplesFarInTheFutureAreOutOfBounds) {
  auto ok = Send({{{{"__name__", "a"}}, {{kNowMs + 600000, 1}}}});
  EXPECT_TRUE(ok.ok()) << ok;
  auto st = Send({{{{"__name__", "a"}}, {{kNowMs + 600001, 1}}}});
  EXPECT_EQ(storage::GetAppendError(st), storage::AppendError::kOutOfBounds);
  EXPECT_EQ(st.message(), "out of bounds: sample of a at 1714558200001 is more than 10m in the future");
  EXPECT_EQ(store_.NumSamples(), 1u);
}

TEST_F(ReceiverTest, StorageFailuresAreReturnedAfterRollback) {
  fake_.commit_error = absl::UnavailableError("WAL: no space left on device");
  auto st = Send({{{{"__name__", "a"}}, {{1000, 1}}}});
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_.NumSamples(), 0u);
  fake_.commit_error = absl::OkStatus();
  fake_.append_error = absl::InternalError("head: chunk mapper closed");
  st = Send({{{{"__name__", "a"}}, {{1000, 1}}}});
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(fake_.rollbacks, 1);
}

TEST_F(ReceiverTest, AcceptsAnEmptyRequest) {
  ASSERT_TRUE(Receiver().Receive(SnappyCompress("")).ok());
  EXPECT_EQ(fake_.commits, 1);
}

}  // namespace
}  // namespace pharos::remote
