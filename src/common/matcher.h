// Label matchers (=, !=, =~, !~) as PromQL, relabeling, silences and the
// storage Select() use them. Regexes are RE2, fully anchored and with `.`
// matching newlines, as Prometheus compiles them ("^(?s:" + re + ")$").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace pharos {

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

std::string_view MatchTypeString(MatchType t);  // "=", "!=", "=~", "!~"

class Matcher {
 public:
  // Fails with InvalidArgument naming the regex when it does not compile.
  static absl::StatusOr<Matcher> Make(MatchType type, std::string_view name, std::string_view value);
  // For tests and literals known to be valid; aborts on a bad regex.
  static Matcher MustMake(MatchType type, std::string_view name, std::string_view value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  bool Matches(std::string_view v) const;
  // True when the matcher accepts the empty string (so it also selects series
  // that lack the label).
  bool MatchesEmpty() const { return Matches(""); }

  // For =~ / !~ whose regex is a plain alternation of literals ("a|b|c"),
  // the literals (sorted, unique); empty otherwise. Stores use it to look up
  // postings directly instead of scanning label values.
  const std::vector<std::string>& SetMatches() const { return set_; }
  // For =~ / !~ whose regex is a literal string, that literal ("" otherwise).
  bool IsLiteralRegex() const { return literal_; }

  std::string ToString() const;  // name="value" with Go-style quoting

 private:
  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // set for regex types unless a fast path applies
  std::vector<std::string> set_;
  bool literal_ = false;
  bool match_all_ = false;   // ".*"
  bool match_any_nonempty_ = false;  // ".+"
};

using Matchers = std::vector<Matcher>;

// True when every matcher accepts the corresponding label of `labels`
// (missing labels read as "").
class Labels;
bool MatchesAll(const Matchers& ms, const Labels& labels);

}  // namespace pharos
