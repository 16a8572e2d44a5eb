#include <gtest/gtest.h>

#include "api/testing/api_server.h"
#include "common/metrics/registry.h"
#include "http/url.h"
#include "storage/memory_storage.h"

namespace pharos::api {
namespace {

using testing::ApiServer;

class SeriesApiTest : public ::testing::Test {
 protected:
  SeriesApiTest() {
    Add({{"__name__", "up"}, {"job", "node"}, {"instance", "a:9100"}}, 1000);
    Add({{"__name__", "up"}, {"job", "node"}, {"instance", "a:9100"}}, 2000);
    Add({{"__name__", "up"}, {"job", "prometheus"}, {"instance", "localhost:9090"}}, 1000);
    Add({{"__name__", "http_requests_total"}, {"job", "api"}, {"code", "200"}}, 5000);
    Add({{"__name__", "http_requests_total"}, {"job", "api"}, {"code", "500"}}, 9000);
  }
  void Add(std::initializer_list<std::pair<std::string_view, std::string_view>> l, int64_t t) {
    ASSERT_TRUE(storage_.Add(Labels(l), t, 1).ok());
  }
  ApiServer& Server() {
    if (!server_) {
      ApiDeps deps;
      deps.queryable = queryable_ != nullptr ? queryable_ : &storage_;
      deps.registry = &registry_;
      deps.ready = [this] { return ready_; };
      server_ = std::make_unique<ApiServer>(ApiOptions{}, std::move(deps));
    }
    return *server_;
  }
  std::string Get(const std::string& target, int want_status = 200) {
    auto r = Server().Get(target);
    EXPECT_EQ(r.status, want_status) << target << " -> " << r.body;
    return r.body;
  }

  storage::MemoryStorage storage_;
  storage::Queryable* queryable_ = nullptr;
  metrics::Registry registry_;
  bool ready_ = true;
  std::unique_ptr<ApiServer> server_;
};

std::string Q(std::string_view s) { return http::QueryEscape(s); }

TEST_F(SeriesApiTest, SeriesAnswersLabelSetsSortedAndDeduplicated) {
  EXPECT_EQ(Get("/api/v1/series?match[]=up"),
            R"({"status":"success","data":[{"__name__":"up","instance":"a:9100","job":"node"},)"
            R"({"__name__":"up","instance":"localhost:9090","job":"prometheus"}]})");
  EXPECT_EQ(Get("/api/v1/series?match[]=" + Q("up{job=\"node\"}") + "&match[]=" + Q("{instance=~\"a:.*\"}") +
                "&match[]=" + Q("{code=\"500\"}")),
            R"({"status":"success","data":[{"__name__":"http_requests_total","code":"500","job":"api"},)"
            R"({"__name__":"up","instance":"a:9100","job":"node"}]})");
  EXPECT_EQ(Get("/api/v1/series?match[]=nothing"), R"({"status":"success","data":[]})");
}

TEST_F(SeriesApiTest, SeriesHonoursTheTimeRangeAndPostedForms) {
  EXPECT_EQ(Get("/api/v1/series?match[]=http_requests_total&start=6&end=10"),
            R"({"status":"success","data":[{"__name__":"http_requests_total","code":"500","job":"api"}]})");
  EXPECT_EQ(Get("/api/v1/series?match[]=http_requests_total&start=1970-01-01T00:00:04Z&end=1970-01-01T00:00:05Z"),
            R"({"status":"success","data":[{"__name__":"http_requests_total","code":"200","job":"api"}]})");
  auto r = Server().PostForm("/api/v1/series", "match[]=" + Q("{job=\"prometheus\"}") + "&start=0");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success","data":[{"__name__":"up","instance":"localhost:9090","job":"prometheus"}]})");
  EXPECT_EQ(r.content_type, "application/json");
}

TEST_F(SeriesApiTest, SeriesTruncatesToTheLimitWithAWarning) {
  EXPECT_EQ(Get("/api/v1/series?match[]=up&limit=1"),
            R"({"status":"success","data":[{"__name__":"up","instance":"a:9100","job":"node"}],)"
            R"("warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/series?match[]=up&limit=2"),
            R"({"status":"success","data":[{"__name__":"up","instance":"a:9100","job":"node"},)"
            R"({"__name__":"up","instance":"localhost:9090","job":"prometheus"}]})");
}

TEST_F(SeriesApiTest, SeriesRefusesBadParameters) {
  struct Case {
    std::string target;
    std::string body;
  } cases[] = {
      {"/api/v1/series", R"({"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})"},
      {"/api/v1/series?match[]=" + Q("up{"),
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": 1:4: parse error: unexpected end of input inside braces"})"},
      {"/api/v1/series?match[]=" + Q("{a=\"\"}"),
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": 1:1: parse error: vector selector must contain at least one non-empty matcher"})"},
      {"/api/v1/series?match[]=up&start=x",
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": Invalid time value for 'start': cannot parse \"x\" to a valid timestamp"})"},
      {"/api/v1/series?match[]=up&end=" + Q("2024-13-01T00:00:00Z"),
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": Invalid time value for 'end': cannot parse \"2024-13-01T00:00:00Z\" to a valid timestamp"})"},
      {"/api/v1/series?match[]=up&limit=0",
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": limit must be positive"})"},
  };
  for (const auto& c : cases) EXPECT_EQ(Get(c.target, 400), c.body) << c.target;
}

TEST_F(SeriesApiTest, LabelNames) {
  EXPECT_EQ(Get("/api/v1/labels"), R"({"status":"success","data":["__name__","code","instance","job"]})");
  EXPECT_EQ(Get("/api/v1/labels?match[]=up"), R"({"status":"success","data":["__name__","instance","job"]})");
  EXPECT_EQ(Get("/api/v1/labels?match[]=up&match[]=" + Q("{code=\"200\"}")),
            R"({"status":"success","data":["__name__","code","instance","job"]})");
  EXPECT_EQ(Get("/api/v1/labels?start=3&end=6"), R"({"status":"success","data":["__name__","code","job"]})");
  EXPECT_EQ(Get("/api/v1/labels?match[]=none"), R"({"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/labels?limit=2"),
            R"({"status":"success","data":["__name__","code"],"warnings":["results truncated due to limit"]})");
  auto post = Server().PostForm("/api/v1/labels", "match[]=up");
  EXPECT_EQ(post.body, R"({"status":"success","data":["__name__","instance","job"]})");
  EXPECT_EQ(Get("/api/v1/labels?match[]=" + Q("up{"), 400),
            R"({"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input inside braces"})");
}

TEST_F(SeriesApiTest, LabelValues) {
  EXPECT_EQ(Get("/api/v1/label/job/values"), R"({"status":"success","data":["api","node","prometheus"]})");
  EXPECT_EQ(Get("/api/v1/label/__name__/values"), R"({"status":"success","data":["http_requests_total","up"]})");
  EXPECT_EQ(Get("/api/v1/label/job/values?match[]=up&match[]=" + Q("{code=\"500\"}")),
            R"({"status":"success","data":["api","node","prometheus"]})");
  EXPECT_EQ(Get("/api/v1/label/instance/values?match[]=" + Q("up{job=\"node\"}")),
            R"({"status":"success","data":["a:9100"]})");
  EXPECT_EQ(Get("/api/v1/label/job/values?start=8"), R"({"status":"success","data":["api"]})");
  EXPECT_EQ(Get("/api/v1/label/missing/values"), R"({"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/label/job/values?limit=1"),
            R"({"status":"success","data":["api"],"warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/label/1bad/values", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid label name: \"1bad\""})");
  EXPECT_EQ(Server().Do("POST", "/api/v1/label/job/values").status, 405);
}

TEST_F(SeriesApiTest, AnswersServiceUnavailableUntilReady) {
  ready_ = false;
  auto r = Server().Get("/api/v1/labels");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "Service Unavailable");
  ready_ = true;
  EXPECT_EQ(Server().Get("/api/v1/labels").status, 200);
}

class FailingQueryable : public storage::Queryable {
 public:
  explicit FailingQueryable(absl::Status s) : status_(std::move(s)) {}
  absl::StatusOr<std::unique_ptr<storage::Querier>> NewQuerier(int64_t, int64_t) override { return status_; }
  absl::Status status_;
};

TEST_F(SeriesApiTest, MapsStorageErrorsToPrometheusErrorTypes) {
  FailingQueryable failing(absl::InternalError("block 01H: corrupted index"));
  queryable_ = &failing;
  EXPECT_EQ(Get("/api/v1/labels", 422),
            R"({"status":"error","errorType":"execution","error":"block 01H: corrupted index"})");
}

TEST_F(SeriesApiTest, UnavailableStorageAnswersLikePrometheusNotReadyTsdb) {
  FailingQueryable failing(absl::UnavailableError("TSDB not ready"));
  queryable_ = &failing;
  EXPECT_EQ(Get("/api/v1/series?match[]=up", 500),
            R"({"status":"error","errorType":"unavailable","error":"TSDB not ready"})");
}

TEST_F(SeriesApiTest, CompressesForGzipClientsAndSetsCors) {
  auto r = Server().Get("/api/v1/labels", {{"Accept-Encoding", "gzip"}, {"Origin", "http://grafana:3000"}});
  EXPECT_EQ(r.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(r.Header("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(r.Header("Access-Control-Allow-Methods"), "GET, POST, OPTIONS");
  auto pre = Server().Do("OPTIONS", "/api/v1/query", "", {{"Origin", "http://grafana:3000"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.Header("Access-Control-Allow-Headers"), "Accept, Authorization, Content-Type, Origin");
}

}  // namespace
}  // namespace pharos::api
