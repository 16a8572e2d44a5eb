#include "tsdb/index/postings.h"

#include <algorithm>
#include <limits>
#include <queue>

namespace pharos::tsdb {
namespace {

// Over 64-bit references or 32-bit ones (the head's compact lists).
template <typename T>
class ListPostings final : public Postings {
 public:
  explicit ListPostings(std::span<const T> refs) : refs_(refs) {}
  bool Next() override {
    if (started_) ++pos_;
    started_ = true;
    return pos_ < refs_.size();
  }
  bool Seek(SeriesRef v) override {
    started_ = true;
    if (pos_ >= refs_.size()) return false;
    if (refs_[pos_] >= v) return true;
    if constexpr (sizeof(T) < sizeof(SeriesRef)) {
      if (v > std::numeric_limits<T>::max()) {
        pos_ = refs_.size();
        return false;
      }
    }
    // Galloping search from the current position: seeks are usually short.
    size_t step = 1, lo = pos_, hi = pos_ + 1;
    while (hi < refs_.size() && refs_[hi] < v) {
      lo = hi;
      step <<= 1;
      hi = pos_ + step;
    }
    hi = std::min(hi, refs_.size());
    pos_ = std::lower_bound(refs_.begin() + lo, refs_.begin() + hi, static_cast<T>(v)) - refs_.begin();
    return pos_ < refs_.size();
  }
  SeriesRef At() const override { return refs_[pos_]; }

 private:
  std::span<const T> refs_;
  size_t pos_ = 0;
  bool started_ = false;
};

class OwnedListPostings final : public Postings {
 public:
  explicit OwnedListPostings(std::vector<SeriesRef> refs) : refs_(std::move(refs)), it_(refs_) {}
  bool Next() override { return it_.Next(); }
  bool Seek(SeriesRef v) override { return it_.Seek(v); }
  SeriesRef At() const override { return it_.At(); }

 private:
  std::vector<SeriesRef> refs_;
  ListPostings<SeriesRef> it_;
};

class ErrorPostings final : public Postings {
 public:
  explicit ErrorPostings(absl::Status err) : err_(std::move(err)) {}
  bool Next() override { return false; }
  bool Seek(SeriesRef) override { return false; }
  SeriesRef At() const override { return 0; }
  absl::Status Err() const override { return err_; }

 private:
  absl::Status err_;
};

class IntersectPostings final : public Postings {
 public:
  explicit IntersectPostings(std::vector<std::unique_ptr<Postings>> its) : its_(std::move(its)) {}

  bool Next() override {
    if (!its_[0]->Next()) return Done(0);
    return DoSeek(its_[0]->At());
  }
  bool Seek(SeriesRef v) override {
    if (!its_[0]->Seek(v)) return Done(0);
    return DoSeek(its_[0]->At());
  }
  SeriesRef At() const override { return cur_; }
  absl::Status Err() const override { return err_; }

 private:
  bool Done(size_t i) {
    err_ = its_[i]->Err();
    return false;
  }
  // Seeks every iterator to the candidate until all agree.
  bool DoSeek(SeriesRef target) {
    for (;;) {
      bool agreed = true;
      for (size_t i = 0; i < its_.size(); ++i) {
        if (!its_[i]->Seek(target)) return Done(i);
        if (its_[i]->At() > target) {
          target = its_[i]->At();
          agreed = false;
          break;
        }
      }
      if (agreed) {
        cur_ = target;
        return true;
      }
    }
  }

  std::vector<std::unique_ptr<Postings>> its_;
  SeriesRef cur_ = 0;
  absl::Status err_;
};

class MergePostings final : public Postings {
 public:
  explicit MergePostings(std::vector<std::unique_ptr<Postings>> its) : its_(std::move(its)) {}

  bool Next() override {
    if (!initialized_) {
      initialized_ = true;
      for (size_t i = 0; i < its_.size(); ++i) {
        if (its_[i]->Next()) {
          heap_.push({its_[i]->At(), i});
        } else if (!its_[i]->Err().ok()) {
          err_ = its_[i]->Err();
          return false;
        }
      }
    } else if (!Advance()) {
      return false;
    }
    if (heap_.empty()) return false;
    cur_ = heap_.top().first;
    return true;
  }

  bool Seek(SeriesRef v) override {
    if (!initialized_) {
      initialized_ = true;
      for (size_t i = 0; i < its_.size(); ++i) {
        if (its_[i]->Seek(v)) {
          heap_.push({its_[i]->At(), i});
        } else if (!its_[i]->Err().ok()) {
          err_ = its_[i]->Err();
          return false;
        }
      }
      if (heap_.empty()) return false;
      cur_ = heap_.top().first;
      return true;
    }
    if (!heap_.empty() && cur_ >= v) return true;
    // Re-seek every iterator below v.
    while (!heap_.empty() && heap_.top().first < v) {
      size_t i = heap_.top().second;
      heap_.pop();
      if (its_[i]->Seek(v)) {
        heap_.push({its_[i]->At(), i});
      } else if (!its_[i]->Err().ok()) {
        err_ = its_[i]->Err();
        return false;
      }
    }
    if (heap_.empty()) return false;
    cur_ = heap_.top().first;
    return true;
  }

  SeriesRef At() const override { return cur_; }
  absl::Status Err() const override { return err_; }

 private:
  // Moves every iterator positioned on cur_ forward.
  bool Advance() {
    while (!heap_.empty() && heap_.top().first == cur_) {
      size_t i = heap_.top().second;
      heap_.pop();
      if (its_[i]->Next()) {
        heap_.push({its_[i]->At(), i});
      } else if (!its_[i]->Err().ok()) {
        err_ = its_[i]->Err();
        return false;
      }
    }
    return true;
  }

  using Entry = std::pair<SeriesRef, size_t>;
  std::vector<std::unique_ptr<Postings>> its_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  bool initialized_ = false;
  SeriesRef cur_ = 0;
  absl::Status err_;
};

class WithoutPostings final : public Postings {
 public:
  WithoutPostings(std::unique_ptr<Postings> full, std::unique_ptr<Postings> drop)
      : full_(std::move(full)), drop_(std::move(drop)) {}

  bool Next() override {
    if (!full_->Next()) return false;
    return Skip();
  }
  bool Seek(SeriesRef v) override {
    if (!full_->Seek(v)) return false;
    return Skip();
  }
  SeriesRef At() const override { return full_->At(); }
  absl::Status Err() const override {
    if (!full_->Err().ok()) return full_->Err();
    return drop_->Err();
  }

 private:
  // Moves full_ past every reference that drop_ contains.
  bool Skip() {
    for (;;) {
      SeriesRef c = full_->At();
      if (drop_ok_) {
        if (!drop_->Seek(c)) {
          drop_ok_ = false;
          if (!drop_->Err().ok()) return false;
        }
      }
      if (!drop_ok_ || drop_->At() != c) return true;
      if (!full_->Next()) return false;
    }
  }

  std::unique_ptr<Postings> full_;
  std::unique_ptr<Postings> drop_;
  bool drop_ok_ = true;
};

}  // namespace

std::unique_ptr<Postings> NewListPostings(std::span<const SeriesRef> refs) {
  return std::make_unique<ListPostings<SeriesRef>>(refs);
}
std::unique_ptr<Postings> NewListPostings(std::span<const uint32_t> refs) {
  return std::make_unique<ListPostings<uint32_t>>(refs);
}
std::unique_ptr<Postings> NewOwnedListPostings(std::vector<SeriesRef> refs) {
  return std::make_unique<OwnedListPostings>(std::move(refs));
}
std::unique_ptr<Postings> EmptyPostings() { return std::make_unique<ListPostings<SeriesRef>>(std::span<const SeriesRef>()); }
std::unique_ptr<Postings> ErrPostings(absl::Status err) { return std::make_unique<ErrorPostings>(std::move(err)); }

std::unique_ptr<Postings> Intersect(std::vector<std::unique_ptr<Postings>> its) {
  if (its.empty()) return EmptyPostings();
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<IntersectPostings>(std::move(its));
}

std::unique_ptr<Postings> Merge(std::vector<std::unique_ptr<Postings>> its) {
  if (its.empty()) return EmptyPostings();
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<MergePostings>(std::move(its));
}

std::unique_ptr<Postings> Without(std::unique_ptr<Postings> full, std::unique_ptr<Postings> drop) {
  return std::make_unique<WithoutPostings>(std::move(full), std::move(drop));
}

absl::Status ExpandPostings(Postings& p, std::vector<SeriesRef>* out) {
  while (p.Next()) out->push_back(p.At());
  return p.Err();
}

}  // namespace pharos::tsdb
