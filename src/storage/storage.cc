#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "storage/appender.h"
#include "storage/querier.h"

namespace pharos::storage {
namespace {

constexpr absl::string_view kAppendErrorPayload = "pharos.dev/append-error";

class EmptySet final : public SeriesSet {
 public:
  explicit EmptySet(absl::Status err) : err_(std::move(err)) {}
  bool Next() override { return false; }
  const Series& At() const override { std::abort(); }
  absl::Status Err() const override { return err_; }

 private:
  absl::Status err_;
};

}  // namespace

std::unique_ptr<SeriesSet> EmptySeriesSet(absl::Status err) {
  return std::make_unique<EmptySet>(std::move(err));
}

std::string_view AppendErrorName(AppendError e) {
  switch (e) {
    case AppendError::kNone: return "none";
    case AppendError::kOutOfOrder: return "out_of_order";
    case AppendError::kOutOfBounds: return "out_of_bounds";
    case AppendError::kTooOld: return "too_old";
    case AppendError::kDuplicateSample: return "duplicate_sample";
    case AppendError::kInvalidLabels: return "invalid_labels";
  }
  return "unknown";
}

absl::Status MakeAppendError(AppendError e, std::string_view detail) {
  std::string_view what;
  switch (e) {
    case AppendError::kOutOfOrder: what = "out of order sample"; break;
    case AppendError::kOutOfBounds: what = "out of bounds"; break;
    case AppendError::kTooOld: what = "too old sample"; break;
    case AppendError::kDuplicateSample: what = "duplicate sample for timestamp"; break;
    case AppendError::kInvalidLabels: what = "invalid labels"; break;
    case AppendError::kNone: return absl::OkStatus();
  }
  absl::Status s = absl::InvalidArgumentError(detail.empty() ? std::string(what) : absl::StrCat(AV(what), ": ", AV(detail)));
  s.SetPayload(kAppendErrorPayload, absl::Cord(AV(AppendErrorName(e))));
  return s;
}

AppendError GetAppendError(const absl::Status& s) {
  auto p = s.GetPayload(kAppendErrorPayload);
  if (!p.has_value()) return AppendError::kNone;
  std::string name(*p);
  for (AppendError e : {AppendError::kOutOfOrder, AppendError::kOutOfBounds, AppendError::kTooOld,
                        AppendError::kDuplicateSample, AppendError::kInvalidLabels}) {
    if (name == AppendErrorName(e)) return e;
  }
  return AppendError::kNone;
}

}  // namespace pharos::storage
