// promtool's rule unit tests (`pharos test rules FILE...`): the test-file
// format of Prometheus (rule_files, evaluation_interval, group_eval_order,
// tests with interval, input_series in the expanding notation, external
// labels/url, alert_rule_test, promql_expr_test), run with the rules engine
// over an in-memory storage.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/sample.h"

namespace pharos::rules {

// Expands a series value string ("1+2x3 _ stale 5x2 -1-1x2") into samples
// at k * interval_ms. `_` skips a slot; `stale` is a staleness marker.
absl::StatusOr<std::vector<storage::Sample>> ExpandSeriesValues(std::string_view values, int64_t interval_ms);

// Runs one test file. Returns the failure messages (empty = passed); a file
// that cannot be read or parsed is one message.
std::vector<std::string> RunRuleUnitTestFile(const std::string& path);

// promtool test rules: prints "Unit Testing:  FILE" and "  SUCCESS" /
// "  FAILED:" with the messages; returns 0 when every file passed, else 1.
int RunRuleUnitTests(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

// promtool check rules: "Checking FILE" then "  SUCCESS: N rules found" or
// "  FAILED:" and the errors; duplicate rules are lint findings. Returns 0,
// 1 when a file has errors, or 3 when only lint findings and lint_fatal.
int CheckRuleFiles(const std::vector<std::string>& files, bool lint_fatal, bool lint_duplicates, std::ostream& out,
                   std::ostream& err);

}  // namespace pharos::rules
