#include "tsdb/head/mem_postings.h"

#include <gtest/gtest.h>

namespace pharos::tsdb::head {
namespace {

Labels L(std::string_view job, std::string_view inst) { return Labels{{"instance", std::string(inst)}, {"job", std::string(job)}}; }

// References past 32 bits (a long-lived head with churn) are kept and
// found with the compact ones, in order.
TEST(MemPostings, ReferencesBeyond32BitsMixWithCompactOnes) {
  MemPostings p;
  const uint64_t big = (uint64_t{1} << 32) + 7;
  p.Add(3, L("a", "x"));
  p.Add(big, L("a", "y"));
  p.Add(big + 1, L("b", "x"));
  p.Add(4294967295u, L("a", "x"));
  EXPECT_EQ(p.Select({}), (std::vector<uint64_t>{3, 4294967295u, big, big + 1}));
  EXPECT_EQ(p.Select({Matcher::MustMake(MatchType::kEqual, "job", "a")}),
            (std::vector<uint64_t>{3, 4294967295u, big}));
  EXPECT_EQ(p.Select({Matcher::MustMake(MatchType::kEqual, "instance", "x")}),
            (std::vector<uint64_t>{3, 4294967295u, big + 1}));
  EXPECT_EQ(p.Select({Matcher::MustMake(MatchType::kNotEqual, "instance", "x")}), (std::vector<uint64_t>{big}));
  p.Delete({{big, L("a", "y")}, {3, L("a", "x")}});
  EXPECT_EQ(p.Select({}), (std::vector<uint64_t>{4294967295u, big + 1}));
  EXPECT_EQ(p.Values("instance"), (std::vector<std::string>{"x"}));
}

// Racing creations insert out of order; lists stay sorted.
TEST(MemPostings, OutOfOrderInsertsStaySorted) {
  MemPostings p;
  for (uint64_t r : {5, 2, 9, 1, 7}) p.Add(r, L("a", "x"));
  EXPECT_EQ(p.Select({Matcher::MustMake(MatchType::kEqual, "job", "a")}), (std::vector<uint64_t>{1, 2, 5, 7, 9}));
}

}  // namespace
}  // namespace pharos::tsdb::head
