// One relabeling rule of relabel_configs / metric_relabel_configs /
// alert_relabel_configs, with Prometheus 2.53's defaults and validation.
//
// The rule is plain data plus its compiled regex (shared, immutable, so
// copies are cheap and a Config can be read from many threads). The engine
// that applies rules is relabel/relabel.h in the scrape domain.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "config/yaml_node.h"

namespace re2 {
class RE2;
}

namespace pharos::config {

enum class RelabelAction {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

std::string_view RelabelActionName(RelabelAction a);  // "replace", "keep", ...
// Case-insensitive, as Prometheus reads it; nullopt for an unknown action.
std::optional<RelabelAction> ParseRelabelAction(std::string_view s);

// A relabeling regex: Go/RE2 syntax, anchored at both ends as Prometheus
// anchors it ("^(?:" + pattern + ")$"), `.` not matching a newline.
// Immutable; copies share the compiled program.
class RelabelRegex {
 public:
  // InvalidArgument "invalid regex \"...\": <reason>" when it does not compile.
  static absl::StatusOr<RelabelRegex> Compile(std::string_view pattern);
  // The default "(.*)".
  static const RelabelRegex& Default();

  const std::string& pattern() const { return pattern_; }
  // Number of capturing groups (not counting the whole match).
  int NumGroups() const { return num_groups_; }
  // Index of a named group, or -1.
  int GroupIndex(std::string_view name) const;

  // Whether the whole of `s` matches.
  bool Matches(std::string_view s) const;
  // Full match capturing: groups[0] is the whole match, groups[i] group i
  // (empty with null data when the group did not take part). `n` must be at most
  // NumGroups() + 1. Returns false when `s` does not match.
  bool Match(std::string_view s, std::string_view* groups, int n) const;

  friend bool operator==(const RelabelRegex& a, const RelabelRegex& b) {
    return a.pattern_ == b.pattern_;
  }

 private:
  // Shapes matched without running the regex engine (all keep `.`'s
  // no-newline rule): "(.*)"/".*", "lit", "a|b|c", "lit.*", each optionally
  // wrapped in one capturing group, which then captures the whole input.
  enum class Kind { kGeneral, kAnyLine, kLiteral, kLiteralSet, kPrefix };
  std::string pattern_;
  std::shared_ptr<const re2::RE2> re_;
  Kind kind_ = Kind::kGeneral;
  int num_groups_ = 0;
  std::vector<std::string> literals_;  // kLiteral: one; kLiteralSet: sorted; kPrefix: the prefix
};

struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  RelabelRegex regex = RelabelRegex::Default();
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;
  // Prometheus tells a field left out from one written with its default
  // value in two checks (keepequal/dropequal refuse any `regex`, labeldrop/
  // labelkeep refuse any `source_labels`); these record that.
  bool regex_written = false;
  bool source_labels_written = false;

  // Prometheus 2.53's rules per action; the message has no position.
  absl::Status Validate() const;
};

// The legacy Prometheus label name rule: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidLabelName(std::string_view name);
// A replace target_label or labelmap replacement that may hold $ references
// and still expands to a valid name.
bool IsValidRelabelTemplate(std::string_view target);

// Reads one rule (defaults, then the keys) and validates it; errors carry
// the position of the offending key or of the rule.
absl::StatusOr<RelabelConfig> ParseRelabelConfig(const YamlNode& node);
// Reads a list of rules. A null item fails with `null_item_error` (Prometheus'
// wording differs per list, e.g. "empty or null target relabeling rule in
// scrape config").
absl::StatusOr<std::vector<RelabelConfig>> ParseRelabelConfigs(const YamlNode& list,
                                                               std::string_view null_item_error);

// A YamlReadFn (config/yaml_map.h) storing ParseRelabelConfigs' result.
std::function<absl::Status(const YamlNode&)> IntoRelabelConfigs(std::vector<RelabelConfig>* out,
                                                                std::string_view null_item_error);

}  // namespace pharos::config
