// /api/v1/query, /api/v1/query_range and /api/v1/format_query through a
// real HTTP server on 127.0.0.1, checked byte for byte against the JSON
// Prometheus 2.53 writes.
#include <gtest/gtest.h>

#include <cmath>

#include "api/testing/api_server.h"
#include "promql/engine.h"
#include "storage/memory_storage.h"
#include "storage/sample.h"

namespace pharos::api {
namespace {

using testing::ApiServer;

class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i <= 10; ++i) {
      ASSERT_TRUE(store_.Add(Labels{{"__name__", "up"}, {"job", "api"}}, i * 15000, 1).ok());
      ASSERT_TRUE(store_.Add(Labels{{"__name__", "up"}, {"job", "web"}}, i * 15000, i == 10 ? 0 : 1).ok());
      ASSERT_TRUE(store_.Add(Labels{{"__name__", "reqs_total"}, {"job", "api"}}, i * 15000, i * 30.0).ok());
    }
    ASSERT_TRUE(store_.Add(Labels{{"__name__", "odd"}}, 0, NAN).ok());
    ASSERT_TRUE(store_.Add(Labels{{"__name__", "odd"}}, 15000, INFINITY).ok());
  }

  ApiServer& Server() {
    if (!server_) {
      ApiDeps deps;
      deps.queryable = &store_;
      deps.engine = &engine_;
      ApiOptions opts;
      opts.now = [] { return absl::FromUnixSeconds(150); };
      server_ = std::make_unique<ApiServer>(std::move(opts), std::move(deps));
    }
    return *server_;
  }

  storage::MemoryStorage store_;
  promql::Engine engine_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(QueryApiTest, InstantVector) {
  auto r = Server().Get("/api/v1/query?query=up&time=150");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","job":"api"},"value":[150,"1"]},)"
            R"({"metric":{"__name__":"up","job":"web"},"value":[150,"0"]}]}})");
  // The default time is now (150 s here); fractions of seconds in RFC 3339.
  EXPECT_EQ(Server().Get("/api/v1/query?query=sum(up)").body,
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[150,"1"]}]}})");
  EXPECT_EQ(Server().Get("/api/v1/query?query=sum(up)&time=1970-01-01T00:02:00.5Z").body,
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[120.500,"2"]}]}})");
}

TEST_F(QueryApiTest, ScalarStringMatrixAndSpecialValues) {
  EXPECT_EQ(Server().Get("/api/v1/query?query=1%2B1&time=1.5").body,
            R"({"status":"success","data":{"resultType":"scalar","result":[1.500,"2"]}})");
  EXPECT_EQ(Server().Get("/api/v1/query?query=%22hi%22&time=2").body,
            R"({"status":"success","data":{"resultType":"string","result":[2,"hi"]}})");
  EXPECT_EQ(Server().Get("/api/v1/query?query=odd%5B1m%5D&time=20").body,
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"__name__":"odd"},"values":[[0,"NaN"],[15,"+Inf"]]}]}})");
  EXPECT_EQ(Server().Get("/api/v1/query?query=-odd&time=20").body,
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[20,"-Inf"]}]}})");
}

TEST_F(QueryApiTest, RangeQueryGetAndPost) {
  const std::string want =
      R"({"status":"success","data":{"resultType":"matrix","result":[)"
      R"({"metric":{"job":"api"},"values":[[60,"2"],[90,"2"],[120,"2"]]}]}})";
  EXPECT_EQ(Server().Get("/api/v1/query_range?query=rate(reqs_total%5B1m%5D)&start=60&end=120&step=30").body, want);
  EXPECT_EQ(Server().PostForm("/api/v1/query_range", "query=rate(reqs_total[1m])&start=60&end=120&step=30s").body,
            want);
  EXPECT_EQ(Server().PostForm("/api/v1/query", "query=up{job=\"api\"}&time=150").body,
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","job":"api"},"value":[150,"1"]}]}})");
}

// Range answers format each step's timestamp once for every series: series
// that start late or have gaps, and fractional steps, read as before.
TEST_F(QueryApiTest, RangeTimestampsWithGapsAndFractions) {
  EXPECT_EQ(Server().Get("/api/v1/query_range?query=reqs_total%20%3E%20100&start=30.5&end=90.5&step=15").body,
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"__name__":"reqs_total","job":"api"},"values":)"
            R"([[60.500,"120"],[75.500,"150"],[90.500,"180"]]}]}})");
  EXPECT_EQ(Server().Get("/api/v1/query_range?query=up%20%3D%3D%200%20or%20reqs_total%20%3C%2050&start=0&end=150&step="
                         "37.5")
                .body,
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"__name__":"reqs_total","job":"api"},"values":[[0,"0"]]},)"
            R"({"metric":{"__name__":"up","job":"web"},"values":[[150,"0"]]}]}})");
}

// Whole values take an integer formatting path; the text is the shortest
// fixed form as for any other value (and -0 keeps its sign).
TEST_F(QueryApiTest, WholeValuesAsGoWritesThem) {
  struct Case {
    const char* query;
    const char* value;
  } cases[] = {{"0", "0"},
               {"-1*0", "-0"},
               {"7", "7"},
               {"-42", "-42"},
               {"999999999999999", "999999999999999"},
               {"1e15", "1000000000000000"},
               {"-1e15%2B1", "-999999999999999"},
               {"1e21", "1000000000000000000000"},
               {"2.5", "2.5"},
               {"1e-7", "0.0000001"}};
  for (const auto& c : cases) {
    EXPECT_EQ(Server().Get(std::string("/api/v1/query?query=") + c.query + "&time=1").body,
              std::string(R"({"status":"success","data":{"resultType":"scalar","result":[1,")") + c.value + R"("]}})")
        << c.query;
  }
}

TEST_F(QueryApiTest, Errors) {
  auto r = Server().Get("/api/v1/query?query=sum(up");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:7: parse error: unclosed left parenthesis"})");
  r = Server().Get("/api/v1/query?query=up&time=abc");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"(invalid parameter \"time\")"), std::string::npos) << r.body;
  // Evaluation errors are "execution" (422).
  r = Server().Get("/api/v1/query?query=up%20%2B%20on()%20up&time=150");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find(R"("errorType":"execution")"), std::string::npos) << r.body;
  r = Server().Get("/api/v1/query_range?query=up&start=100&end=10&step=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"})");
  r = Server().Get("/api/v1/query_range?query=up&start=0&end=100000&step=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("exceeded maximum resolution of 11,000 points"), std::string::npos);
  r = Server().Get("/api/v1/query_range?query=up&start=0&end=10&step=0");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("zero or negative query resolution step"), std::string::npos);
  r = Server().Get("/api/v1/query_range?query=up&start=0&end=10&step=x");
  EXPECT_EQ(r.body,
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": cannot parse \"x\" to a valid duration"})");
  r = Server().Get("/api/v1/query_range?query=up%5B1m%5D&start=0&end=10&step=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"(invalid expression type \"range vector\" for range query)"), std::string::npos);
  r = Server().Get("/api/v1/query?query=up&timeout=zz");
  EXPECT_EQ(r.status, 400);
}

// Parsed expressions are cached by query text: repeats (more than one
// generation of the cache, so entries move between generations and drop
// out) answer as the first time, and errors are not cached.
TEST_F(QueryApiTest, RepeatedQueriesAnswerAlike) {
  const std::string want_up =
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[150,"1"]}]}})";
  for (int i = 0; i < 700; ++i) {
    std::string q = "/api/v1/query?query=" + std::to_string(i) + "%2Bsum(up)&time=150";
    auto r = Server().Get(q);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[150,")" +
                          std::to_string(i + 1) + R"("]}]}})");
    if (i % 100 == 0) {
      EXPECT_EQ(Server().Get("/api/v1/query?query=sum(up)&time=150").body, want_up);
      EXPECT_EQ(Server().Get("/api/v1/query?query=sum(up&time=150").status, 400);
    }
  }
  EXPECT_EQ(Server().Get("/api/v1/query?query=sum(up)&time=150").body, want_up);
  EXPECT_EQ(Server().Get("/api/v1/query?query=sum(up&time=150").status, 400);
}

TEST_F(QueryApiTest, TimeoutAnswers503) {
  // A tiny timeout makes a heavy query stop with errorType timeout.
  for (int s = 0; s < 300; ++s) {
    for (int i = 0; i < 40; ++i) {
      ASSERT_TRUE(store_.Add(Labels{{"__name__", "big"}, {"s", std::to_string(s)}}, 200000 + i * 1000, i).ok());
    }
  }
  auto r = Server().Get(
      "/api/v1/query_range?query=sum(rate(big%5B30s%5D))%20*%20on()%20group_left%20count(big)&start=200&end=11000&step=1&"
      "timeout=0.000001");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find(R"("errorType":"timeout")"), std::string::npos) << r.body;
}

TEST_F(QueryApiTest, QueryExemplarsIsEmpty) {
  EXPECT_EQ(Server().Get("/api/v1/query_exemplars?query=up&start=0&end=100").body, R"({"status":"success","data":[]})");
  EXPECT_EQ(Server().Get("/api/v1/query_exemplars?query=1").body, R"({"status":"success","data":null})");
  auto r = Server().Get("/api/v1/query_exemplars?query=up&start=100&end=0");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"status":"error","errorType":"bad_data","error":"end timestamp must not be before start timestamp"})");
}

TEST_F(QueryApiTest, AnnotationsAsPrometheusListsThem) {
  EXPECT_EQ(Server().Get("/api/v1/query?query=rate(up%5B1m%5D)&time=150").body,
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"job":"api"},"value":[150,"0"]},{"metric":{"job":"web"},"value":[150,"0"]}]},)"
            R"j("infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"up\" (1:6)"]})j");
  auto r = Server().Get("/api/v1/query?query=quantile(2,%20up)&time=150");
  EXPECT_NE(r.body.find(R"j("warnings":["PromQL warning: quantile value should be between 0 and 1, got 2 (1:10)"])j"),
            std::string::npos)
      << r.body;
}

TEST_F(QueryApiTest, FormatQuery) {
  EXPECT_EQ(Server().Get("/api/v1/format_query?query=sum%20by(job)(rate(x%5B300s%5D))").body,
            R"j({"status":"success","data":"sum by (job) (rate(x[5m]))"})j");
  auto r = Server().PostForm("/api/v1/format_query", "query=foo{");
  EXPECT_EQ(r.status, 400);
}

}  // namespace
}  // namespace pharos::api
