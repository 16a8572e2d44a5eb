// Request ids: X-Request-ID taken from the client when it is usable, else a
// fresh random one, so that the log lines of one request can be found.
#pragma once

#include <string>
#include <string_view>

namespace pharos::http {

inline constexpr std::string_view kRequestIdHeader = "X-Request-ID";

// The client's id when it is 1..128 printable ASCII characters without
// spaces or quotes; otherwise a new id of 32 hex digits (128 random bits).
std::string RequestIdFor(std::string_view client_value);
std::string NewRequestId();

}  // namespace pharos::http
