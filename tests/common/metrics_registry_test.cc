#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/metrics/registry.h"
#include "common/metrics/text_format.h"

namespace pharos::metrics {
namespace {

TEST(MetricsRegistry, RendersFamiliesSortedWithHelpAndType) {
  Registry reg;
  auto* reqs = reg.NewCounterFamily("http_requests_total", "Requests by code.", {"handler", "code"});
  reqs->With({"/b", "200"})->Inc();
  reqs->With({"/a", "500"})->Inc(3);
  reqs->With({"/a", "200"})->Add(2.5);
  reg.NewGauge("a_gauge", "A gauge.")->Set(-1.5);
  std::string out;
  reg.WriteText(&out);
  EXPECT_EQ(out,
            "# HELP a_gauge A gauge.\n"
            "# TYPE a_gauge gauge\n"
            "a_gauge -1.5\n"
            "# HELP http_requests_total Requests by code.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{handler=\"/a\",code=\"200\"} 2.5\n"
            "http_requests_total{handler=\"/a\",code=\"500\"} 3\n"
            "http_requests_total{handler=\"/b\",code=\"200\"} 1\n");
}

TEST(MetricsRegistry, WithReturnsTheSameChild) {
  Registry reg;
  auto* f = reg.NewCounterFamily("c_total", "c", {"x"});
  EXPECT_EQ(f->With({"1"}), f->With({"1"}));
  EXPECT_NE(f->With({"1"}), f->With({"2"}));
  EXPECT_EQ(f->With({"1"}), f->With(std::vector<std::string>{"1"}));
}

TEST(MetricsRegistry, RegisteringTwiceReturnsTheExistingFamily) {
  Registry reg;
  auto* a = reg.NewCounterFamily("c_total", "c", {"x"});
  auto* b = reg.NewCounterFamily("c_total", "c", {"x"});
  EXPECT_EQ(a, b);
  EXPECT_DEATH(reg.NewGaugeFamily("c_total", "c", {"x"}), "registered twice");
  EXPECT_DEATH(reg.NewCounterFamily("c_total", "c", {"y"}), "registered twice");
  EXPECT_DEATH(reg.NewCounter("bad-name", "x"), "invalid metric name");
  EXPECT_DEATH(reg.NewCounterFamily("ok", "x", {"__reserved"}), "invalid label name");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  Registry reg;
  reg.NewGaugeFamily("g", "Line one\\two\nthree \"q\"", {"l"})->With({"a\"b\\c\nd"})->Set(1);
  std::string out;
  reg.WriteText(&out);
  EXPECT_EQ(out,
            "# HELP g Line one\\\\two\\nthree \"q\"\n"
            "# TYPE g gauge\n"
            "g{l=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsRegistry, RendersHistogramsCumulatively) {
  Registry reg;
  auto* h = reg.NewHistogramFamily("d_seconds", "Durations.", {"h"}, {0.1, 1, 10})->With({"x"});
  for (double v : {0.05, 0.1, 0.5, 5.0, 50.0}) h->Observe(v);
  std::string out;
  reg.WriteText(&out);
  EXPECT_EQ(out,
            "# HELP d_seconds Durations.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{h=\"x\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{h=\"x\",le=\"1\"} 3\n"
            "d_seconds_bucket{h=\"x\",le=\"10\"} 4\n"
            "d_seconds_bucket{h=\"x\",le=\"+Inf\"} 5\n"
            "d_seconds_sum{h=\"x\"} 55.65\n"
            "d_seconds_count{h=\"x\"} 5\n");
}

TEST(MetricsRegistry, UnlabelledHistogramHasOnlyLe) {
  Registry reg;
  reg.NewHistogram("h", "H.", {1})->Observe(2);
  std::string out;
  reg.WriteText(&out);
  EXPECT_EQ(out,
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\nh_sum 2\nh_count 1\n");
}

TEST(MetricsRegistry, CollectorsAndFuncsRunAtScrapeTime) {
  Registry reg;
  double v = 1;
  reg.NewGaugeFunc("queue_length", "Items queued.", [&] { return v; });
  int id = reg.AddCollector([](std::vector<FamilySnapshot>* out) {
    FamilySnapshot f;
    f.name = "b_info";
    f.help = "Info.";
    f.type = MetricType::kGauge;
    f.metrics.push_back({{{"version", "1.0"}}, 1});
    out->push_back(f);
  });
  v = 7;
  std::string out;
  reg.WriteText(&out);
  EXPECT_EQ(out,
            "# HELP b_info Info.\n# TYPE b_info gauge\nb_info{version=\"1.0\"} 1\n"
            "# HELP queue_length Items queued.\n# TYPE queue_length gauge\nqueue_length 7\n");
  reg.RemoveCollector(id);
  out.clear();
  reg.WriteText(&out);
  EXPECT_EQ(out, "# HELP queue_length Items queued.\n# TYPE queue_length gauge\nqueue_length 7\n");
}

TEST(MetricsRegistry, EmptyFamiliesAreOmitted) {
  Registry reg;
  reg.NewCounterFamily("never_used_total", "x", {"a"});
  std::string out;
  reg.WriteText(&out);
  EXPECT_EQ(out, "");
}

TEST(MetricsRegistry, ConcurrentUpdatesAreNotLost) {
  Registry reg;
  auto* fam = reg.NewCounterFamily("c_total", "c", {"t"});
  Gauge* g = reg.NewGauge("g", "g");
  Histogram* h = reg.NewHistogram("h", "h", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        fam->With({"x"})->Inc();
        fam->With({"x"})->Add(0.5);
        g->Add(1);
        h->Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_DOUBLE_EQ(fam->With({"x"})->Value(), 60000);
  EXPECT_DOUBLE_EQ(g->Value(), 40000);
  auto s = h->Snap();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_EQ(s.cumulative[0], 40000u);
  EXPECT_DOUBLE_EQ(s.sum, 20000);
}

TEST(MetricsCounter, IgnoresNegativeAdds) {
  Counter c;
  c.Add(-1);
  c.Add(2);
  EXPECT_EQ(c.Value(), 2);
}

TEST(MetricsHistogram, NaNGoesToInf) {
  std::vector<double> b = {1};
  Histogram h(&b);
  h.Observe(std::nan(""));
  auto s = h.Snap();
  EXPECT_EQ(s.cumulative[0], 0u);
  EXPECT_EQ(s.cumulative[1], 1u);
}

TEST(MetricsBuckets, Layouts) {
  EXPECT_EQ(ExponentialBuckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_EQ(LinearBuckets(1, 2, 3), (std::vector<double>{1, 3, 5}));
  EXPECT_EQ(DefaultBuckets().size(), 11u);
}

}  // namespace
}  // namespace pharos::metrics
