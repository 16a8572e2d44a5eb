#include "tsdb/index/postings.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace pharos::tsdb {
namespace {

std::vector<SeriesRef> Expand(std::unique_ptr<Postings> p) {
  std::vector<SeriesRef> out;
  EXPECT_TRUE(ExpandPostings(*p, &out).ok());
  return out;
}

std::unique_ptr<Postings> L(std::vector<SeriesRef> v) { return NewOwnedListPostings(std::move(v)); }

std::vector<std::unique_ptr<Postings>> Ls(std::vector<std::vector<SeriesRef>> vs) {
  std::vector<std::unique_ptr<Postings>> out;
  for (auto& v : vs) out.push_back(L(v));
  return out;
}

// 32-bit lists (the head's) iterate and seek like 64-bit ones, also when
// asked for a reference beyond 32 bits.
TEST(Postings, CompactListsSeekLikeWideOnes) {
  std::vector<uint32_t> narrow = {1, 5, 9, 4000000000u};
  auto p = NewListPostings(std::span<const uint32_t>(narrow));
  ASSERT_TRUE(p->Seek(6));
  EXPECT_EQ(p->At(), 9u);
  ASSERT_TRUE(p->Seek(9));
  EXPECT_EQ(p->At(), 9u);
  ASSERT_TRUE(p->Next());
  EXPECT_EQ(p->At(), 4000000000u);
  EXPECT_FALSE(p->Seek(SeriesRef{1} << 33));
  auto q = NewListPostings(std::span<const uint32_t>(narrow));
  EXPECT_EQ(Expand(std::move(q)), (std::vector<SeriesRef>{1, 5, 9, 4000000000u}));
}

TEST(Postings, IntersectTable) {
  struct Case {
    std::vector<std::vector<SeriesRef>> in;
    std::vector<SeriesRef> want;
  } cases[] = {
      {{}, {}},
      {{{1, 2, 3}}, {1, 2, 3}},
      {{{1, 2, 3}, {2, 3, 4}}, {2, 3}},
      {{{1, 2, 3}, {}}, {}},
      {{{1, 5, 9, 10}, {5, 10}, {0, 5, 10, 11}}, {5, 10}},
  };
  for (auto& c : cases) EXPECT_EQ(Expand(Intersect(Ls(c.in))), c.want);
}

TEST(Postings, MergeTable) {
  struct Case {
    std::vector<std::vector<SeriesRef>> in;
    std::vector<SeriesRef> want;
  } cases[] = {
      {{}, {}},
      {{{1, 3}, {2, 3, 4}}, {1, 2, 3, 4}},
      {{{}, {7}}, {7}},
  };
  for (auto& c : cases) EXPECT_EQ(Expand(Merge(Ls(c.in))), c.want);
}

TEST(Postings, WithoutTable) {
  EXPECT_EQ(Expand(Without(L({1, 2, 3, 4}), L({2, 4, 5}))), (std::vector<SeriesRef>{1, 3}));
  EXPECT_EQ(Expand(Without(L({1, 2}), L({}))), (std::vector<SeriesRef>{1, 2}));
}

TEST(Postings, SeekNeverMovesBackwards) {
  auto p = L({1, 4, 8, 16, 32});
  ASSERT_TRUE(p->Seek(5));
  EXPECT_EQ(p->At(), 8u);
  ASSERT_TRUE(p->Seek(2));
  EXPECT_EQ(p->At(), 8u);
  EXPECT_FALSE(p->Seek(33));
}

TEST(Postings, RandomAgainstSets) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::set<SeriesRef>> sets(1 + rng() % 4);
    for (auto& s : sets) {
      int n = rng() % 50;
      for (int i = 0; i < n; ++i) s.insert(rng() % 100);
    }
    std::vector<std::vector<SeriesRef>> lists;
    for (auto& s : sets) lists.emplace_back(s.begin(), s.end());
    std::set<SeriesRef> inter = sets[0], uni;
    for (auto& s : sets) {
      std::set<SeriesRef> tmp;
      for (auto v : s) {
        if (inter.count(v)) tmp.insert(v);
        uni.insert(v);
      }
      inter = tmp;
    }
    EXPECT_EQ(Expand(Intersect(Ls(lists))), std::vector<SeriesRef>(inter.begin(), inter.end()));
    EXPECT_EQ(Expand(Merge(Ls(lists))), std::vector<SeriesRef>(uni.begin(), uni.end()));
    // Seek through a merge at random points.
    auto m = Merge(Ls(lists));
    SeriesRef target = rng() % 100;
    auto it = uni.lower_bound(target);
    EXPECT_EQ(m->Seek(target), it != uni.end());
    if (it != uni.end()) {
      EXPECT_EQ(m->At(), *it);
    }
  }
}

}  // namespace
}  // namespace pharos::tsdb
