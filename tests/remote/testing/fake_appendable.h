// An Appendable over MemoryStorage whose appenders can be told to refuse
// samples or fail, for testing how callers handle storage errors.
#pragma once

#include <atomic>
#include <memory>

#include "storage/memory_storage.h"

namespace pharos::remote::testing {

class FakeAppendable : public storage::Appendable {
 public:
  explicit FakeAppendable(storage::MemoryStorage* store) : store_(store) {}

  // Samples with this timestamp are refused with kOutOfOrder.
  int64_t refuse_timestamp = INT64_MIN;
  // When not OK, Append (for append_error) or Commit (commit_error) fails.
  absl::Status append_error;
  absl::Status commit_error;
  std::atomic<int> rollbacks{0};
  std::atomic<int> commits{0};

  std::unique_ptr<storage::Appender> NewAppender() override;

 private:
  storage::MemoryStorage* store_;
};

}  // namespace pharos::remote::testing
