#include "storage/memory_storage.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pharos::storage {
namespace {

class VecSeries final : public Series {
 public:
  VecSeries(Labels l, std::vector<Sample> s) : labels_(std::move(l)), samples_(std::move(s)) {}
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<VectorIterator>(samples_);
  }

 private:
  Labels labels_;
  std::vector<Sample> samples_;
};

class VecSeriesSet final : public SeriesSet {
 public:
  explicit VecSeriesSet(std::vector<std::unique_ptr<Series>> s) : series_(std::move(s)) {}
  bool Next() override { return ++pos_ < series_.size(); }
  const Series& At() const override { return *series_[pos_]; }

 private:
  std::vector<std::unique_ptr<Series>> series_;
  size_t pos_ = static_cast<size_t>(-1);
};

}  // namespace

// Queriers copy what they return under the storage's lock, so later appends
// never change a result already handed out.
class MemoryQuerier final : public Querier {
 public:
  MemoryQuerier(const MemoryStorage* s, int64_t mint, int64_t maxt) : s_(s), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints,
                                    const Matchers& matchers) override {
    std::vector<std::unique_ptr<Series>> out;
    std::lock_guard<std::mutex> lock(s_->mu_);
    for (const auto& [labels, samples] : s_->series_) {
      if (!MatchesAll(matchers, labels)) continue;
      std::vector<Sample> in_range;
      for (const auto& s : samples) {
        if (s.t >= mint_ && s.t <= maxt_) in_range.push_back(s);
      }
      if (in_range.empty()) continue;
      out.push_back(std::make_unique<VecSeries>(labels, std::move(in_range)));
    }
    return std::make_unique<VecSeriesSet>(std::move(out));
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       const Matchers& matchers) override {
    std::vector<std::string> vals;
    ForEachInRange(matchers, [&](const Labels& l) {
      std::string_view v = l.Get(name);
      if (!v.empty()) vals.emplace_back(v);
    });
    std::sort(vals.begin(), vals.end());
    vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
    return vals;
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) override {
    std::vector<std::string> names;
    ForEachInRange(matchers, [&](const Labels& l) {
      for (const auto& p : l) names.push_back(p.name);
    });
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }

 private:
  template <typename F>
  void ForEachInRange(const Matchers& matchers, F f) {
    std::lock_guard<std::mutex> lock(s_->mu_);
    for (const auto& [labels, samples] : s_->series_) {
      if (!MatchesAll(matchers, labels)) continue;
      bool any = std::any_of(samples.begin(), samples.end(),
                             [&](const Sample& s) { return s.t >= mint_ && s.t <= maxt_; });
      if (any) f(labels);
    }
  }

  const MemoryStorage* s_;
  int64_t mint_, maxt_;
};

class MemoryAppender final : public Appender {
 public:
  explicit MemoryAppender(MemoryStorage* s) : storage_(s) {}

  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, int64_t t, double v) override {
    if (labels.empty()) return MakeAppendError(AppendError::kInvalidLabels, "empty label set");
    pending_.push_back({labels, Sample{t, v}});
    return labels.Hash() | 1;
  }

  absl::Status Commit() override {
    std::lock_guard<std::mutex> lock(storage_->mu_);
    for (auto& [labels, s] : pending_) {
      auto& vec = storage_->series_[labels];
      // Out-of-order and duplicate samples are dropped, as the TSDB drops them.
      if (!vec.empty() && vec.back().t >= s.t) continue;
      vec.push_back(s);
    }
    pending_.clear();
    return absl::OkStatus();
  }

  void Rollback() override { pending_.clear(); }

 private:
  MemoryStorage* storage_;
  std::vector<std::pair<Labels, Sample>> pending_;
};

std::unique_ptr<Appender> MemoryStorage::NewAppender() { return std::make_unique<MemoryAppender>(this); }

absl::StatusOr<std::unique_ptr<Querier>> MemoryStorage::NewQuerier(int64_t mint, int64_t maxt) {
  return std::make_unique<MemoryQuerier>(this, mint, maxt);
}

absl::Status MemoryStorage::Add(const Labels& labels, int64_t t, double v) {
  auto app = NewAppender();
  auto r = app->Append(0, labels, t, v);
  if (!r.ok()) return r.status();
  return app->Commit();
}

size_t MemoryStorage::NumSeries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return series_.size();
}

size_t MemoryStorage::NumSamples() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [l, s] : series_) n += s.size();
  return n;
}

}  // namespace pharos::storage
