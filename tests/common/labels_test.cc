#include "common/labels.h"

#include <gtest/gtest.h>

namespace pharos {
namespace {

TEST(Labels, SortsAndDeduplicatesLastWins) {
  Labels l = Labels::FromUnsorted({{"b", "1"}, {"a", "2"}, {"b", "3"}});
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].name, "a");
  EXPECT_EQ(l.Get("b"), "3");
  EXPECT_EQ(l.Get("missing"), "");
}

TEST(Labels, ToStringMatchesPrometheus) {
  EXPECT_EQ((Labels{{"__name__", "up"}, {"job", "a\"b"}}).ToString(), "up{job=\"a\\\"b\"}");
  EXPECT_EQ((Labels{{"__name__", "up"}}).ToString(), "up");
  EXPECT_EQ((Labels{{"a", "1"}, {"b", "2"}}).ToString(), "{a=\"1\", b=\"2\"}");
}

TEST(Labels, HashIsStableAndSeparatesBoundaries) {
  Labels a{{"ab", "c"}};
  Labels b{{"a", "bc"}};
  EXPECT_NE(a.Hash(), b.Hash());
  EXPECT_EQ(a.Hash(), (Labels{{"ab", "c"}}).Hash());
}

TEST(Labels, CompareOrdersLikePrometheus) {
  Labels a{{"a", "1"}};
  Labels b{{"a", "1"}, {"b", "1"}};
  Labels c{{"a", "2"}};
  EXPECT_LT(Labels::Compare(a, b), 0);
  EXPECT_LT(Labels::Compare(b, c), 0);
  EXPECT_EQ(Labels::Compare(a, a), 0);
}

TEST(LabelsBuilder, SetEmptyDeletes) {
  LabelsBuilder b(Labels{{"a", "1"}, {"b", "2"}});
  b.Set("a", "").Set("c", "3");
  EXPECT_EQ(b.Build(), (Labels{{"b", "2"}, {"c", "3"}}));
}

}  // namespace
}  // namespace pharos
