// A scrape target as /api/v1/targets shows it, and its health as the scrape
// loop updates it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "common/labels.h"

namespace pharos::scrape {

enum class TargetHealth { kUnknown, kUp, kDown };

inline const char* TargetHealthName(TargetHealth h) {
  switch (h) {
    case TargetHealth::kUp: return "up";
    case TargetHealth::kDown: return "down";
    case TargetHealth::kUnknown: break;
  }
  return "unknown";
}

// What is fixed for the lifetime of a target (a change makes a new target).
struct TargetInfo {
  std::string pool;       // the job name
  Labels labels;          // final labels, with the "__" scrape labels
  Labels public_labels;   // labels its series get (no "__" labels)
  Labels discovered;      // before relabeling
  std::string url;
  int64_t interval_ms = 0;
  int64_t timeout_ms = 0;
  uint64_t hash = 0;      // identity: public labels and URL
};

struct TargetStatus {
  TargetHealth health = TargetHealth::kUnknown;
  std::string last_error;
  absl::Time last_scrape = absl::InfinitePast();  // start of the last scrape
  absl::Duration last_duration = absl::ZeroDuration();
  uint64_t last_samples = 0;
};

// Thread-safe holder of a target's status: written by its scrape loop, read
// by the API.
class TargetStatusCell {
 public:
  TargetStatus Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }
  void Set(TargetStatus s) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = std::move(s);
  }

 private:
  mutable std::mutex mu_;
  TargetStatus status_;  // guarded by mu_
};

}  // namespace pharos::scrape
