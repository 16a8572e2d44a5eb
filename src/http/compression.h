// Response compression (gzip and deflate, as Prometheus' compression
// handler offers them) and bounded decompression.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace pharos::http {

enum class Encoding { kIdentity, kGzip, kDeflate };

// The encoding to answer with for an Accept-Encoding value: the first of
// "gzip" / "deflate" the client lists (q-values are not weighed, as in
// Prometheus), else identity.
Encoding ChooseEncoding(std::string_view accept_encoding);
std::string_view EncodingName(Encoding e);  // "gzip", "deflate", ""

// Compresses `in` into `out` (replacing its content). `level` is zlib's 1-9.
absl::Status Compress(Encoding e, std::string_view in, int level, std::string* out);

// Decompresses into `out`, failing with ResourceExhausted when the result
// would exceed `max_bytes`, and InvalidArgument on corrupt input.
absl::Status Decompress(Encoding e, std::string_view in, size_t max_bytes, std::string* out);

}  // namespace pharos::http
