// BodyAppender through its public API, on the in-memory store: what a scrape
// body turns into (labels, synthetic series, staleness, limits, relabeling),
// and that a failing body stores nothing of itself.
#include "scrape/body_appender.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "common/matcher.h"
#include "config/config.h"
#include "storage/memory_storage.h"

namespace pharos::scrape {
namespace {

using storage::MemoryStorage;

// All samples of the series matching name=`metric`, keyed by the series'
// labels as text.
std::map<std::string, std::vector<storage::Sample>> Dump(MemoryStorage& mem, const std::string& metric) {
  std::map<std::string, std::vector<storage::Sample>> out;
  auto q = mem.NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_TRUE(q.ok());
  Matchers ms;
  ms.push_back(*Matcher::Make(MatchType::kEqual, "__name__", metric));
  auto set = (*q)->Select(true, nullptr, ms);
  while (set->Next()) {
    auto it = set->At().Iterator();
    auto& v = out[set->At().labels().ToString()];
    while (it->Next()) v.push_back(it->At());
  }
  return out;
}

config::ScrapeConfig JobFromYaml(const std::string& job_yaml) {
  auto cfg = config::LoadString("scrape_configs:\n" + job_yaml, "test.yml");
  EXPECT_TRUE(cfg.ok()) << cfg.status();
  return cfg->scrape_configs.at(0);
}

class BodyAppenderTest : public ::testing::Test {
 protected:
  BodyAppender Make(const config::ScrapeConfig* job = nullptr) {
    BodyAppenderOptions o;
    o.target_labels = Labels({{"instance", "h:1"}, {"job", "j"}});
    if (job != nullptr) {
      o.limits = job->limits;
      o.metric_relabel = &job->metric_relabel_configs;
      o.honor_labels = job->honor_labels;
    }
    return BodyAppender(&mem_, o);
  }
  MemoryStorage mem_;
};

TEST_F(BodyAppenderTest, AttachesTargetLabelsAndReportSeries) {
  BodyAppender a = Make();
  AppendStats st;
  ASSERT_TRUE(a.AppendBody("# TYPE x counter\nx_total{a=\"1\"} 3\nx_total{a=\"2\"} 4\n", "text/plain", 1000, &st).ok());
  EXPECT_EQ(st.scraped, 2u);
  EXPECT_EQ(st.post_relabel, 2u);
  EXPECT_EQ(st.series_added, 2u);
  ASSERT_TRUE(a.AppendReport(1000, true, 0.25, st).ok());
  auto x = Dump(mem_, "x_total");
  ASSERT_EQ(x.size(), 2u);
  EXPECT_EQ(x.begin()->first, R"(x_total{a="1", instance="h:1", job="j"})");
  EXPECT_EQ(x.begin()->second, (std::vector<storage::Sample>{{1000, 3}}));
  EXPECT_EQ(Dump(mem_, "up").begin()->second, (std::vector<storage::Sample>{{1000, 1}}));
  EXPECT_EQ(Dump(mem_, "scrape_duration_seconds").begin()->second[0].v, 0.25);
  EXPECT_EQ(Dump(mem_, "scrape_samples_scraped").begin()->second[0].v, 2);
  EXPECT_EQ(Dump(mem_, "scrape_samples_post_metric_relabeling").begin()->second[0].v, 2);
  EXPECT_EQ(Dump(mem_, "scrape_series_added").begin()->second[0].v, 2);

  // The same series again: nothing added.
  AppendStats st2;
  ASSERT_TRUE(a.AppendBody("x_total{a=\"1\"} 5\nx_total{a=\"2\"} 6\n", "text/plain", 2000, &st2).ok());
  EXPECT_EQ(st2.series_added, 0u);
}

TEST_F(BodyAppenderTest, ParseErrorStoresNothingAndMarksPreviousSeriesStale) {
  BodyAppender a = Make();
  AppendStats st;
  ASSERT_TRUE(a.AppendBody("good 1\n", "text/plain", 1000, &st).ok());
  absl::Status s = a.AppendBody("new_metric 1\nbroken{ 2\n", "text/plain", 2000, &st);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("line 2"), std::string::npos) << s;  // names the line
  EXPECT_TRUE(Dump(mem_, "new_metric").empty());
  auto good = Dump(mem_, "good").begin()->second;
  ASSERT_EQ(good.size(), 2u);
  EXPECT_TRUE(storage::IsStaleNaN(good[1].v));
  EXPECT_EQ(good[1].t, 2000);
}

TEST_F(BodyAppenderTest, SeriesThatLeaveGetStalenessMarkers) {
  BodyAppender a = Make();
  AppendStats st;
  ASSERT_TRUE(a.AppendBody("m{k=\"a\"} 1\nm{k=\"b\"} 1\n", "text/plain", 1000, &st).ok());
  ASSERT_TRUE(a.AppendBody("m{k=\"a\"} 2\n", "text/plain", 2000, &st).ok());
  auto m = Dump(mem_, "m");
  auto b = m[R"(m{instance="h:1", job="j", k="b"})"];
  ASSERT_EQ(b.size(), 2u);
  EXPECT_TRUE(storage::IsStaleNaN(b[1].v));
  auto a_s = m[R"(m{instance="h:1", job="j", k="a"})"];
  EXPECT_EQ(a_s.size(), 2u);
  EXPECT_FALSE(std::isnan(a_s[1].v));

  // The target goes away: everything it had, report series included, ends.
  ASSERT_TRUE(a.AppendReport(2000, true, 0.1, st).ok());
  ASSERT_TRUE(a.AppendEndOfTarget(3000).ok());
  EXPECT_TRUE(storage::IsStaleNaN(Dump(mem_, "m")[R"(m{instance="h:1", job="j", k="a"})"].back().v));
  EXPECT_TRUE(storage::IsStaleNaN(Dump(mem_, "up").begin()->second.back().v));
}

TEST_F(BodyAppenderTest, SampleLimitRefusesTheWholeBody) {
  auto job = JobFromYaml("  - job_name: j\n    sample_limit: 2\n");
  BodyAppender a = Make(&job);
  AppendStats st;
  absl::Status s = a.AppendBody("a 1\nb 1\nc 1\n", "text/plain", 1000, &st);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("sample limit"), std::string::npos) << s;
  EXPECT_TRUE(Dump(mem_, "a").empty());
  EXPECT_TRUE(a.AppendBody("a 1\nb 1\n", "text/plain", 2000, &st).ok());
}

TEST_F(BodyAppenderTest, LabelLimits) {
  auto job = JobFromYaml("  - job_name: j\n    label_limit: 3\n    label_value_length_limit: 4\n");
  BodyAppender a = Make(&job);
  AppendStats st;
  // __name__, instance, job + one more = 4 > 3.
  EXPECT_FALSE(a.AppendBody("a{x=\"1\"} 1\n", "text/plain", 1000, &st).ok());
  auto job2 = JobFromYaml("  - job_name: j\n    label_value_length_limit: 4\n");
  BodyAppender b = Make(&job2);
  absl::Status s = b.AppendBody("a{x=\"12345\"} 1\n", "text/plain", 1000, &st);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Dump(mem_, "a").empty());
}

TEST_F(BodyAppenderTest, MetricRelabelingDropsAndRewrites) {
  auto job = JobFromYaml(
      "  - job_name: j\n"
      "    metric_relabel_configs:\n"
      "      - source_labels: [__name__]\n"
      "        regex: 'go_.*'\n"
      "        action: drop\n"
      "      - source_labels: [mode]\n"
      "        target_label: mode\n"
      "        regex: '(.*)'\n"
      "        replacement: 'm_$1'\n");
  BodyAppender a = Make(&job);
  AppendStats st;
  ASSERT_TRUE(a.AppendBody("go_threads 5\ncpu{mode=\"idle\"} 1\n", "text/plain", 1000, &st).ok());
  EXPECT_EQ(st.scraped, 2u);
  EXPECT_EQ(st.post_relabel, 1u);
  EXPECT_TRUE(Dump(mem_, "go_threads").empty());
  EXPECT_EQ(Dump(mem_, "cpu").begin()->first, R"(cpu{instance="h:1", job="j", mode="m_idle"})");
}

TEST_F(BodyAppenderTest, ClashingLabelsBecomeExportedUnlessHonored) {
  BodyAppender a = Make();
  AppendStats st;
  ASSERT_TRUE(a.AppendBody("m{job=\"inner\"} 1\n", "text/plain", 1000, &st).ok());
  EXPECT_EQ(Dump(mem_, "m").begin()->first, R"(m{exported_job="inner", instance="h:1", job="j"})");

  MemoryStorage mem2;
  auto job = JobFromYaml("  - job_name: j\n    honor_labels: true\n");
  BodyAppenderOptions o;
  o.target_labels = Labels({{"instance", "h:1"}, {"job", "j"}});
  o.honor_labels = true;
  BodyAppender h(&mem2, o);
  ASSERT_TRUE(h.AppendBody("m{job=\"inner\"} 1\n", "text/plain", 1000, &st).ok());
  EXPECT_EQ(Dump(mem2, "m").begin()->first, R"(m{instance="h:1", job="inner"})");
}

TEST_F(BodyAppenderTest, OpenMetricsByContentType) {
  BodyAppender a = Make();
  AppendStats st;
  ASSERT_TRUE(a.AppendBody("# TYPE c counter\nc_total 1 5\n# EOF\n", "application/openmetrics-text; version=1.0.0",
                           1000, &st).ok());
  auto c = Dump(mem_, "c_total");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c.begin()->second[0].t, 5000);  // OpenMetrics timestamps are seconds
  // Without # EOF, OpenMetrics is refused.
  EXPECT_FALSE(a.AppendBody("c_total 2\n", "application/openmetrics-text; version=1.0.0", 2000, &st).ok());
}

TEST(MergeTargetLabelsTest, ExportedPrefixRepeats) {
  Labels sample({{"__name__", "m"}, {"job", "a"}, {"exported_job", "b"}});
  Labels target({{"job", "t"}});
  EXPECT_EQ(MergeTargetLabels(sample, target, false).ToString(),
            R"(m{exported_exported_job="a", exported_job="b", job="t"})");
}

}  // namespace
}  // namespace pharos::scrape
