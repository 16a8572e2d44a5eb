// Parser::SetKnownSeries: lines whose series text the hook knows skip label
// parsing but keep their value, timestamp and line numbers; labels are
// still available on demand; unknown or newline-bearing series take the
// full parse, and errors after the series are still reported.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "scrape/textparse/parser.h"

namespace pharos::scrape::textparse {
namespace {

struct Known {
  std::set<std::string> texts;
  int asked = 0;
  static bool Fn(void* ctx, std::string_view s) {
    auto* k = static_cast<Known*>(ctx);
    ++k->asked;
    return k->texts.count(std::string(s)) > 0;
  }
};

TEST(KnownSeriesTest, SkipsLabelsOfKnownSeriesOnly) {
  const std::string body =
      "a{x=\"1\",y=\"q\\\"}\"} 5 1000\n"
      "a{x=\"2\"} 6\n"
      "b 7\n";
  Known k;
  k.texts.insert("a{x=\"1\",y=\"q\\\"}\"}");
  Parser p(Format::kPrometheusText, body);
  p.SetKnownSeries(&Known::Fn, &k);

  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_TRUE(p.LabelsSkipped());
  EXPECT_EQ(p.Series(), "a{x=\"1\",y=\"q\\\"}\"}");
  EXPECT_EQ(p.Value(), 5);
  EXPECT_TRUE(p.HasTimestamp());
  EXPECT_EQ(p.Timestamp(), 1000);
  Labels l;
  p.Labels(&l);
  // The same labels as the full parse gives.
  Parser full(Format::kPrometheusText, body);
  ASSERT_EQ(full.Next(), Entry::kSeries);
  EXPECT_FALSE(full.LabelsSkipped());
  Labels want;
  full.Labels(&want);
  EXPECT_EQ(l, want);
  EXPECT_EQ(l.Get("y"), "q\"}");
  std::vector<LabelView> views;
  std::string scratch;
  p.LabelViews(&views, &scratch);
  ASSERT_EQ(views.size(), 3u);
  EXPECT_EQ(views[0].value, "a");
  EXPECT_EQ(views[2].name, "y");
  EXPECT_EQ(views[2].value, "q\"}");

  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_FALSE(p.LabelsSkipped());
  EXPECT_EQ(p.NumLabels(), 1u);
  EXPECT_EQ(p.Line(), 2u);

  ASSERT_EQ(p.Next(), Entry::kSeries);  // no labels: the hook is not asked
  EXPECT_FALSE(p.LabelsSkipped());
  EXPECT_EQ(p.Line(), 3u);
  EXPECT_EQ(p.Next(), Entry::kEof);
  EXPECT_EQ(k.asked, 2);
}

TEST(KnownSeriesTest, NewlineInValueTakesTheFullParse) {
  const std::string body = "a{x=\"one\ntwo\"} 1\nb{y=\"z\"} 2\n";
  Known k;
  k.texts.insert("a{x=\"one\ntwo\"}");
  k.texts.insert("b{y=\"z\"}");
  Parser p(Format::kPrometheusText, body);
  p.SetKnownSeries(&Known::Fn, &k);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_FALSE(p.LabelsSkipped());
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_TRUE(p.LabelsSkipped());
  EXPECT_EQ(p.Line(), 3u);  // the newline inside the first value counted
}

TEST(KnownSeriesTest, BadValueAfterAKnownSeriesIsAnError) {
  Known k;
  k.texts.insert("a{x=\"1\"}");
  Parser p(Format::kPrometheusText, "a{x=\"1\"} nope\n");
  p.SetKnownSeries(&Known::Fn, &k);
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_FALSE(p.Err().ok());
}

}  // namespace
}  // namespace pharos::scrape::textparse
