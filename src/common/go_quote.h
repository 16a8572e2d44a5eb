// Go's strconv.Quote (what %q prints), which Prometheus' error messages use,
// so that Pharos' messages read the same: double quotes, Go escapes for
// control characters, quotes and backslashes, \xNN for bytes that are not
// well-formed UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace pharos {

std::string GoQuote(std::string_view s);

}  // namespace pharos
