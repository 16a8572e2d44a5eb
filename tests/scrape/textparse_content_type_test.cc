// Choosing the parser by Content-Type and the Accept header of a scrape.
#include <vector>

#include <gtest/gtest.h>

#include "scrape/textparse/content_type.h"
#include "scrape/textparse/parser.h"

namespace pharos::scrape::textparse {
namespace {

TEST(ContentType, OpenMetricsOnlyForItsMediaType) {
  struct {
    const char* content_type;
    Format want;
  } cases[] = {
      {"application/openmetrics-text; version=1.0.0; charset=utf-8", Format::kOpenMetrics},
      {"application/openmetrics-text;version=0.0.1", Format::kOpenMetrics},
      {"application/openmetrics-text", Format::kOpenMetrics},
      {" Application/OpenMetrics-Text ; version=1.0.0", Format::kOpenMetrics},
      {"text/plain; version=0.0.4; charset=utf-8", Format::kPrometheusText},
      {"text/plain", Format::kPrometheusText},
      {"", Format::kPrometheusText},
      {"application/json", Format::kPrometheusText},
      {"application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily",
       Format::kPrometheusText},
      {"application/openmetrics-textx", Format::kPrometheusText},
      {";;garbage", Format::kPrometheusText},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatForContentType(c.content_type), c.want) << c.content_type;
  }
}

TEST(ContentType, ParserForContentType) {
  Parser om = Parser::ForContentType("application/openmetrics-text; version=1.0.0", "a 1\n");
  EXPECT_EQ(om.format(), Format::kOpenMetrics);
  EXPECT_EQ(om.Next(), Entry::kSeries);
  EXPECT_EQ(om.Next(), Entry::kError);  // no "# EOF"
  Parser text = Parser::ForContentType("", "a 1\n");
  EXPECT_EQ(text.format(), Format::kPrometheusText);
  EXPECT_EQ(text.Next(), Entry::kSeries);
  EXPECT_EQ(text.Next(), Entry::kEof);
}

TEST(AcceptHeader, DefaultIsPrometheus253s) {
  std::vector<ScrapeProtocol> defaults = {ScrapeProtocol::kOpenMetricsText1_0_0,
                                          ScrapeProtocol::kOpenMetricsText0_0_1,
                                          ScrapeProtocol::kPrometheusText0_0_4};
  EXPECT_EQ(AcceptHeader(defaults), kScrapeAcceptHeader);
  EXPECT_EQ(kScrapeAcceptHeader,
            "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;"
            "version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
}

TEST(AcceptHeader, FollowsTheConfiguredOrder) {
  std::vector<ScrapeProtocol> protocols = {ScrapeProtocol::kPrometheusProto,
                                           ScrapeProtocol::kPrometheusText0_0_4};
  EXPECT_EQ(AcceptHeader(protocols),
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
            "encoding=delimited;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.3");
}

TEST(ScrapeProtocolNames, AsInTheConfigFile) {
  EXPECT_EQ(ParseScrapeProtocol("OpenMetricsText1.0.0"), ScrapeProtocol::kOpenMetricsText1_0_0);
  EXPECT_EQ(ParseScrapeProtocol("OpenMetricsText0.0.1"), ScrapeProtocol::kOpenMetricsText0_0_1);
  EXPECT_EQ(ParseScrapeProtocol("PrometheusText0.0.4"), ScrapeProtocol::kPrometheusText0_0_4);
  EXPECT_EQ(ParseScrapeProtocol("PrometheusProto"), ScrapeProtocol::kPrometheusProto);
  EXPECT_EQ(ParseScrapeProtocol("prometheustext0.0.4"), std::nullopt);
}

}  // namespace
}  // namespace pharos::scrape::textparse
