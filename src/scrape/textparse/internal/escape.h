// Unescaping of the quoted strings of the exposition formats, as Prometheus
// does it: a backslash followed by one of the listed characters is replaced,
// any other backslash is kept as written ("\z" stays "\z").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pharos::scrape::textparse::internal {

enum class Escapes {
  kLabelValue,  // \\ \" \n : label values of both formats, OpenMetrics HELP
  kTextHelp,    // \\ \n    : HELP text of the Prometheus text format
};

void AppendUnescaped(std::string_view raw, Escapes escapes, std::string* out);

// Code points of the unescaped form of a valid UTF-8 label value.
size_t UnescapedCodePoints(std::string_view raw);

}  // namespace pharos::scrape::textparse::internal
