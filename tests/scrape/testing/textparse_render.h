// Renders everything a textparse::Parser reads from a body as one line per
// entry, so tests can compare whole parses with a table of expectations:
//   "series a{b=\"c\"} -> a{b=\"c\"} 1 @123 # {id=\"x\"} 2 @5"
//   "type a counter", "help a text", "unit a s", "comment # x",
//   "eof", "error line 1, column 3: ..."
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scrape/textparse/entry.h"

namespace pharos::scrape::textparse::testing {

std::vector<std::string> Render(Format format, std::string_view body);

// Only the final line ("eof" or "error ...").
std::string Outcome(Format format, std::string_view body);

// A table row: a body and every line Render gives for it.
struct RenderCase {
  const char* name;
  std::string body;
  std::vector<std::string> want;
};

// Expects Render(format, c.body) == c.want for every row (failures name the row).
void ExpectRenders(Format format, const std::vector<RenderCase>& cases);

}  // namespace pharos::scrape::textparse::testing
