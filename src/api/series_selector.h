// A small parser for PromQL series selectors, as the match[] parameters of
// /api/v1/series, /labels and /label/<name>/values use them:
//
//   up    up{job="node",instance=~"10\\..*"}    {__name__=~"http_.*",code!="200"}
//
// Strings take PromQL's forms: "double" and 'single' quotes with Go escapes
// (\n, \t, \\, \", \', \xNN, \NNN octal, \uNNNN, \UNNNNNNNN) and `raw`
// backquotes. Errors read as Prometheus' parser reports them:
// "1:5: parse error: unexpected end of input inside braces".
//
// This stands in for the PromQL parser's ParseMetricSelector until that
// parser exists; it is kept to this one file so it can be swapped out.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "common/matcher.h"

namespace pharos::api {

// The selector's matchers in source order, with the metric name (when given
// before the braces) as a trailing __name__="…" matcher. Bounded: inputs
// over 64 KiB or with more than 1000 matchers are refused.
absl::StatusOr<Matchers> ParseSeriesSelector(std::string_view input);

}  // namespace pharos::api
