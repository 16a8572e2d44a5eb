#include <gtest/gtest.h>

#include "common/go_quote.h"
#include "common/label_names.h"
#include "common/utf8.h"

namespace pharos {
namespace {

TEST(GoQuote, QuotesLikeStrconvQuote) {
  EXPECT_EQ(GoQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoQuote("tab\there\n\a\v"), "\"tab\\there\\n\\a\\v\"");
  EXPECT_EQ(GoQuote(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(GoQuote("h\xc3\xa9"), "\"h\xc3\xa9\"");
  EXPECT_EQ(GoQuote("\xff"), "\"\\xff\"");
}

TEST(Utf8, RejectsWhatGoRejects) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("k\xc3\xbc\xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_EQ(Utf8SequenceLength("a\xe2\x82\xac", 1), 3u);
}

TEST(LabelNames, LegacyCharacterSets) {
  EXPECT_TRUE(IsValidMetricName("http:requests_total"));
  EXPECT_TRUE(IsValidLabelName("_a1"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("1a"));
  EXPECT_FALSE(IsValidMetricName("up-down"));
  EXPECT_FALSE(IsValidMetricName(""));
}

}  // namespace
}  // namespace pharos
