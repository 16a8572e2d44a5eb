#include <gtest/gtest.h>

#include "api/testing/api_server.h"

namespace pharos::api {
namespace {

class FakeRules : public RulesProvider {
 public:
  std::vector<RuleGroupInfo> RuleGroups() override { return groups; }
  std::vector<RuleGroupInfo> groups;
};

class RulesApiTest : public ::testing::Test {
 protected:
  RulesApiTest() {
    RuleGroupInfo g;
    g.name = "g";
    g.file = "/etc/alerts.yml";
    g.interval_s = 30;
    g.evaluation_time_s = 0.5;
    RuleInfo a;
    a.alerting = true;
    a.name = "Down";
    a.query = "up == 0";
    a.duration_s = 300;
    a.labels = Labels{{"severity", "page"}};
    a.annotations = Labels{{"summary", "down"}};
    a.health = "ok";
    a.alerts.push_back(RuleAlert{Labels{{"alertname", "Down"}, {"job", "a"}}, Labels{{"summary", "down"}}, "firing",
                                 absl::FromUnixSeconds(1700000000), 0});
    RuleInfo r;
    r.name = "job:x:sum";
    r.query = "sum by (job) (x)";
    r.health = "err";
    r.last_error = "boom";
    g.rules = {a, r};
    rules_.groups = {g};
    ApiDeps deps;
    deps.rules = &rules_;
    server_ = std::make_unique<testing::ApiServer>(ApiOptions{}, std::move(deps));
  }
  FakeRules rules_;
  std::unique_ptr<testing::ApiServer> server_;
};

constexpr std::string_view kAlert =
    R"j({"labels":{"alertname":"Down","job":"a"},"annotations":{"summary":"down"},"state":"firing",)j"
    R"j("activeAt":"2023-11-14T22:13:20Z","value":"0e+00"})j";

TEST_F(RulesApiTest, RulesInPrometheusShape) {
  auto r = server_->Get("/api/v1/rules");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string want = std::string(R"j({"status":"success","data":{"groups":[{"name":"g","file":"/etc/alerts.yml","rules":[)j") +
                     R"j({"state":"firing","name":"Down","query":"up == 0","duration":300,"keepFiringFor":0,)j" +
                     R"j("labels":{"severity":"page"},"annotations":{"summary":"down"},"alerts":[)j" + std::string(kAlert) +
                     R"j(],"health":"ok","lastError":"","evaluationTime":0,"lastEvaluation":"0001-01-01T00:00:00Z","type":"alerting"},)j" +
                     R"j({"name":"job:x:sum","query":"sum by (job) (x)","labels":{},"health":"err","lastError":"boom",)j" +
                     R"j("evaluationTime":0,"lastEvaluation":"0001-01-01T00:00:00Z","type":"recording"}],)j" +
                     R"j("interval":30,"limit":0,"evaluationTime":0.5,"lastEvaluation":"0001-01-01T00:00:00Z"}]}})j";
  EXPECT_EQ(r.body, want);
  auto rec = server_->Get("/api/v1/rules?type=record");
  EXPECT_EQ(rec.body.find("\"Down\""), std::string::npos) << rec.body;
  EXPECT_NE(rec.body.find("job:x:sum"), std::string::npos);
  EXPECT_EQ(server_->Get("/api/v1/rules?type=bogus").status, 400);
}

TEST_F(RulesApiTest, Alerts) {
  auto r = server_->Get("/api/v1/alerts");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(R"j({"status":"success","data":{"alerts":[)j") + std::string(kAlert) + "]}}");
}

}  // namespace
}  // namespace pharos::api
