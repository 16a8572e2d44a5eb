// Parsing PromQL text into the syntax tree of ast.h, with Prometheus 2.53's
// grammar, type checks and error messages.
//
//   auto expr = promql::ParseExpr("sum by (job) (rate(http_requests_total[5m]))");
//   if (!expr.ok()) …  // InvalidArgument: "1:9: parse error: unexpected …"
//
// Bounded: expressions nested deeper than kMaxExprDepth are refused with an
// error rather than recursing without limit.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "promql/ast.h"

namespace pharos::promql {

inline constexpr int kMaxExprDepth = 200;
inline constexpr size_t kMaxQueryBytes = 1 << 20;

// Errors are InvalidArgument with Prometheus' text ("<line>:<col>: parse
// error: <what>").
absl::StatusOr<std::unique_ptr<Expr>> ParseExpr(std::string_view input);

// A series selector of /api/v1/series' match[] or a test script's series:
// `name{a="b"}`, `{a=~"x"}`. Fails unless the text is a single vector
// selector without offset or @.
absl::StatusOr<std::unique_ptr<VectorSelector>> ParseMetricSelector(std::string_view input);

// Unquotes a PromQL string literal (with its quotes): "…", '…' or `…`.
absl::StatusOr<std::string> UnquoteString(std::string_view quoted);

}  // namespace pharos::promql
