// Encodings of values as Prometheus' Go code writes them in API answers and
// error messages, so that Pharos' answers are byte-compatible.
#pragma once

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/go_quote.h"
#include "common/json_writer.h"
#include "common/labels.h"

namespace pharos::api {

// encoding/json's float64: shortest round-trip digits, plain notation unless
// |v| < 1e-6 or |v| >= 1e21 ("1e-07", "1e+21"). Non-finite values, which Go
// cannot encode, are written as null.
void AppendGoJsonFloat(std::string* out, double v);

// time.Time's JSON form (RFC 3339 with nanoseconds, trailing zeros trimmed),
// in UTC: "2024-05-01T10:00:00.123Z". absl::InfinitePast() stands for Go's
// zero time, "0001-01-01T00:00:00Z".
std::string FormatGoTime(absl::Time t);

// A label set as a JSON object in label order ({"__name__":"up","job":"x"}),
// as Prometheus' labels.Labels marshals.
void WriteLabelsJson(JsonWriter& w, const Labels& labels);

}  // namespace pharos::api
