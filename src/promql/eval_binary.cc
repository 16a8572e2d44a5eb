// Binary operators: scalar/scalar, vector/scalar and vector/vector with
// Prometheus' vector matching (on/ignoring, group_left/group_right) and its
// errors for ambiguous matches.
#include <cmath>
#include <unordered_map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "promql/internal/evaluator.h"

namespace pharos::promql::internal {
namespace {

// The result of `l op r` and whether a comparison holds.
double Apply(BinOp op, double l, double r, bool* keep) {
  *keep = true;
  switch (op) {
    case BinOp::kAdd: return l + r;
    case BinOp::kSub: return l - r;
    case BinOp::kMul: return l * r;
    case BinOp::kDiv: return l / r;
    case BinOp::kPow: return std::pow(l, r);
    case BinOp::kMod: return std::fmod(l, r);
    case BinOp::kAtan2: return std::atan2(l, r);
    case BinOp::kEql: *keep = l == r; return l;
    case BinOp::kNeq: *keep = l != r; return l;
    case BinOp::kGtr: *keep = l > r; return l;
    case BinOp::kLss: *keep = l < r; return l;
    case BinOp::kGte: *keep = l >= r; return l;
    case BinOp::kLte: *keep = l <= r; return l;
    default: return 0;
  }
}

bool DropsName(BinOp op) { return !IsComparison(op) && !IsSetOperator(op); }

uint64_t Signature(const Labels& l, const VectorMatching& m) { return l.HashFor(m.labels, m.on); }

std::string MatchLabelsString(const Labels& l, const VectorMatching& m) {
  LabelsBuilder b(l);
  if (m.on) {
    b.Keep(m.labels);
  } else {
    for (const auto& n : m.labels) b.Del(n);
    b.Del(kMetricName);
  }
  return b.Build().ToString();
}

Labels ResultLabels(const Labels& many, const Labels& one, const BinaryExpr& e) {
  LabelsBuilder b(many);
  const VectorMatching& m = e.matching;
  if (DropsName(e.op)) b.Del(kMetricName);
  if (m.card == Cardinality::kOneToOne) {
    if (m.on) {
      b.Keep(m.labels);
    } else {
      for (const auto& n : m.labels) b.Del(n);
    }
  }
  for (const auto& n : m.include) {
    std::string_view v = one.Get(n);
    if (!v.empty()) {
      b.Set(n, v);
    } else {
      b.Del(n);
    }
  }
  if (e.return_bool) b.Del(kMetricName);
  return b.Build();
}

}  // namespace

absl::StatusOr<Value> Evaluator::EvalBinary(const BinaryExpr& e) {
  auto lv = Eval(*e.lhs);
  if (!lv.ok()) return lv.status();
  auto rv = Eval(*e.rhs);
  if (!rv.ok()) return rv.status();
  Value out;
  bool keep;
  if (lv->type == ValueType::kScalar && rv->type == ValueType::kScalar) {
    out.type = ValueType::kScalar;
    out.scalar.resize(n_);
    for (size_t i = 0; i < n_; ++i) {
      double v = Apply(e.op, lv->scalar[i], rv->scalar[i], &keep);
      if (IsComparison(e.op)) v = keep ? 1 : 0;
      out.scalar[i] = v;
    }
    return out;
  }
  out.type = ValueType::kVector;
  if (lv->type == ValueType::kScalar || rv->type == ValueType::kScalar) {
    bool swap = lv->type == ValueType::kScalar;
    std::vector<double>& sc = swap ? lv->scalar : rv->scalar;
    std::vector<StepSeries>& vec = swap ? rv->vec : lv->vec;
    bool drop = DropsName(e.op) || e.return_bool;
    for (StepSeries& s : vec) {
      bool any = false;
      for (size_t i = 0; i < n_; ++i) {
        if (!s.Has(i)) continue;
        double l = s.v[i], r = sc[i];
        if (swap) std::swap(l, r);
        double v = Apply(e.op, l, r, &keep);
        if (IsComparison(e.op) && swap) v = r;
        if (e.return_bool) {
          v = keep ? 1 : 0;
          keep = true;
        }
        if (!keep) {
          s.has[i] = 0;
          continue;
        }
        s.v[i] = v;
        any = true;
      }
      if (!any) continue;
      if (drop) s.labels = WithoutName(s.labels);
      out.vec.push_back(std::move(s));
    }
    if (absl::Status st = MergeSameLabels(&out.vec); !st.ok()) return st;
    return out;
  }

  std::vector<StepSeries>& lhs = lv->vec;
  std::vector<StepSeries>& rhs = rv->vec;
  const VectorMatching& m = e.matching;

  if (IsSetOperator(e.op)) {
    auto presence = [&](const std::vector<StepSeries>& side) {
      absl::flat_hash_map<uint64_t, std::vector<uint8_t>> p;
      for (const StepSeries& s : side) {
        auto& bits = p[Signature(s.labels, m)];
        if (bits.empty()) bits.assign(n_, 0);
        for (size_t i = 0; i < n_; ++i) bits[i] |= s.has[i];
      }
      return p;
    };
    if (e.op == BinOp::kOr) {
      auto lp = presence(lhs);
      for (StepSeries& s : lhs) out.vec.push_back(std::move(s));
      for (StepSeries& s : rhs) {
        auto it = lp.find(Signature(s.labels, m));
        bool any = false;
        for (size_t i = 0; i < n_; ++i) {
          if (it != lp.end() && it->second[i]) s.has[i] = 0;
          any |= s.has[i] != 0;
        }
        if (any) out.vec.push_back(std::move(s));
      }
    } else {
      auto rp = presence(rhs);
      bool want = e.op == BinOp::kAnd;
      for (StepSeries& s : lhs) {
        auto it = rp.find(Signature(s.labels, m));
        bool any = false;
        for (size_t i = 0; i < n_; ++i) {
          bool matched = it != rp.end() && it->second[i];
          if (matched != want) s.has[i] = 0;
          any |= s.has[i] != 0;
        }
        if (any) out.vec.push_back(std::move(s));
      }
    }
    if (absl::Status st = MergeSameLabels(&out.vec); !st.ok()) return st;
    return out;
  }

  if (lhs.empty() || rhs.empty()) return out;
  bool one_to_many = m.card == Cardinality::kOneToMany;
  std::vector<StepSeries>& many = one_to_many ? rhs : lhs;
  std::vector<StepSeries>& one = one_to_many ? lhs : rhs;

  // Signatures as small ids; the one-side series of each signature.
  absl::flat_hash_map<uint64_t, uint32_t> sig_ids;
  std::vector<std::vector<uint32_t>> one_by_sig;
  for (size_t k = 0; k < one.size(); ++k) {
    auto [it, fresh] = sig_ids.emplace(Signature(one[k].labels, m), one_by_sig.size());
    if (fresh) one_by_sig.emplace_back();
    one_by_sig[it->second].push_back(static_cast<uint32_t>(k));
  }
  // A signature with several one-side series at the same step is ambiguous.
  for (const auto& group : one_by_sig) {
    if (group.size() < 2) continue;
    for (size_t i = 0; i < n_; ++i) {
      const StepSeries* first = nullptr;
      for (uint32_t k : group) {
        if (!one[k].Has(i)) continue;
        if (first == nullptr) {
          first = &one[k];
          continue;
        }
        return absl::FailedPreconditionError(absl::StrCat(
            "found duplicate series for the match group ", MatchLabelsString(one[k].labels, m), " on the ",
            one_to_many ? "left" : "right", " hand-side of the operation: [", one[k].labels.ToString(), ", ",
            first->labels.ToString(), "];many-to-many matching not allowed: matching labels must be unique on one side"));
      }
    }
  }
  struct Pair {
    uint32_t one;
    uint32_t out;
  };
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> out_by_hash;  // output labels hash -> series
  std::vector<uint32_t> out_sig;                                     // signature id of each output series
  std::vector<int64_t> sig_step(one_by_sig.size(), -1);             // one-to-one: step a signature matched at
  for (size_t k = 0; k < many.size(); ++k) {
    if (absl::Status st = Poll(); !st.ok()) return st;
    auto sit = sig_ids.find(Signature(many[k].labels, m));
    if (sit == sig_ids.end()) continue;
    uint32_t sig = sit->second;
    std::vector<Pair> pairs;  // output series per one-side partner, created lazily
    for (size_t i = 0; i < n_; ++i) {
      if (!many[k].Has(i)) continue;
      const uint32_t* partner = nullptr;
      for (const uint32_t& o : one_by_sig[sig]) {
        if (one[o].Has(i)) partner = &o;
      }
      if (partner == nullptr) continue;
      uint32_t o = *partner;
      double fl = many[k].v[i], fr = one[o].v[i];
      if (one_to_many) std::swap(fl, fr);
      double v = Apply(e.op, fl, fr, &keep);
      if (e.return_bool) {
        v = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      }
      uint32_t idx = UINT32_MAX;
      for (const Pair& p : pairs) {
        if (p.one == o) idx = p.out;
      }
      if (idx == UINT32_MAX) {
        Labels l = ResultLabels(many[k].labels, one[o].labels, e);
        auto& cands = out_by_hash[l.Hash()];
        for (uint32_t c : cands) {
          if (out.vec[c].labels == l) idx = c;
        }
        if (idx == UINT32_MAX) {
          idx = static_cast<uint32_t>(out.vec.size());
          cands.push_back(idx);
          out.vec.push_back(NewSeries(std::move(l)));
          out_sig.push_back(sig);
        }
        pairs.push_back({o, idx});
      }
      if (m.card == Cardinality::kOneToOne) {
        if (sig_step[sig] == static_cast<int64_t>(i)) {
          return absl::FailedPreconditionError(
              "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        }
        sig_step[sig] = static_cast<int64_t>(i);
      }
      if (out.vec[idx].Has(i)) {
        if (m.card != Cardinality::kOneToOne && out_sig[idx] == sig) {
          return absl::FailedPreconditionError("multiple matches for labels: grouping labels must ensure unique matches");
        }
        return absl::FailedPreconditionError("vector cannot contain metrics with the same labelset");
      }
      out.vec[idx].Set(i, v);
    }
  }
  return out;
}

}  // namespace pharos::promql::internal
