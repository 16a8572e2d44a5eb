// UTF-8 validation with Go's rules, and the code point counts used for the
// OpenMetrics exemplar limit.
#include <string>

#include <gtest/gtest.h>

#include "scrape/textparse/internal/escape.h"
#include "scrape/textparse/internal/utf8.h"

namespace pharos::scrape::textparse::internal {
namespace {

TEST(Utf8, ValidatesLikeGo) {
  struct {
    std::string in;
    bool valid;
  } cases[] = {
      {"", true},
      {"plain ascii, long enough for the 8-byte path", true},
      {std::string("nul \0 inside", 12), true},
      {"\xc3\xa9", true},                  // é
      {"\xe2\x98\x83", true},              // ☃
      {"\xf0\x9f\x98\x80", true},          // 😀
      {"\xf4\x8f\xbf\xbf", true},          // U+10FFFF
      {"\xc0\xaf", false},                 // overlong '/'
      {"\xe0\x80\xaf", false},             // overlong
      {"\xed\xa0\x80", false},             // surrogate U+D800
      {"\xf4\x90\x80\x80", false},         // above U+10FFFF
      {"\xc3", false},                     // truncated
      {"abcdefgh\xe2\x98", false},         // truncated after an ASCII run
      {"\x80", false},                     // lone continuation byte
      {"\xff", false},
  };
  for (const auto& c : cases) EXPECT_EQ(IsValidUtf8(c.in), c.valid) << c.in;
}

TEST(Utf8, CountsCodePointsOfUnescapedValues) {
  EXPECT_EQ(CountCodePoints("a\xe2\x98\x83" "b"), 3u);
  EXPECT_EQ(UnescapedCodePoints("x\\ny"), 3u);      // \n is one character
  EXPECT_EQ(UnescapedCodePoints("\\\\\\\""), 2u);   // \\ and \"
  EXPECT_EQ(UnescapedCodePoints("\\q"), 2u);        // kept as written
}

TEST(Unescape, ReplacesOnlyTheKnownEscapes) {
  std::string out;
  AppendUnescaped("a\\\\b\\\"c\\nd\\qe\\", Escapes::kLabelValue, &out);
  EXPECT_EQ(out, "a\\b\"c\nd\\qe\\");
  out.clear();
  AppendUnescaped("a\\\\b\\\"c\\nd", Escapes::kTextHelp, &out);
  EXPECT_EQ(out, "a\\b\\\"c\nd");
  out.clear();
  AppendUnescaped("\\\\\\n", Escapes::kLabelValue, &out);  // \\ then \n
  EXPECT_EQ(out, "\\\n");
}

}  // namespace
}  // namespace pharos::scrape::textparse::internal
