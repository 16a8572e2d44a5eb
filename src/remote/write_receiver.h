// WriteReceiver: remote write 1.0 receive. Decodes a snappy-compressed
// protobuf WriteRequest, validates it, and appends its float samples through
// one storage::Appender, so a request is stored entirely or not at all.
//
// Outcomes (Receive's status; only src/api maps them to HTTP):
//  - OK: everything committed (durable as the WAL policy says).
//  - InvalidArgument: the body is malformed (bad snappy, bad protobuf, a
//    limit exceeded) or a series is invalid (no metric name, a bad or
//    duplicate label name, a value not UTF-8). Nothing is stored.
//  - ResourceExhausted: the body decodes to more than the size limit.
//  - A status carrying a storage::AppendError (out of order, duplicate,
//    too old, out of bounds, including samples more than 10 minutes in the
//    future): as Prometheus' handler does, the request is rolled back and
//    refused, so the sender drops it instead of retrying it forever.
//  - Unavailable (disk full) or another storage error: rolled back; the
//    sender may retry.
// Native histograms are counted and skipped, as a sender with native
// histograms off would not have sent them; exemplars and metadata are
// ignored.
//
// Thread-safe: Receive may run on several threads at once (buffers are
// per thread and reused between requests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "remote/write_request.h"
#include "storage/appender.h"

namespace pharos::metrics {
class Registry;
class Counter;
}  // namespace pharos::metrics

namespace pharos::remote {

struct WriteLimits {
  size_t max_decoded_bytes = 32 << 20;  // after snappy
  DecodeLimits decode;
  absl::Duration max_ahead = absl::Minutes(10);  // samples further in the future are refused
};

struct WriteStats {
  size_t series = 0;
  size_t samples = 0;
  size_t histograms_dropped = 0;
  size_t exemplars_dropped = 0;
};

class WriteReceiver {
 public:
  // `appendable` must outlive the receiver. Metrics go to `registry` when
  // it is not null. `now` is the clock for the future-timestamp bound.
  WriteReceiver(storage::Appendable* appendable, WriteLimits limits, metrics::Registry* registry,
                std::function<absl::Time()> now = [] { return absl::Now(); });

  absl::Status Receive(std::string_view snappy_body, WriteStats* stats = nullptr);

 private:
  storage::Appendable* appendable_;
  WriteLimits limits_;
  std::function<absl::Time()> now_;
  metrics::Counter* samples_appended_ = nullptr;
  metrics::Counter* histograms_dropped_ = nullptr;
  metrics::Counter* exemplars_dropped_ = nullptr;
  metrics::Counter* invalid_requests_ = nullptr;
};

}  // namespace pharos::remote
