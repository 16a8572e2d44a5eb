#include "remote/testing/fake_appendable.h"

namespace pharos::remote::testing {
namespace {

class FakeAppender : public storage::Appender {
 public:
  FakeAppender(FakeAppendable* owner, std::unique_ptr<storage::Appender> inner)
      : owner_(owner), inner_(std::move(inner)) {}

  absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref, const Labels& labels, int64_t t,
                                            double v) override {
    if (t == owner_->refuse_timestamp) {
      return storage::MakeAppendError(storage::AppendError::kOutOfOrder, "sample is older than the newest");
    }
    if (!owner_->append_error.ok()) return owner_->append_error;
    return inner_->Append(ref, labels, t, v);
  }
  absl::Status Commit() override {
    if (!owner_->commit_error.ok()) {
      inner_->Rollback();
      return owner_->commit_error;
    }
    ++owner_->commits;
    return inner_->Commit();
  }
  void Rollback() override {
    ++owner_->rollbacks;
    inner_->Rollback();
  }

 private:
  FakeAppendable* owner_;
  std::unique_ptr<storage::Appender> inner_;
};

}  // namespace

std::unique_ptr<storage::Appender> FakeAppendable::NewAppender() {
  return std::make_unique<FakeAppender>(this, store_->NewAppender());
}

}  // namespace pharos::remote::testing
