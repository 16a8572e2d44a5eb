#include <gtest/gtest.h>

#include "http/listen_address.h"
#include "http/request.h"
#include "http/url.h"

namespace pharos::http {
namespace {

TEST(Url, ParsesQueryLikeGo) {
  struct Case {
    const char* query;
    Pairs want;
  } cases[] = {
      {"a=1&b=2&a=3", {{"a", "1"}, {"b", "2"}, {"a", "3"}}},
      {"match%5B%5D=up%7Bjob%3D%22x%22%7D", {{"match[]", "up{job=\"x\"}"}}},
      {"q=a+b%20c", {{"q", "a b c"}}},
      {"flag&=v&&x=", {{"flag", ""}, {"", "v"}, {"x", ""}}},
      {"bad=%zz&ok=1", {{"ok", "1"}}},
      {"semi=1;x=2&ok=1", {{"ok", "1"}}},
      {"trunc=%4", {}},
      {"", {}},
  };
  for (const auto& c : cases) {
    Pairs got;
    ParseQueryString(c.query, &got);
    EXPECT_EQ(got, c.want) << c.query;
  }
}

TEST(Url, EscapesLikeGo) {
  EXPECT_EQ(QueryEscape("up{job=\"a b\"}"), "up%7Bjob%3D%22a+b%22%7D");
  EXPECT_EQ(PathEscape("a b/c"), "a%20b%2Fc");
  EXPECT_EQ(EncodeQuery({{"match[]", "x"}, {"start", "1.5"}}), "match%5B%5D=x&start=1.5");
  std::string out;
  EXPECT_TRUE(PercentDecode("a%2Fb+c", false, &out));
  EXPECT_EQ(out, "a/b+c");
  EXPECT_FALSE(PercentDecode("%", false, &out));
}

TEST(Request, FormBodyParamsComeBeforeQueryParams) {
  Request r;
  r.method = "POST";
  r.headers = {{"content-type", "application/x-www-form-urlencoded; charset=UTF-8"}};
  r.body = "match[]=a&start=1";
  r.raw_query = "start=2&match[]=b";
  ParseFormParams(&r);
  EXPECT_EQ(r.Param("start"), "1");
  EXPECT_EQ(r.Params("match[]"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_TRUE(r.HasParam("start"));
  EXPECT_FALSE(r.HasParam("end"));
  EXPECT_EQ(r.Header("Content-Type"), "application/x-www-form-urlencoded; charset=UTF-8");

  Request get = r;
  get.method = "GET";  // bodies of GET requests are not forms
  ParseFormParams(&get);
  EXPECT_EQ(get.Param("start"), "2");

  Request json = r;
  json.headers = {{"Content-Type", "application/json"}};
  ParseFormParams(&json);
  EXPECT_EQ(json.Params("match[]").size(), 1u);
}

TEST(Response, SetErrorIsGoHttpError) {
  Response r;
  r.SetError(400, "bad thing");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "bad thing\n");
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  r.SetHeader("CONTENT-TYPE", "x");
  EXPECT_EQ(r.headers.size(), 2u);
}

TEST(ListenAddress, ParsesGoForms) {
  struct Case {
    const char* in;
    bool ok;
    const char* host;
    int port;
  } cases[] = {
      {":9090", true, "", 9090},
      {"127.0.0.1:0", true, "127.0.0.1", 0},
      {"localhost:80", true, "localhost", 80},
      {"[::1]:9090", true, "::1", 9090},
      {"[::]:1", true, "::", 1},
      {"localhost", false, "", 0},
      {":", false, "", 0},
      {":70000", false, "", 0},
      {":x", false, "", 0},
      {"::1:80", false, "", 0},
      {"[::1]", false, "", 0},
  };
  for (const auto& c : cases) {
    auto a = ParseListenAddress(c.in);
    EXPECT_EQ(a.ok(), c.ok) << c.in;
    if (a.ok()) {
      EXPECT_EQ(a->host, c.host) << c.in;
      EXPECT_EQ(a->port, c.port) << c.in;
    }
  }
  EXPECT_EQ(ParseListenAddress("localhost").status().message(), "missing port in address \"localhost\"");
  EXPECT_EQ(JoinHostPort("::1", 80), "[::1]:80");
  EXPECT_EQ(JoinHostPort("a", 80), "a:80");
}

}  // namespace
}  // namespace pharos::http
