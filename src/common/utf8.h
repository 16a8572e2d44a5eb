// UTF-8 well-formedness, as Go checks it (Prometheus' rule for label
// values): no overlong forms, no surrogates, nothing past U+10FFFF.
#pragma once

#include <cstddef>
#include <string_view>

namespace pharos {

// The length (1..4) of the well-formed UTF-8 sequence starting at s[i], or 0
// when the bytes there are not one. Requires i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

bool IsValidUtf8(std::string_view s);

}  // namespace pharos
