// Float formatting as Go's strconv.FormatFloat(v, 'f', -1, 64), which the
// Prometheus JSON API uses for sample values, and the exposition format's
// spelling of special values.
#pragma once

#include <string>

namespace pharos {

// Shortest decimal that reads back as `v`, never in exponent form;
// "+Inf", "-Inf", "NaN" for the special values.
std::string FormatFloatGo(double v);
void AppendFloatGo(std::string& out, double v);

// Go's strconv.FormatFloat(v, 'g', -1, 64): shortest form, exponent when the
// exponent is < -4 or >= 21 ("1e+06" style is used by Go for 'g' with
// exponent >= 21 only). Used by the exposition writer and templates.
std::string FormatFloatGoG(double v);

// What Go's fmt prints for a float64 with %v (and strconv.FormatFloat(v, 'g',
// -1, 64)): shortest round-trip digits, exponent form when the decimal
// exponent is < -4 or >= 6 ("1e+06", "1.234567e+06", "1e-05", "100000");
// "+Inf", "-Inf", "NaN". Text templates print floats this way.
std::string FormatFloatGoV(double v);

}  // namespace pharos
