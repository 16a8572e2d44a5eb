// Builds remote write 1.0 request bodies (protobuf WriteRequest, snappy
// block compressed) for tests and seed corpora.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/sample.h"

namespace pharos::remote::testing {

struct TestSeries {
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<storage::Sample> samples;
  int exemplars = 0;   // empty Exemplar messages
  int histograms = 0;  // empty Histogram messages
};

// The protobuf encoding of a WriteRequest with these series and `metadata`
// empty MetricMetadata messages. With `unknown_fields`, every message also
// carries fields the schema does not know (varint, fixed32, fixed64, bytes).
std::string EncodeWriteRequest(const std::vector<TestSeries>& series, int metadata = 0, bool unknown_fields = false);

std::string SnappyCompress(std::string_view raw);

// Protobuf pieces for hand-made (also malformed) messages.
void PutVarint(std::string* out, uint64_t v);
void PutTag(std::string* out, uint32_t field, uint32_t wire);
void PutBytes(std::string* out, uint32_t field, std::string_view bytes);

}  // namespace pharos::remote::testing
