// Alertmanager's matcher syntax (0.25's pkg/labels parser), used by the
// `matchers`, `source_matchers` and `target_matchers` lists of
// alertmanager.yml and usable for silences and amtool-style filters:
//
//   foo="bar"   foo!=bar   foo=~"a|b"   foo!~'x'(literal quote chars)   {a="1", b=~"2.*"}
//
// One string holds one or more comma-separated matchers, optionally wrapped
// in braces. Values may be unquoted; a double-quoted value may contain
// commas and the escapes \" \\ and \n (any other backslash stays as is).
// Regex values are anchored as Alertmanager anchors them ("^(?:re)$").
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "common/matcher.h"

namespace pharos::am {

// One matcher: `name op value`. Errors read as Alertmanager's:
// "bad matcher format: ...", "matcher value contains unescaped double quote: ...",
// "matcher value not valid UTF-8: ...", or the regex error.
absl::StatusOr<Matcher> ParseAmMatcher(std::string_view s);
// A comma-separated list as above ("" is an empty list).
absl::StatusOr<Matchers> ParseAmMatchers(std::string_view s);
// Alertmanager's order of matchers (by name, then value, then type), which
// it applies to route matchers.
void SortAmMatchers(Matchers* ms);

}  // namespace pharos::am
