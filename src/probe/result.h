// ProbeResult: what one probe run produces — gauges named as
// blackbox_exporter names them, a log for /probe?debug=true, and the verdict.
//
// A prober fills it from one thread; it is a plain value afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace pharos::probe {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

struct ProbeSample {
  std::string name;
  LabelPairs labels;  // in the order written
  double value = 0;
};

class ProbeResult {
 public:
  explicit ProbeResult(absl::Time start = absl::Now()) : start_(start) {}

  // Sets (or replaces, for the same name and labels) a gauge.
  void Set(std::string_view name, double value, LabelPairs labels = {});
  // Appends "ts=<elapsed> level=<info|error> msg=..." to the log.
  void Info(std::string_view msg);
  void Error(std::string_view msg);
  // Records the first failure reason (later ones are logged only).
  void Fail(std::string_view reason);

  // Called once by RunProbe: sets probe_success and probe_duration_seconds.
  void Finish(bool success, absl::Time end = absl::Now());

  bool success() const { return success_; }
  const std::string& failure() const { return failure_; }
  double duration_seconds() const { return duration_seconds_; }
  const std::vector<ProbeSample>& samples() const { return samples_; }
  const std::vector<std::string>& log() const { return log_; }
  // The value of an unlabelled gauge, or `fallback`.
  double Value(std::string_view name, double fallback = -1) const;
  bool Has(std::string_view name) const;

 private:
  absl::Time start_;
  bool success_ = false;
  std::string failure_;
  double duration_seconds_ = 0;
  std::vector<ProbeSample> samples_;
  std::vector<std::string> log_;
};

// The result in the text exposition format, families sorted by name with
// HELP and TYPE lines as blackbox_exporter writes them.
std::string RenderText(const ProbeResult& r);

// FNV-1a 32 of the address bytes (blackbox_exporter's probe_ip_addr_hash).
double IpAddrHash(std::string_view ip);

}  // namespace pharos::probe
