#include "tsdb/block/merge_querier.h"

#include <algorithm>

namespace pharos::tsdb {
namespace {

using storage::Sample;
using storage::SampleIterator;
using storage::Series;
using storage::SeriesSet;

class MergeIterator final : public SampleIterator {
 public:
  explicit MergeIterator(std::vector<std::unique_ptr<SampleIterator>> its)
      : its_(std::move(its)), ok_(its_.size(), 0) {}

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < its_.size(); ++i) ok_[i] = its_[i]->Next();
      return Pick();
    }
    if (cur_ < 0) return false;
    int64_t t = its_[cur_]->At().t;
    // Advance every iterator at this timestamp: duplicates are dropped.
    for (size_t i = 0; i < its_.size(); ++i) {
      if (ok_[i] && its_[i]->At().t == t) ok_[i] = its_[i]->Next();
    }
    return Pick();
  }

  bool Seek(int64_t t) override {
    if (started_ && cur_ < 0) return false;
    if (started_ && its_[cur_]->At().t >= t) return true;
    for (size_t i = 0; i < its_.size(); ++i) {
      if (!started_ || ok_[i]) ok_[i] = its_[i]->Seek(t);
    }
    started_ = true;
    return Pick();
  }

  Sample At() const override { return its_[cur_]->At(); }

  absl::Status Err() const override {
    for (const auto& it : its_) {
      if (absl::Status s = it->Err(); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  bool AppendUntil(int64_t maxt, std::vector<Sample>* out) override {
    if (cur_ < 0) return false;
    // With one live input, hand over to its (possibly faster) AppendUntil.
    int live = 0;
    for (char o : ok_) live += o ? 1 : 0;
    if (live == 1) {
      bool more = its_[cur_]->AppendUntil(maxt, out);
      ok_[cur_] = more;
      if (!more) cur_ = -1;
      return more;
    }
    return SampleIterator::AppendUntil(maxt, out);
  }

 private:
  bool Pick() {
    cur_ = -1;
    for (size_t i = 0; i < its_.size(); ++i) {
      if (ok_[i] && (cur_ < 0 || its_[i]->At().t < its_[cur_]->At().t)) cur_ = static_cast<int>(i);
    }
    return cur_ >= 0;
  }

  std::vector<std::unique_ptr<SampleIterator>> its_;
  std::vector<char> ok_;  // positioned on a sample
  int cur_ = -1;
  bool started_ = false;
};

class MergedSeries final : public Series {
 public:
  const Labels& labels() const override { return parts_[0]->labels(); }
  std::unique_ptr<SampleIterator> Iterator() const override {
    std::vector<std::unique_ptr<SampleIterator>> its;
    its.reserve(parts_.size());
    for (const Series* p : parts_) its.push_back(p->Iterator());
    return NewMergeIterator(std::move(its));
  }
  std::vector<const Series*> parts_;
};

class MergeSeriesSet final : public SeriesSet {
 public:
  explicit MergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets)
      : sets_(std::move(sets)), ok_(sets_.size(), 0), advance_(sets_.size(), 1) {}

  bool Next() override {
    if (!err_.ok()) return false;
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (!advance_[i]) continue;
      ok_[i] = sets_[i]->Next();
      advance_[i] = 0;
      if (!ok_[i]) {
        if (absl::Status s = sets_[i]->Err(); !s.ok()) {
          err_ = s;
          return false;
        }
      }
    }
    int min = -1;
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (ok_[i] && (min < 0 || Labels::Compare(sets_[i]->At().labels(), sets_[min]->At().labels()) < 0)) {
        min = static_cast<int>(i);
      }
    }
    if (min < 0) return false;
    merged_.parts_.clear();
    const Labels& want = sets_[min]->At().labels();
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (ok_[i] && (static_cast<int>(i) == min || sets_[i]->At().labels() == want)) {
        merged_.parts_.push_back(&sets_[i]->At());
        advance_[i] = 1;
      }
    }
    cur_ = merged_.parts_.size() == 1 ? merged_.parts_[0] : &merged_;
    return true;
  }

  const Series& At() const override { return *cur_; }
  absl::Status Err() const override { return err_; }
  std::vector<std::string> Warnings() const override {
    std::vector<std::string> out;
    for (const auto& s : sets_) {
      auto w = s->Warnings();
      out.insert(out.end(), w.begin(), w.end());
    }
    return out;
  }

 private:
  std::vector<std::unique_ptr<SeriesSet>> sets_;
  std::vector<char> ok_;       // positioned on a series
  std::vector<char> advance_;  // to be advanced by the next Next()
  MergedSeries merged_;
  const Series* cur_ = nullptr;
  absl::Status err_;
};

absl::StatusOr<std::vector<std::string>> UnionSorted(std::vector<absl::StatusOr<std::vector<std::string>>> parts) {
  std::vector<std::string> out;
  for (auto& p : parts) {
    if (!p.ok()) return p.status();
    std::vector<std::string> merged;
    merged.reserve(out.size() + p->size());
    std::set_union(out.begin(), out.end(), p->begin(), p->end(), std::back_inserter(merged));
    out = std::move(merged);
  }
  return out;
}

class MergeQuerier final : public storage::Querier {
 public:
  explicit MergeQuerier(std::vector<std::unique_ptr<storage::Querier>> qs) : qs_(std::move(qs)) {}

  std::unique_ptr<SeriesSet> Select(bool sorted, const storage::SelectHints* hints,
                                    const Matchers& matchers) override {
    if (qs_.size() == 1) return qs_[0]->Select(sorted, hints, matchers);
    std::vector<std::unique_ptr<SeriesSet>> sets;
    sets.reserve(qs_.size());
    for (auto& q : qs_) sets.push_back(q->Select(true, hints, matchers));
    return NewMergeSeriesSet(std::move(sets));
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name, const Matchers& matchers) override {
    std::vector<absl::StatusOr<std::vector<std::string>>> parts;
    for (auto& q : qs_) parts.push_back(q->LabelValues(name, matchers));
    return UnionSorted(std::move(parts));
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) override {
    std::vector<absl::StatusOr<std::vector<std::string>>> parts;
    for (auto& q : qs_) parts.push_back(q->LabelNames(matchers));
    return UnionSorted(std::move(parts));
  }

 private:
  std::vector<std::unique_ptr<storage::Querier>> qs_;
};

}  // namespace

std::unique_ptr<storage::Querier> NewMergeQuerier(std::vector<std::unique_ptr<storage::Querier>> queriers) {
  return std::make_unique<MergeQuerier>(std::move(queriers));
}

std::unique_ptr<SeriesSet> NewMergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets) {
  if (sets.size() == 1) return std::move(sets[0]);
  return std::make_unique<MergeSeriesSet>(std::move(sets));
}

std::unique_ptr<SampleIterator> NewMergeIterator(std::vector<std::unique_ptr<SampleIterator>> its) {
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<MergeIterator>(std::move(its));
}

}  // namespace pharos::tsdb
