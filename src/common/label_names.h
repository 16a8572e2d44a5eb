// The character sets of metric and label names, as Prometheus 2.x checks
// them (its "legacy" validation): metric names [a-zA-Z_:][a-zA-Z0-9_:]*,
// label names [a-zA-Z_][a-zA-Z0-9_]*.
#pragma once

#include <string_view>

namespace pharos {

bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace pharos
