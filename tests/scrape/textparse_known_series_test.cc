// Parser::SetKnownSeries: lines whose series text the hook knows skip label
// parsing but keep their value, timestamp and line numbers; labels are
// still available on demand; unknown or newline-bearing series take the
// full parse, and errors after the series are still reported. The prefix
// hook finds a known series without skimming its labels; what it returns is
// taken only when it is a series text with labels.
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

// Answers the prefix hook with the first of `texts` the line starts with.
struct Prefixes {
  std::vector<std::string> texts;
  int asked = 0;
  static size_t Fn(void* ctx, const char* line, const char* end) {
    auto* k = static_cast<Prefixes*>(ctx);
    ++k->asked;
    std::string_view rest(line, static_cast<size_t>(end - line));
    for (const auto& t : k->texts) {
      if (rest.substr(0, t.size()) == t) return t.size();
    }
    return 0;
  }
};

TEST(KnownSeriesTest, PrefixHookSkipsLabels) {
  const std::string body =
      "# HELP a help\n"
      "a{x=\"1\",y=\"q\\\"}\"} 5 1000\n"
      "a{x=\"2\"}\t6\n"
      "b 7\n"
      "a{x=\"1\",y=\"q\\\"}\"}{} 8\n";
  Prefixes k;
  k.texts = {"a{x=\"1\",y=\"q\\\"}\"}", "b"};
  Parser p(Format::kPrometheusText, body);
  p.SetKnownSeries(Parser::KnownSeries{&Prefixes::Fn, nullptr, &k});
  ASSERT_EQ(p.Next(), Entry::kHelp);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_TRUE(p.LabelsSkipped());
  EXPECT_EQ(p.Series(), "a{x=\"1\",y=\"q\\\"}\"}");
  EXPECT_EQ(p.MetricName(), "a");
  EXPECT_EQ(p.Value(), 5);
  EXPECT_EQ(p.Timestamp(), 1000);
  EXPECT_EQ(p.Line(), 2u);
  Labels l;
  p.Labels(&l);
  EXPECT_EQ(l.Get("y"), "q\"}");
  EXPECT_EQ(l.Get("x"), "1");

  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_FALSE(p.LabelsSkipped());
  EXPECT_EQ(p.Series(), "a{x=\"2\"}");
  EXPECT_EQ(p.Value(), 6);

  // "b" is a prefix of the line but not a series with labels: ignored.
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_FALSE(p.LabelsSkipped());
  EXPECT_EQ(p.Series(), "b");
  EXPECT_EQ(p.Value(), 7);
  EXPECT_EQ(p.Line(), 4u);

  // A known prefix followed by bytes that are no value is still an error.
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_EQ(k.asked, 4);
}

TEST(KnownSeriesTest, PrefixMissFallsBackToLookup) {
  Prefixes k;
  Known lookup;
  lookup.texts.insert("a{x=\"1\"}");
  struct Both {
    Prefixes* prefixes;
    Known* known;
  } both{&k, &lookup};
  Parser::KnownSeries hooks;
  hooks.prefix = [](void* ctx, const char* line, const char* end) {
    return Prefixes::Fn(static_cast<Both*>(ctx)->prefixes, line, end);
  };
  hooks.lookup = [](void* ctx, std::string_view s) { return Known::Fn(static_cast<Both*>(ctx)->known, s); };
  hooks.ctx = &both;
  Parser p(Format::kPrometheusText, "a{x=\"1\"} 1\na{x=\"2\"} 2\n");
  p.SetKnownSeries(hooks);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_TRUE(p.LabelsSkipped());
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_FALSE(p.LabelsSkipped());
  EXPECT_EQ(p.NumLabels(), 1u);
  EXPECT_EQ(p.Next(), Entry::kEof);
  EXPECT_EQ(k.asked, 2);
  EXPECT_EQ(lookup.asked, 2);
}

}  // namespace
}  // namespace pharos::scrape::textparse
