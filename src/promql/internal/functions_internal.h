// Helpers shared by the function implementations.
#pragma once

#include <string>

#include "common/labels.h"
#include "promql/ast.h"

namespace pharos::promql::internal {

// The labels absent() and absent_over_time() give their result: the
// equality matchers of the selector (a label matched twice is left out).
Labels AbsentLabels(const VectorSelector* vs);

// "PromQL warning: quantile value should be between 0 and 1, got <q>".
std::string InvalidQuantileWarning(double q);

}  // namespace pharos::promql::internal
