// UTF-8 checks with the rules of Go's utf8.Valid: no overlong forms, no
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF. Byte 0 is valid.
#pragma once

#include <cstddef>
#include <string_view>

namespace pharos::scrape::textparse::internal {

bool IsValidUtf8(std::string_view s);

// Number of code points of a valid UTF-8 string.
size_t CountCodePoints(std::string_view s);

}  // namespace pharos::scrape::textparse::internal
