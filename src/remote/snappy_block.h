// Snappy block format (what remote write bodies use; not the framed
// format), decoded with a bound on the declared size.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace pharos::remote {

// Decodes `in` into `out` (its capacity is reused). The uncompressed length
// the block declares is checked against `max_bytes` before anything is
// allocated: ResourceExhausted when over, InvalidArgument when the input is
// corrupt.
absl::Status SnappyDecode(std::string_view in, size_t max_bytes, std::string* out);

}  // namespace pharos::remote
