// Remote write 1.0's WriteRequest (prompb/remote.proto, types.proto),
// decoded without copying: label names and values are views into the
// decoded buffer, which must outlive the view.
//
//   WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2;
//                  repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
//   Label        { string name = 1; string value = 2; }
//   Sample       { double value = 1; int64 timestamp = 2; }
//
// Unknown fields are skipped, as protobuf requires. Exemplars, histograms
// and metadata are counted, not decoded (Pharos stores float samples only).
// The decoder is bounded: each series may carry at most `max_labels` labels
// with names and values within the limits, and every length is checked
// against the buffer; errors name the byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/sample.h"

namespace pharos::remote {

struct LabelView {
  std::string_view name;
  std::string_view value;
};

struct SeriesView {
  size_t offset = 0;  // byte offset of the TimeSeries message (for errors)
  uint32_t labels_begin = 0, labels_end = 0;    // into WriteRequestView::labels
  uint32_t samples_begin = 0, samples_end = 0;  // into WriteRequestView::samples
  uint32_t histograms = 0;
  uint32_t exemplars = 0;
};

// Reused between requests: Clear() keeps the vectors' capacity.
struct WriteRequestView {
  std::vector<SeriesView> series;
  std::vector<LabelView> labels;
  std::vector<storage::Sample> samples;
  size_t metadata = 0;

  void Clear() {
    series.clear();
    labels.clear();
    samples.clear();
    metadata = 0;
  }
};

struct DecodeLimits {
  size_t max_labels = 256;             // per series
  size_t max_label_name_bytes = 1024;
  size_t max_label_value_bytes = 64 * 1024;
};

// Decodes `buf` (an uncompressed protobuf WriteRequest) into `out`, which is
// cleared first. InvalidArgument on malformed input or a limit exceeded.
absl::Status DecodeWriteRequest(std::string_view buf, const DecodeLimits& limits, WriteRequestView* out);

}  // namespace pharos::remote
