// Engine behaviour beyond the upstream scripts: error messages and kinds,
// limits, cancellation, @ start()/end() in range queries, result order.
#include "promql/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "common/strings.h"
#include "storage/memory_storage.h"
#include "storage/sample.h"

namespace pharos::promql {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i <= 20; ++i) {
      Add({{"__name__", "x"}, {"job", "a"}, {"i", "1"}}, i * 10000, i);
      Add({{"__name__", "x"}, {"job", "a"}, {"i", "2"}}, i * 10000, 2 * i);
      Add({{"__name__", "y"}, {"job", "a"}}, i * 10000, 100);
    }
  }
  void Add(Labels l, int64_t t, double v) { ASSERT_TRUE(store_.Add(l, t, v).ok()); }

  absl::StatusOr<QueryResult> Instant(std::string_view q, int64_t t, const QueryContext& ctx = {}) {
    return engine_.InstantQuery(store_, q, t, ctx);
  }

  storage::MemoryStorage store_;
  Engine engine_;
};

TEST_F(EngineTest, MatchingErrorsReadLikePrometheus) {
  auto r = Instant("y + on(job) x", 100000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_STREQ(ErrorTypeOf(r.status()), "execution");
  EXPECT_EQ(SV(r.status().message()),
            "found duplicate series for the match group {job=\"a\"} on the right hand-side of the operation: "
            "[x{i=\"2\", job=\"a\"}, x{i=\"1\", job=\"a\"}];many-to-many matching not allowed: matching labels "
            "must be unique on one side");
  r = Instant("x + on(job) group_left y", 100000);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->series.size(), 2u);
  r = Instant("x * on(job) y", 100000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(SV(r.status().message()),
            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
  r = Instant("x / ignoring(i) group_left x", 100000);
  ASSERT_FALSE(r.ok());
}

TEST_F(EngineTest, ParseErrorsAreBadData) {
  auto r = Instant("sum(", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_STREQ(ErrorTypeOf(r.status()), "bad_data");
  r = engine_.RangeQuery(store_, "x[1m]", 0, 1000, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(SV(r.status().message()),
            "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
}

TEST_F(EngineTest, AtStartAndEndInRangeQueries) {
  auto r = engine_.RangeQuery(store_, "x{i=\"1\"} @ end() - x{i=\"1\"} @ start()", 50000, 150000, 50000);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].points.size(), 3u);
  for (const auto& p : r->series[0].points) EXPECT_EQ(p.v, 10);
}

TEST_F(EngineTest, SubqueryInRangeQuery) {
  auto r = engine_.RangeQuery(store_, "max_over_time(rate(x{i=\"2\"}[30s])[1m:10s])", 60000, 120000, 30000);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->series.size(), 1u);
  for (const auto& p : r->series[0].points) EXPECT_NEAR(p.v, 0.2, 1e-9);
}

TEST_F(EngineTest, StalenessEndsSeriesInRangeQuery) {
  Add({{"__name__", "z"}}, 0, 1);
  Add({{"__name__", "z"}}, 10000, storage::StaleNaN());
  auto r = engine_.RangeQuery(store_, "z", 0, 20000, 5000);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].points, (std::vector<Point>{{0, 1}, {5000, 1}}));
}

TEST_F(EngineTest, TopkOrderAndTimestamp) {
  auto r = Instant("topk(2, x)", 100000);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].points[0].v, 20);
  EXPECT_EQ(r->series[1].points[0].v, 10);
  r = Instant("timestamp(x{i=\"1\"})", 105000);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].points[0].v, 100);  // the sample's time, not the query's
  EXPECT_EQ(r->series[0].labels, (Labels{{"job", "a"}, {"i", "1"}}));
}

TEST_F(EngineTest, LabelReplaceErrors) {
  auto r = Instant("label_replace(x, \"a-b\", \"\", \"job\", \".*\")", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(SV(r.status().message()), "invalid destination label name in label_replace(): a-b");
  r = Instant("label_replace(x, \"dst\", \"\", \"job\", \"(\")", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(SV(r.status().message()).starts_with("invalid regular expression in label_replace(): "));
  r = Instant("label_replace(x, \"dst\", \"${1}-$2x-$$\", \"job\", \"(a)(.*)\")", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->series[0].labels.Get("dst"), "a--$");  // $2x names group "2x", which does not exist
}

TEST_F(EngineTest, SampleLimit) {
  EngineOptions o;
  o.max_samples = 10;
  Engine small(o);
  auto r = small.RangeQuery(store_, "x", 0, 200000, 10000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_STREQ(ErrorTypeOf(r.status()), "execution");
  EXPECT_EQ(SV(r.status().message()), "query processing would load too many samples into memory in query execution");
  r = small.RangeQuery(store_, "vector(1)[1000d:1s]", 0, 0, 1);
  EXPECT_FALSE(r.ok());
}

TEST_F(EngineTest, CancellationAndDeadline) {
  std::atomic<bool> cancel{true};
  QueryContext ctx;
  ctx.is_cancelled = [&] { return cancel.load(); };
  auto r = engine_.RangeQuery(store_, "sum(rate(x[1m])) + count(y)", 0, 200000, 1000, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_STREQ(ErrorTypeOf(r.status()), "canceled");
  QueryContext late;
  late.deadline = absl::Now() - absl::Seconds(1);
  r = engine_.RangeQuery(store_, "sum(rate(x[1m])) + count(y)", 0, 200000, 1000, late);
  ASSERT_FALSE(r.ok());
  EXPECT_STREQ(ErrorTypeOf(r.status()), "timeout");
  EXPECT_EQ(SV(r.status().message()), "query timed out in expression evaluation");
}

TEST_F(EngineTest, ResultTypes) {
  auto r = Instant("1", 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ResultType::kScalar);
  EXPECT_EQ(r->scalar, (Point{5000, 1}));
  r = Instant("\"s\"", 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ResultType::kString);
  EXPECT_EQ(r->str, "s");
  r = Instant("x{i=\"1\"}[15s]", 100000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ResultType::kMatrix);
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].points, (std::vector<Point>{{90000, 9}, {100000, 10}}));
  r = engine_.RangeQuery(store_, "time()", 0, 2000, 1000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ResultType::kMatrix);
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].points, (std::vector<Point>{{0, 0}, {1000, 1}, {2000, 2}}));
}

}  // namespace
}  // namespace pharos::promql

namespace pharos::promql {
namespace {

TEST_F(EngineTest, DeepestAcceptedExpressionsEvaluate) {
  std::string chain = "x";
  for (int i = 0; i < 790; ++i) chain += " + x";
  auto r = Instant(chain, 100000);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->series.size(), 2u);
  std::string nested;
  for (int i = 0; i < 60; ++i) nested += "abs(";
  nested += "-x";
  for (int i = 0; i < 60; ++i) nested += ")";
  r = Instant(nested, 100000);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->series.size(), 2u);
}

}  // namespace
}  // namespace pharos::promql
