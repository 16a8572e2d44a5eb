#include "scrape/relabel/relabel.h"

#include <algorithm>
#include <array>
#include <vector>

#include "absl/strings/str_cat.h"

namespace pharos::relabel {
namespace {

using config::RelabelAction;
using config::RelabelConfig;

// Per-thread buffers, reused so that steady-state relabeling allocates
// nothing.
struct Scratch {
  std::string joined;
  std::string target;
  std::string value;
  std::vector<Label> moves;
};

Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

// The labels being relabeled: `in` until the first change, then the builder
// (filled from `in` at that moment).
class Working {
 public:
  Working(const Labels* in, LabelsBuilder* lb) : in_(in), lb_(lb) {}

  bool changed() const { return in_ == nullptr; }

  std::string_view Get(std::string_view name) const { return in_ ? in_->Get(name) : lb_->Get(name); }

  const std::vector<Label>& Pairs() const { return in_ ? in_->pairs() : lb_->pairs(); }

  // Set with an empty value deletes, as Prometheus' builder does.
  void Set(std::string_view name, std::string_view value) {
    if (in_) {
      if (value.empty() ? !in_->Has(name) : (in_->Has(name) && in_->Get(name) == value)) return;
      Materialize();
    }
    lb_->Set(name, value);
  }

  void Del(std::string_view name) {
    if (in_) {
      if (!in_->Has(name)) return;
      Materialize();
    }
    lb_->Del(name);
  }

  template <typename Pred>
  void DelIf(Pred pred) {
    if (in_) {
      if (std::none_of(in_->begin(), in_->end(), pred)) return;
      Materialize();
    }
    lb_->DelIf(pred);
  }

 private:
  void Materialize() {
    lb_->Reset(*in_);
    in_ = nullptr;
  }

  const Labels* in_;
  LabelsBuilder* lb_;
};

// Submatch slots for one regex: on the stack for the usual few groups.
class Submatches {
 public:
  explicit Submatches(const config::RelabelRegex& re) : n_(re.NumGroups() + 1) {
    if (n_ > static_cast<int>(stack_.size())) heap_.resize(n_);
  }
  std::string_view* data() { return heap_.empty() ? stack_.data() : heap_.data(); }
  int size() const { return n_; }

 private:
  int n_;
  std::array<std::string_view, 16> stack_;
  std::vector<std::string_view> heap_;
};

// The source label values joined with the separator. A single source is
// returned in place, without copying.
std::string_view SourceValue(const RelabelConfig& r, const Working& w, std::string* buf) {
  if (r.source_labels.size() == 1) return w.Get(r.source_labels[0]);
  buf->clear();
  for (size_t i = 0; i < r.source_labels.size(); ++i) {
    if (i > 0) buf->append(r.separator);
    buf->append(w.Get(r.source_labels[i]));
  }
  return *buf;
}

void Replace(const RelabelConfig& r, std::string_view val, Working& w, Scratch& s) {
  const config::RelabelRegex& re = r.regex;
  // With the default regex on an empty value and no references, the result
  // is the literal replacement (also Prometheus' fast path).
  if (val.empty() && re == config::RelabelRegex::Default() &&
      r.target_label.find('$') == std::string::npos && r.replacement.find('$') == std::string::npos) {
    w.Set(r.target_label, r.replacement);
    return;
  }
  Submatches sub(re);
  std::string_view* groups = sub.data();
  const int n = sub.size();
  if (!re.Match(val, groups, n)) return;
  s.target.clear();
  ExpandTemplate(r.target_label, re, groups, n, &s.target);
  if (!config::IsValidLabelName(s.target)) return;
  s.value.clear();
  ExpandTemplate(r.replacement, re, groups, n, &s.value);
  if (s.value.empty()) {
    w.Del(s.target);
  } else {
    w.Set(s.target, s.value);
  }
}

void LabelMap(const RelabelConfig& r, Working& w, Scratch& s) {
  const config::RelabelRegex& re = r.regex;
  Submatches sub(re);
  std::string_view* groups = sub.data();
  const int n = sub.size();
  // Work out the new names from a snapshot first: setting while walking the
  // builder would move its pairs.
  size_t count = 0;
  for (const Label& l : w.Pairs()) {
    if (!re.Match(l.name, groups, n)) continue;
    if (count == s.moves.size()) s.moves.emplace_back();
    Label& m = s.moves[count++];
    m.name.clear();
    ExpandTemplate(r.replacement, re, groups, n, &m.name);
    m.value.assign(l.value);
  }
  for (size_t i = 0; i < count; ++i) {
    if (!s.moves[i].name.empty()) w.Set(s.moves[i].name, s.moves[i].value);
  }
}

// Applies one rule; false when it drops the label set.
bool ApplyRule(const RelabelConfig& r, Working& w, Scratch& s) {
  switch (r.action) {
    case RelabelAction::kDrop:
      return !r.regex.Matches(SourceValue(r, w, &s.joined));
    case RelabelAction::kKeep:
      return r.regex.Matches(SourceValue(r, w, &s.joined));
    case RelabelAction::kDropEqual:
      return w.Get(r.target_label) != SourceValue(r, w, &s.joined);
    case RelabelAction::kKeepEqual:
      return w.Get(r.target_label) == SourceValue(r, w, &s.joined);
    case RelabelAction::kReplace:
      Replace(r, SourceValue(r, w, &s.joined), w, s);
      return true;
    case RelabelAction::kLowercase:
    case RelabelAction::kUppercase: {
      std::string_view val = SourceValue(r, w, &s.joined);
      s.value.clear();
      if (r.action == RelabelAction::kLowercase) {
        AppendLower(val, &s.value);
      } else {
        AppendUpper(val, &s.value);
      }
      w.Set(r.target_label, s.value);
      return true;
    }
    case RelabelAction::kHashMod: {
      uint64_t mod = HashMod(SourceValue(r, w, &s.joined), r.modulus);
      s.value.clear();
      absl::StrAppend(&s.value, mod);
      w.Set(r.target_label, s.value);
      return true;
    }
    case RelabelAction::kLabelMap:
      LabelMap(r, w, s);
      return true;
    case RelabelAction::kLabelDrop:
      w.DelIf([&](const Label& l) { return r.regex.Matches(l.name); });
      return true;
    case RelabelAction::kLabelKeep:
      w.DelIf([&](const Label& l) { return !r.regex.Matches(l.name); });
      return true;
  }
  return true;
}

}  // namespace

Outcome Apply(const Labels& in, std::span<const config::RelabelConfig> rules, LabelsBuilder* scratch) {
  Working w(&in, scratch);
  Scratch& s = ThreadScratch();
  for (const RelabelConfig& r : rules) {
    if (!ApplyRule(r, w, s)) return Outcome::kDropped;
  }
  return w.changed() ? Outcome::kChanged : Outcome::kUnchanged;
}

bool Process(const Labels& in, std::span<const config::RelabelConfig> rules, LabelsBuilder* out) {
  switch (Apply(in, rules, out)) {
    case Outcome::kDropped:
      return false;
    case Outcome::kUnchanged:
      out->Reset(in);
      return true;
    case Outcome::kChanged:
      return true;
  }
  return true;
}

bool ProcessBuilder(std::span<const config::RelabelConfig> rules, LabelsBuilder* lb) {
  Working w(nullptr, lb);
  Scratch& s = ThreadScratch();
  for (const RelabelConfig& r : rules) {
    if (!ApplyRule(r, w, s)) return false;
  }
  return true;
}

}  // namespace pharos::relabel
