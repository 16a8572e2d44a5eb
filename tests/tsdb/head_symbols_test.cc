// SymbolTable: one id per distinct string while it is referenced, freed
// with its last reference and its id reused; text read back unchanged.
#include "tsdb/head/symbols.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pharos::tsdb::head {
namespace {

TEST(SymbolTableTest, InternsRefCountsAndReuses) {
  SymbolTable st;
  uint32_t a = st.Ref("job");
  uint32_t b = st.Ref("instance");
  EXPECT_NE(a, b);
  EXPECT_EQ(st.Ref("job"), a);  // two references now
  EXPECT_EQ(st.Get(a), "job");
  EXPECT_EQ(st.Get(b), "instance");
  EXPECT_EQ(st.size(), 2u);
  st.Unref(a);
  EXPECT_EQ(st.Get(a), "job");  // one reference left
  st.Unref(a);
  EXPECT_EQ(st.size(), 1u);
  // The freed id is handed out again, for another string.
  uint32_t c = st.Ref("");
  EXPECT_EQ(c, a);
  EXPECT_EQ(st.Get(c), "");
  EXPECT_EQ(st.Ref("job") == a, false);
}

TEST(SymbolTableTest, ManyStringsAcrossBlocks) {
  SymbolTable st;
  std::vector<uint32_t> ids;
  for (int i = 0; i < 10000; ++i) ids.push_back(st.Ref("value-" + std::to_string(i)));
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(st.Get(ids[i]), "value-" + std::to_string(i));
  for (int i = 0; i < 10000; i += 2) st.Unref(ids[i]);
  EXPECT_EQ(st.size(), 5000u);
  for (int i = 1; i < 10000; i += 2) ASSERT_EQ(st.Get(ids[i]), "value-" + std::to_string(i));
}

}  // namespace
}  // namespace pharos::tsdb::head
