#include <gtest/gtest.h>

#include "http/router.h"

namespace pharos::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&, Response& res) { res.body = name; };
}

std::string RunRoute(const Router::Match& m) {
  Request req;
  Response res;
  m.route->handler(req, res);
  return res.body;
}

TEST(Router, MatchesExactParamAndCatchAllRoutes) {
  Router r;
  r.Get("/api/v1/labels", Named("labels"));
  r.Post("/api/v1/labels", Named("labels-post"));
  r.Get("/api/v1/label/:name/values", Named("values"));
  r.Get("/static/*filepath", Named("static"));
  r.Get("/api/v1/label/special/values", Named("exact-wins"));
  r.Handle("OPTIONS", "/api/v1/*path", Named("options"));

  struct Case {
    const char* method;
    const char* path;
    int status;
    const char* handler;
    Pairs params;
    const char* allow;
  } cases[] = {
      {"GET", "/api/v1/labels", 0, "labels", {}, ""},
      {"POST", "/api/v1/labels", 0, "labels-post", {}, ""},
      {"HEAD", "/api/v1/labels", 0, "labels", {}, ""},
      {"GET", "/api/v1/label/job/values", 0, "values", {{"name", "job"}}, ""},
      {"GET", "/api/v1/label/special/values", 0, "exact-wins", {}, ""},
      {"GET", "/static/js/app.js", 0, "static", {{"filepath", "/js/app.js"}}, ""},
      {"OPTIONS", "/api/v1/labels", 0, "options", {{"path", "/labels"}}, ""},
      {"DELETE", "/api/v1/labels", 405, "", {}, "GET, POST, OPTIONS"},
      {"POST", "/api/v1/label/job/values", 405, "", {}, "GET, OPTIONS"},
      {"GET", "/api/v1/label//values", 404, "", {}, ""},
      {"GET", "/api/v1/label/job/values/extra", 404, "", {}, ""},
      {"GET", "/nothing", 404, "", {}, ""},
  };
  for (const auto& c : cases) {
    auto m = r.Find(c.method, c.path);
    EXPECT_EQ(m.status, c.status) << c.method << " " << c.path;
    if (c.status == 0) {
      ASSERT_NE(m.route, nullptr);
      EXPECT_EQ(RunRoute(m), c.handler) << c.path;
      EXPECT_EQ(m.params, c.params) << c.path;
    } else {
      EXPECT_EQ(m.allow, c.allow) << c.path;
    }
  }
}

TEST(Router, MetricNameDefaultsToThePattern) {
  Router r;
  r.Get("/a/:x", Named("a"));
  r.Get("/b", Named("b"), {.metric_name = "bee"});
  EXPECT_EQ(r.routes()[0].options.metric_name, "/a/:x");
  EXPECT_EQ(r.routes()[1].options.metric_name, "bee");
  EXPECT_EQ(r.routes()[1].index, 1u);
}

TEST(Router, RejectsBadPatterns) {
  Router r;
  r.Get("/x", Named("x"));
  EXPECT_DEATH(r.Get("/x", Named("y")), "duplicate route");
  EXPECT_DEATH(r.Get("x", Named("y")), "must start with");
  EXPECT_DEATH(r.Get("/a/*rest/b", Named("y")), "catch-all must be last");
}

}  // namespace
}  // namespace pharos::http
