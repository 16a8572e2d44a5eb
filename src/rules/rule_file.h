// Rule files in Prometheus' format (rulefmt), read strictly.
//
//   groups:
//     - name: g            # unique within the file, not empty
//       interval: 30s      # optional; 0 = the global evaluation_interval
//       limit: 10          # optional; 0 = no limit on series per rule
//       rules:
//         - record: x      # or alert: X (exactly one of them)
//           expr: ...      # PromQL, parsed here
//           for: 5m        # alerting only
//           keep_firing_for: 1m  # alerting only
//           labels: {...}
//           annotations: {...}  # alerting only
//
// Validation follows promtool 2.42 (rulefmt.Validate): every error of the
// file is collected, each with its FILE:LINE:COL and, for rule errors, the
// group, the 1-based rule index and the rule's name. Label and annotation
// templates of alerting rules are parsed at load time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace pharos::rules {

struct RuleNode {
  std::string record;
  std::string alert;
  std::string expr;
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  std::vector<std::pair<std::string, std::string>> labels;       // file order
  std::vector<std::pair<std::string, std::string>> annotations;  // file order
  int line = 0;    // of the rule's first key
  int column = 0;
  bool is_alert() const { return !alert.empty(); }
  const std::string& name() const { return alert.empty() ? record : alert; }
};

struct RuleGroupNode {
  std::string name;
  int64_t interval_ms = 0;
  int64_t limit = 0;
  std::vector<RuleNode> rules;
  int line = 0;
  int column = 0;
};

struct RuleFile {
  std::string filename;
  std::vector<RuleGroupNode> groups;
};

// A rule file's errors (non-empty), each "FILE:LINE:COL: message".
struct RuleFileErrors {
  std::vector<std::string> errors;
};

// Parses and validates `text`. On failure, every error found (status
// InvalidArgument whose message is the errors joined by "\n").
absl::StatusOr<RuleFile> ParseRuleFile(std::string_view text, std::string_view filename);

// The files matching a glob pattern, sorted (none when nothing matches).
std::vector<std::string> GlobFiles(const std::string& pattern);

// Reads the file and parses it.
absl::StatusOr<RuleFile> ParseRuleFileAt(const std::string& path);

// Splits a ParseRuleFile error back into its single errors.
std::vector<std::string> SplitErrors(std::string_view message);

// promtool's duplicate-rule lint: rules (across all groups of the file) with
// the same name and the same labels. One entry per duplicated rule, with its
// name and its labels (sorted, including __name__ = the rule's name).
struct DuplicateRule {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
};
std::vector<DuplicateRule> FindDuplicateRules(const RuleFile& file);

// Parses one alerting rule template text as Prometheus would expand it
// (kAlertTemplateDefs prepended, missingkey=zero, Prometheus' functions).
absl::Status CheckAlertTemplate(std::string_view alert_name, std::string_view text);

}  // namespace pharos::rules
