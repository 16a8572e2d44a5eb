// ScrapeCache: lookups whatever the order of the series (the in-order
// guess and the index agree), staleness sets, eviction that codes the texts
// again without losing the entries kept, and front-coded texts that decode
// to exactly what was added (across restarts, long shared prefixes, texts
// that are prefixes of each other).
#include "scrape/scrape_cache.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace pharos::scrape {
namespace {

std::string Series(int i) { return "metric_with_a_long_name{label=\"" + std::to_string(i) + "\"}"; }

TEST(ScrapeCacheTest, FindsEntriesInAnyOrder) {
  ScrapeCache c;
  c.BeginScrape();
  for (int i = 0; i < 500; ++i) ASSERT_NE(c.Add(Series(i), 1000 + i), nullptr);
  c.EndScrape(true);
  // Same order, reversed order, and every other one: each gets its own ref.
  std::vector<std::vector<int>> orders(3);
  for (int i = 0; i < 500; ++i) orders[0].push_back(i);
  for (int i = 499; i >= 0; --i) orders[1].push_back(i);
  for (int i = 0; i < 500; i += 2) orders[2].push_back(i);
  for (const auto& order : orders) {
    c.BeginScrape();
    for (int i : order) {
      ScrapeCache::Entry* e = c.Get(Series(i));
      ASSERT_NE(e, nullptr) << i;
      EXPECT_EQ(e->ref, 1000u + i);
      EXPECT_EQ(c.TextOf(*e), Series(i));
    }
    EXPECT_EQ(c.Get(Series(500)), nullptr);
    // A prefix of a cached text is another series.
    EXPECT_EQ(c.Get(Series(1).substr(0, 10)), nullptr);
    c.EndScrape(true);
  }
  EXPECT_EQ(c.size(), 500u);
  // Front-coded: consecutive texts share most of their bytes.
  EXPECT_LT(c.text_bytes(), 500 * Series(100).size() / 2);
}

TEST(ScrapeCacheTest, AddReplacesTheRef) {
  ScrapeCache c;
  c.BeginScrape();
  c.Add("a", 1);
  c.Add("b", 2);
  c.Add("a", 3);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.Get("a")->ref, 3u);
  EXPECT_EQ(c.Get("b")->ref, 2u);
}

TEST(ScrapeCacheTest, StaleAndEviction) {
  ScrapeCache c;
  c.BeginScrape();
  for (int i = 0; i < 100; ++i) c.MarkSeen(c.Add(Series(i), i + 1), true);
  c.EndScrape(true);
  // Series 0..49 vanish: stale once, then evicted after kEvictAfter scrapes.
  c.BeginScrape();
  for (int i = 50; i < 100; ++i) c.MarkSeen(c.Get(Series(i)), true);
  std::set<std::string> stale;
  c.ForEachStale([&](ScrapeCache::Entry& e) { stale.emplace(c.TextOf(e)); });
  EXPECT_EQ(stale.size(), 50u);
  EXPECT_TRUE(stale.count(Series(0)));
  c.EndScrape(true);
  for (int s = 0; s < 20; ++s) {
    c.BeginScrape();
    for (int i = 50; i < 100; ++i) c.MarkSeen(c.Get(Series(i)), true);
    size_t n = 0;
    c.ForEachStale([&](ScrapeCache::Entry&) { ++n; });
    EXPECT_EQ(n, 0u);
    c.EndScrape(true);
  }
  EXPECT_EQ(c.size(), 50u);
  EXPECT_EQ(c.Get(Series(0)), nullptr);
  for (int i = 50; i < 100; ++i) {
    ScrapeCache::Entry* e = c.Get(Series(i));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->ref, static_cast<uint64_t>(i + 1));
  }
  size_t live = 0;
  c.ForEachLive([&](ScrapeCache::Entry&) { ++live; });
  EXPECT_EQ(live, 50u);
  c.Clear();
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.Get(Series(60)), nullptr);
}

TEST(ScrapeCacheTest, MatchNextFindsTheExpectedEntryAsAPrefix) {
  ScrapeCache c;
  c.BeginScrape();
  c.Add("a{x=\"1\"}", 1);
  c.Add("b", 2);
  c.Add("c{x=\"one\ntwo\"}", 3);
  c.Add("d{x=\"1\"}", 4);
  c.EndScrape(true);
  c.BeginScrape();
  ScrapeCache::Entry* e = c.MatchNext("a{x=\"1\"} 1\nb 2\n");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->ref, 1u);
  EXPECT_EQ(e->len, 8u);
  // "b" has no labels and the next has a newline: never prefix-matched.
  EXPECT_EQ(c.MatchNext("b 2\n"), nullptr);
  EXPECT_EQ(c.Get("b")->ref, 2u);
  EXPECT_EQ(c.MatchNext("c{x=\"one\ntwo\"} 3\n"), nullptr);
  EXPECT_EQ(c.Get("c{x=\"one\ntwo\"}")->ref, 3u);
  // A line that only starts like the expected text, or a text cut short.
  EXPECT_EQ(c.MatchNext("d{x=\"2\"} 4\n"), nullptr);
  EXPECT_EQ(c.MatchNext("d{x=\"1\""), nullptr);
  ASSERT_NE(c.MatchNext("d{x=\"1\"} 4\n"), nullptr);
  EXPECT_EQ(c.MatchNext("a{x=\"1\"} 1\n"), nullptr);  // nothing expected after the last
  c.EndScrape(true);
}

TEST(ScrapeCacheTest, FrontCodedTextsDecodeExactly) {
  // Texts sharing prefixes of every length, texts that are prefixes of the
  // previous one, empty-suffix repeats avoided (keys are unique), and a
  // shared prefix longer than the 2-byte field can say.
  std::vector<std::string> texts;
  const std::string huge(70000, 'x');
  for (int i = 0; i < 100; ++i) {
    texts.push_back("m{a=\"" + std::to_string(i / 10) + "\",b=\"" + std::to_string(i) + "\"}");
    if (i % 7 == 0) texts.push_back("m{a=\"" + std::to_string(i) + "\"}");
    if (i % 13 == 0) texts.push_back("m" + std::to_string(i));
    if (i % 31 == 0) texts.push_back(huge + std::to_string(i) + "{}");
    if (i % 31 == 0) texts.push_back(huge + std::to_string(i) + "{z=\"1\"}");
  }
  ScrapeCache c;
  c.BeginScrape();
  for (size_t i = 0; i < texts.size(); ++i) c.MarkSeen(c.Add(texts[i], i + 1), true);
  c.EndScrape(true);
  ASSERT_EQ(c.size(), texts.size());
  for (int pass = 0; pass < 2; ++pass) {
    c.BeginScrape();
    // In order (the hint path, prefix and whole-text forms), then backwards
    // (the index).
    for (size_t i = 0; i < texts.size(); ++i) {
      ScrapeCache::Entry* e = pass == 0 ? c.MatchNext(texts[i] + " 1\n") : c.Get(texts[i]);
      if (e == nullptr) e = c.Get(texts[i]);  // not prefix-matchable
      ASSERT_NE(e, nullptr) << i;
      EXPECT_EQ(e->ref, i + 1);
      EXPECT_EQ(c.TextOf(*e), texts[i]);
    }
    for (size_t i = texts.size(); i-- > 0;) {
      ScrapeCache::Entry* e = c.Get(texts[i]);
      ASSERT_NE(e, nullptr) << i;
      EXPECT_EQ(e->ref, i + 1);
      c.MarkSeen(e, true);
    }
    c.EndScrape(true);
  }
  EXPECT_EQ(c.Get(texts[0] + "x"), nullptr);
  EXPECT_EQ(c.Get(texts[0].substr(0, texts[0].size() - 1)), nullptr);
}

TEST(ScrapeCacheTest, EvictionKeepsTheOthersDecodable) {
  ScrapeCache c;
  c.BeginScrape();
  for (int i = 0; i < 100; ++i) c.MarkSeen(c.Add(Series(i), i + 1), true);
  c.EndScrape(true);
  // Every third series goes away; the rest must still be found, in order by
  // prefix, after the texts were coded again.
  for (int s = 0; s < 20; ++s) {
    c.BeginScrape();
    for (int i = 0; i < 100; ++i) {
      if (i % 3 == 0) continue;
      ScrapeCache::Entry* e = c.Get(Series(i));
      ASSERT_NE(e, nullptr);
      c.MarkSeen(e, true);
    }
    c.EndScrape(true);
  }
  EXPECT_EQ(c.size(), 66u);
  c.BeginScrape();
  for (int i = 0; i < 100; ++i) {
    if (i % 3 == 0) {
      EXPECT_EQ(c.Get(Series(i)), nullptr);
      continue;
    }
    ScrapeCache::Entry* e = c.MatchNext(Series(i) + " 1\n");
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->ref, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(c.TextOf(*e), Series(i));
  }
  // New series after the eviction are coded after the kept ones.
  c.MarkSeen(c.Add(Series(1000), 5000), true);
  c.EndScrape(true);
  c.BeginScrape();
  ASSERT_NE(c.Get(Series(1000)), nullptr);
  EXPECT_EQ(c.Get(Series(1000))->ref, 5000u);
}

TEST(ScrapeCacheTest, LiveSetAcrossFailedScrapes) {
  ScrapeCache c;
  auto count = [&](bool stale) {
    size_t n = 0;
    if (stale) {
      c.ForEachStale([&](ScrapeCache::Entry&) { ++n; });
    } else {
      c.ForEachLive([&](ScrapeCache::Entry&) { ++n; });
    }
    return n;
  };
  c.BeginScrape();
  for (int i = 0; i < 10; ++i) c.MarkSeen(c.Add(Series(i), i + 1), true);
  c.MarkSeen(c.Add(Series(10), 11), false);  // own timestamp: not tracked
  c.EndScrape(true);
  EXPECT_EQ(count(false), 10u);  // after the scrape (a target going away)
  // A scrape that sees half the series again, then fails: all ten were
  // live, whether this scrape saw them or not.
  c.BeginScrape();
  for (int i = 0; i < 5; ++i) c.MarkSeen(c.Get(Series(i)), true);
  c.MarkSeen(c.Get(Series(0)), true);  // a repeated line counts once
  EXPECT_EQ(count(true), 5u);
  EXPECT_EQ(count(false), 10u);
  c.EndScrape(false);
  // After a failure nothing is live, stale or not.
  c.BeginScrape();
  for (int i = 0; i < 3; ++i) c.MarkSeen(c.Get(Series(i)), true);
  EXPECT_EQ(count(true), 0u);
  EXPECT_EQ(count(false), 0u);
  c.EndScrape(true);
  // Live now: the three the last successful scrape saw.
  c.BeginScrape();
  for (int i = 0; i < 3; ++i) c.MarkSeen(c.Get(Series(i)), true);
  EXPECT_EQ(count(true), 0u);
  c.EndScrape(true);
  c.BeginScrape();
  c.MarkSeen(c.Get(Series(1)), true);
  EXPECT_EQ(count(true), 2u);
  EXPECT_EQ(count(false), 3u);
  c.EndScrape(true);
  EXPECT_EQ(count(false), 1u);
}

TEST(ScrapeCacheTest, MetadataFollowsChangesWhateverTheOrder) {
  ScrapeCache c;
  auto snapshot = [&] {
    std::vector<std::string> out;
    for (const auto& [family, md] : c.MetadataSnapshot()) {
      out.push_back(family + "|" + md.type + "|" + md.help + "|" + md.unit);
    }
    return out;
  };
  c.BeginScrape();
  c.SetHelp("a", "help a");
  c.SetType("a", "counter");
  c.SetHelp("b", "help b");
  c.SetType("b", "gauge");
  c.SetUnit("b", "seconds");
  c.EndScrape(true);
  EXPECT_EQ(snapshot(), (std::vector<std::string>{"a|counter|help a|", "b|gauge|help b|seconds"}));
  // The same lines again, one changed; then another order, a new family and
  // fewer lines.
  c.BeginScrape();
  c.SetHelp("a", "help a");
  c.SetType("a", "gauge");
  c.SetHelp("b", "help b");
  c.SetType("b", "gauge");
  c.SetUnit("b", "seconds");
  c.EndScrape(true);
  EXPECT_EQ(snapshot(), (std::vector<std::string>{"a|gauge|help a|", "b|gauge|help b|seconds"}));
  c.BeginScrape();
  c.SetType("b", "histogram");
  c.SetHelp("c", "help c");
  c.SetHelp("a", "new help a");
  c.EndScrape(true);
  EXPECT_EQ(snapshot(), (std::vector<std::string>{"a|gauge|new help a|", "b|histogram|help b|seconds",
                                                  "c|unknown|help c|"}));
  c.BeginScrape();
  c.SetHelp("a", "help a");
  c.SetType("a", "counter");
  c.EndScrape(true);
  EXPECT_EQ(snapshot()[0], "a|counter|help a|");
}

}  // namespace
}  // namespace pharos::scrape
