// The Prometheus text exposition format 0.0.4, as Prometheus' Go client
// writes it: "# HELP" and "# TYPE" lines per family, label values escaped
// (\\, \", \n), help text escaped (\\, \n), and values formatted like Go's
// strconv.FormatFloat(v, 'g', -1, 64) with "+Inf", "-Inf" and "NaN".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/metrics/snapshot.h"

namespace pharos::metrics {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Appends the families (in the given order) to `out`.
void AppendTextFormat(const std::vector<FamilySnapshot>& families, std::string* out);

// Go's 'g' shortest formatting as the exposition format uses it: exponent
// form when the decimal exponent is < -4 or >= 6 ("1e+06", "1.5e-05").
void AppendExpositionFloat(std::string* out, double v);

}  // namespace pharos::metrics
