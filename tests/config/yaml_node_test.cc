#include "config/yaml_node.h"

#include <optional>

#include "gtest/gtest.h"

namespace pharos::config {
namespace {

// Assigning one handle to another rebinds it; yaml-cpp's Node assignment
// would write through and change the document under other readers.
TEST(YamlNodeTest, AssignmentRebindsInsteadOfWritingThrough) {
  auto doc = YamlDocument::Parse("a:\n  x: 1\nb:\n  y: 2\n", "t.yml");
  ASSERT_TRUE(doc.ok());
  auto entries = doc->root().Entries();
  ASSERT_TRUE(entries.ok());
  YamlNode a = (*entries)[0].value;
  YamlNode b = (*entries)[1].value;
  YamlNode where = a;
  where = b;  // must not turn `a` into a copy of `b`
  auto a_entries = a.Entries();
  ASSERT_TRUE(a_entries.ok());
  ASSERT_EQ(a_entries->size(), 1u);
  EXPECT_EQ((*a_entries)[0].name(), "x");
  auto again = doc->root().Entries();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*(*again)[0].value.Entries())[0].name(), "x");
  EXPECT_EQ((*where.Entries())[0].name(), "y");
  EXPECT_EQ(where.line(), 4);

  std::optional<YamlNode> opt = a;
  opt = b;
  EXPECT_EQ((*a.Entries())[0].name(), "x");
}

}  // namespace
}  // namespace pharos::config
