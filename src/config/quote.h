// Go's %q quoting of a string, which Prometheus' error messages use
// ("\"a b\" is not a valid label name"), so our messages read the same.
#pragma once

#include <string>
#include <string_view>

namespace pharos::config {

std::string GoQuote(std::string_view s);

// Whether `s` is well-formed UTF-8 (Prometheus' rule for label values).
bool IsValidUtf8(std::string_view s);
// The offset of the first byte that is not part of well-formed UTF-8, or npos.
size_t FirstInvalidUtf8(std::string_view s);

}  // namespace pharos::config
