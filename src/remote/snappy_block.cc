#include "remote/snappy_block.h"

#include <snappy.h>

#include "absl/strings/str_cat.h"

namespace pharos::remote {

absl::Status SnappyDecode(std::string_view in, size_t max_bytes, std::string* out) {
  size_t len = 0;
  if (!snappy::GetUncompressedLength(in.data(), in.size(), &len)) {
    return absl::InvalidArgumentError("snappy: corrupt input: bad length header");
  }
  if (len > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("snappy: decoded length ", len, " exceeds the limit of ", max_bytes, " bytes"));
  }
  out->resize(len);
  if (!snappy::RawUncompress(in.data(), in.size(), out->data())) {
    out->clear();
    return absl::InvalidArgumentError("snappy: corrupt input");
  }
  return absl::OkStatus();
}

}  // namespace pharos::remote
