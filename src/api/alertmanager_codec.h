// Decoding of Alertmanager API v2 request bodies (POST /api/v2/alerts and
// POST /api/v2/silences), bounded: at most 10,000 alerts per body, and the
// body itself is bounded by the HTTP server's --web.max-body-size.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alertmanager/silences.h"
#include "alertmanager/types.h"

namespace pharos::api::internal {

// How a body was refused, as Alertmanager answers: http_status 400 with
// code 400 for a body that cannot be decoded, 422 with code 602/612 for a
// missing or empty required field.
struct AmDecodeError {
  int http_status = 400;
  int code = 400;
  std::string message;
};

// Appends the alerts of a postable-alerts body to `out`; nothing usable is
// appended on an error (the caller drops `out`).
std::optional<AmDecodeError> DecodePostableAlerts(std::string_view body, std::vector<am::Alert>* out);
// Fills `out` from a postable-silence body.
std::optional<AmDecodeError> DecodePostableSilence(std::string_view body, am::Silence* out);

}  // namespace pharos::api::internal
