// Fuzzes remote write receive: the input is tried as an uncompressed
// protobuf WriteRequest, as a snappy block, and through the whole receiver
// (decode, validation, append into a fresh in-memory store). Any crash,
// sanitizer report or broken invariant is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "remote/snappy_block.h"
#include "remote/write_receiver.h"
#include "remote/write_request.h"
#include "storage/memory_storage.h"

namespace {

void CheckView(const pharos::remote::WriteRequestView& v, std::string_view buf) {
  for (const auto& s : v.series) {
    if (s.labels_begin > s.labels_end || s.labels_end > v.labels.size()) std::abort();
    if (s.samples_begin > s.samples_end || s.samples_end > v.samples.size()) std::abort();
  }
  for (const auto& l : v.labels) {
    // Views must point into the decoded buffer.
    for (std::string_view part : {l.name, l.value}) {
      if (part.empty()) continue;
      if (part.data() < buf.data() || part.data() + part.size() > buf.data() + buf.size()) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  pharos::remote::DecodeLimits limits;
  limits.max_labels = 64;
  pharos::remote::WriteRequestView view;
  if (pharos::remote::DecodeWriteRequest(in, limits, &view).ok()) CheckView(view, in);

  std::string decoded;
  if (pharos::remote::SnappyDecode(in, 1 << 20, &decoded).ok()) {
    if (pharos::remote::DecodeWriteRequest(decoded, limits, &view).ok()) CheckView(view, decoded);
  }

  pharos::storage::MemoryStorage store;
  pharos::remote::WriteLimits wl;
  wl.max_decoded_bytes = 1 << 20;
  wl.decode = limits;
  pharos::remote::WriteReceiver receiver(&store, wl, nullptr, [] { return absl::FromUnixSeconds(1714557600); });
  pharos::remote::WriteStats stats;
  absl::Status st = receiver.Receive(in, &stats);
  // All or nothing: a refused request stores nothing.
  if (!st.ok() && store.NumSamples() != 0) std::abort();
  if (st.ok() && store.NumSamples() > stats.samples) std::abort();
  return 0;
}
