// Aggregation operators (sum, avg, count, min, max, group, stddev, stdvar,
// topk, bottomk, count_values, quantile) with by/without, step by step.
#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/float_format.h"
#include "common/label_names.h"
#include "promql/functions.h"
#include "promql/internal/evaluator.h"
#include "promql/internal/float_math.h"
#include "promql/internal/functions_internal.h"

namespace pharos::promql::internal {
namespace {

Labels GroupLabels(const Labels& l, const AggregateExpr& e) {
  LabelsBuilder b(l);
  if (e.without) {
    for (const auto& n : e.grouping) b.Del(n);
    b.Del(kMetricName);
  } else {
    b.Keep(e.grouping);
  }
  return b.Build();
}

// One group's running aggregate at one step.
struct AggState {
  double value = 0, c = 0, mean = 0;
  double count = 0;
  bool seen = false;
};

// avg: the running mean with Kahan compensation, as Prometheus 2.53.
inline void AggAvg(AggState& a, double v) {
  a.count++;
  if (!a.seen) {
    a.seen = true;
    a.mean = v;
    return;
  }
  if (std::isinf(a.mean)) {
    if (std::isinf(v) && (a.mean > 0) == (v > 0)) return;
    if (!std::isinf(v) && !std::isnan(v)) return;
  }
  KahanSumInc(v / a.count - a.mean / a.count, &a.mean, &a.c);
}

// Adds one series (values v where has) into a group's row of accumulators.
void Accumulate(AggOp op, AggState* a, const double* v, const uint8_t* has, size_t n) {
  switch (op) {
    case AggOp::kSum:
      for (size_t i = 0; i < n; ++i) {
        if (!has[i]) continue;
        a[i].seen = true;
        KahanSumInc(v[i], &a[i].value, &a[i].c);
      }
      break;
    case AggOp::kAvg:
      for (size_t i = 0; i < n; ++i) {
        if (!has[i]) continue;
        AggAvg(a[i], v[i]);
      }
      break;
    case AggOp::kCount:
    case AggOp::kGroup:
      for (size_t i = 0; i < n; ++i) {
        if (!has[i]) continue;
        a[i].seen = true;
        a[i].count++;
      }
      break;
    case AggOp::kMin:
      for (size_t i = 0; i < n; ++i) {
        if (!has[i]) continue;
        if (!a[i].seen || a[i].value > v[i] || std::isnan(a[i].value)) a[i].value = v[i];
        a[i].seen = true;
      }
      break;
    case AggOp::kMax:
      for (size_t i = 0; i < n; ++i) {
        if (!has[i]) continue;
        if (!a[i].seen || a[i].value < v[i] || std::isnan(a[i].value)) a[i].value = v[i];
        a[i].seen = true;
      }
      break;
    case AggOp::kStddev:
    case AggOp::kStdvar:
      for (size_t i = 0; i < n; ++i) {
        if (!has[i]) continue;
        AggState& x = a[i];
        x.seen = true;
        x.count++;
        double delta = v[i] - x.mean;
        x.mean += delta / x.count;
        x.value += delta * (v[i] - x.mean);
      }
      break;
    default:
      break;
  }
}

// The group's result at every step it has a value.
void FinishGroup(AggOp op, const AggState* a, StepSeries* res) {
  for (size_t i = 0; i < res->v.size(); ++i) {
    if (!a[i].seen) continue;
    double r = 0;
    switch (op) {
      case AggOp::kSum: r = std::isinf(a[i].value) ? a[i].value : a[i].value + a[i].c; break;
      case AggOp::kAvg: r = std::isinf(a[i].mean) ? a[i].mean : a[i].mean + a[i].c; break;
      case AggOp::kCount: r = a[i].count; break;
      case AggOp::kGroup: r = 1; break;
      case AggOp::kMin:
      case AggOp::kMax: r = a[i].value; break;
      case AggOp::kStdvar: r = a[i].value / a[i].count; break;
      case AggOp::kStddev: r = std::sqrt(a[i].value / a[i].count); break;
      default: break;
    }
    res->Set(i, r);
  }
}

}  // namespace

std::optional<absl::StatusOr<Value>> Evaluator::EvalAggregateOfRangeFunction(const AggregateExpr& e) {
  switch (e.op) {
    case AggOp::kSum:
    case AggOp::kAvg:
    case AggOp::kCount:
    case AggOp::kGroup:
    case AggOp::kMin:
    case AggOp::kMax:
    case AggOp::kStddev:
    case AggOp::kStdvar: break;
    default: return std::nullopt;
  }
  const Expr* x = e.expr.get();
  size_t parens = 0;
  for (; x->kind == ExprKind::kParen; ++parens) x = static_cast<const ParenExpr*>(x)->expr.get();
  if (x->kind != ExprKind::kCall) return std::nullopt;
  const Call& call = static_cast<const Call&>(*x);
  size_t arg = 0;
  while (arg < call.args.size() && TypeOf(*call.args[arg]) != ValueType::kMatrix) ++arg;
  if (arg == call.args.size() || call.func->id == FunctionId::kAbsentOverTime) return std::nullopt;
  const Expr* m = Unparen(call.args[arg].get());
  if (m->kind != ExprKind::kMatrixSelector) return std::nullopt;
  // The function's result series must have distinct labels, as then the
  // aggregation never sees the error the range function would raise: they
  // do when it keeps the metric name or when the selector has one name.
  bool keeps_name = call.func->id == FunctionId::kLastOverTime;
  bool one_name = std::any_of(
      static_cast<const MatrixSelector*>(m)->vs->matchers.begin(), static_cast<const MatrixSelector*>(m)->vs->matchers.end(),
      [](const Matcher& mt) { return mt.name() == kMetricName && mt.type() == MatchType::kEqual; });
  if (!keeps_name && !one_name) return std::nullopt;
  // As Eval would on its way down.
  for (size_t p = 0; p <= parens; ++p) {
    if (absl::Status st = Poll(); !st.ok()) return st;
  }

  // Groups in order of first appearance, each with a row of accumulators
  // that series are added to in input order: for every group and step the
  // additions are those of EvalAggregate, in the same order. A series'
  // group is looked up by hash when it is selected (its labels are not
  // kept); the group joins the output when its first series with a value
  // is committed, as EvalAggregate sees only those.
  constexpr size_t kNone = SIZE_MAX;
  absl::flat_hash_map<uint64_t, size_t> by_hash;
  std::vector<Labels> labels_of;     // by candidate group (in order of selection)
  std::vector<size_t> group_of;      // candidate -> group, or kNone
  std::vector<size_t> candidate_of;  // group -> candidate
  std::vector<std::vector<AggState>> rows;
  auto pick = [&](const Labels& l) {
    auto [it, fresh] = by_hash.emplace(l.HashFor(e.grouping, !e.without), labels_of.size());
    if (fresh) {
      labels_of.push_back(GroupLabels(l, e));
      group_of.push_back(kNone);
    }
    return it->second;
  };
  auto add = [&](size_t c, const StepSeries& s) -> absl::Status {
    if (absl::Status st = Poll(static_cast<uint32_t>(n_)); !st.ok()) return st;
    if (group_of[c] == kNone) {
      group_of[c] = rows.size();
      candidate_of.push_back(c);
      rows.emplace_back(n_);
    }
    Accumulate(e.op, rows[group_of[c]].data(), s.v.data(), s.has.data(), n_);
    return absl::OkStatus();
  };
  // The input series' labels group alike unless the grouping names the
  // metric name that the function drops.
  RangeSink sink{pick, add,
                 e.without || keeps_name ||
                     std::find(e.grouping.begin(), e.grouping.end(), kMetricName) == e.grouping.end()};
  auto in = EvalRangeFunction(call, arg, &sink);
  if (!in.ok()) return in.status();
  Value out;
  out.type = ValueType::kVector;
  for (size_t g = 0; g < rows.size(); ++g) {
    StepSeries r = NewSeries(std::move(labels_of[candidate_of[g]]));
    FinishGroup(e.op, rows[g].data(), &r);
    if (std::find(r.has.begin(), r.has.end(), 1) != r.has.end()) out.vec.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<Value> Evaluator::EvalAggregate(const AggregateExpr& e) {
  if (auto r = EvalAggregateOfRangeFunction(e)) return *std::move(r);
  Value param;
  if (e.param) {
    auto p = Eval(*e.param);
    if (!p.ok()) return p.status();
    param = *std::move(p);
  }
  auto in = Eval(*e.expr);
  if (!in.ok()) return in.status();
  std::vector<StepSeries>& vec = in->vec;
  Value out;
  out.type = ValueType::kVector;

  if (e.op == AggOp::kCountValues) {
    const std::string& label = param.str;
    if (!IsValidLabelName(label)) {
      return absl::FailedPreconditionError(absl::StrCat("invalid label name \"", label, "\""));
    }
  }

  // Group of each input series, in order of first appearance.
  std::vector<size_t> group_of(vec.size());
  std::vector<Labels> group_labels;
  {
    // Grouped by the hash of the grouping labels (as Prometheus does); the
    // group's labels are built once, for its first series.
    absl::flat_hash_map<uint64_t, size_t> by_hash;
    for (size_t k = 0; k < vec.size(); ++k) {
      uint64_t h = vec[k].labels.HashFor(e.grouping, !e.without);
      auto [it, fresh] = by_hash.emplace(h, group_labels.size());
      if (fresh) group_labels.push_back(GroupLabels(vec[k].labels, e));
      group_of[k] = it->second;
    }
  }
  size_t ng = group_labels.size();

  if (e.op == AggOp::kTopK || e.op == AggOp::kBottomK) {
    bool top = e.op == AggOp::kTopK;
    // Output series are the input series themselves.
    std::vector<StepSeries> res(vec.size());
    std::vector<bool> used(vec.size());
    std::vector<std::vector<size_t>> groups(ng);
    // "a is a worse candidate than b" for the heap: for topk smaller
    // values (NaN smallest), for bottomk larger values (NaN largest).
    auto worse = [&](double a, double b) {
      if (top) return NanFirstLess(a, b);
      if (std::isnan(a) && !std::isnan(b)) return true;
      return a > b;
    };
    std::vector<std::vector<size_t>> order_out;  // instant queries: output order
    for (size_t i = 0; i < n_; ++i) {
      if (absl::Status st = Poll(); !st.ok()) return st;
      double kf = param.scalar[i];
      if (std::isnan(kf) || kf >= 9.223372036854775807e18 || kf <= -9.223372036854775807e18) {
        return absl::FailedPreconditionError(absl::StrCat("Scalar value ", FormatFloatGoG(kf), " overflows int64"));
      }
      int64_t k = static_cast<int64_t>(kf);
      if (k < 1) continue;
      for (auto& g : groups) g.clear();
      for (size_t s = 0; s < vec.size(); ++s) {
        if (!vec[s].Has(i)) continue;
        auto& h = groups[group_of[s]];
        auto cmp = [&](size_t a, size_t b) { return worse(vec[b].v[i], vec[a].v[i]); };  // min-heap of "worse"
        if (static_cast<int64_t>(h.size()) < k) {
          h.push_back(s);
          std::push_heap(h.begin(), h.end(), cmp);
        } else if (worse(vec[h.front()].v[i], vec[s].v[i])) {
          std::pop_heap(h.begin(), h.end(), cmp);
          h.back() = s;
          std::push_heap(h.begin(), h.end(), cmp);
        }
      }
      for (size_t g = 0; g < ng; ++g) {
        auto& h = groups[g];
        // Best first.
        std::sort(h.begin(), h.end(), [&](size_t a, size_t b) { return worse(vec[b].v[i], vec[a].v[i]); });
        for (size_t s : h) {
          if (!used[s]) {
            used[s] = true;
            res[s] = NewSeries(vec[s].labels);
          }
          res[s].Set(i, vec[s].v[i]);
        }
        if (n_ == 1) order_out.push_back(h);
      }
    }
    if (n_ == 1) {
      for (auto& h : order_out) {
        for (size_t s : h) out.vec.push_back(std::move(res[s]));
      }
    } else {
      for (size_t s = 0; s < vec.size(); ++s) {
        if (used[s]) out.vec.push_back(std::move(res[s]));
      }
    }
    return out;
  }

  if (e.op == AggOp::kCountValues) {
    // Keyed by the output labels: the value label may overwrite a grouping label.
    const std::string& label = param.str;
    absl::flat_hash_map<uint64_t, std::vector<size_t>> out_by_hash;
    std::vector<double> counts;
    std::vector<size_t> touched;
    for (size_t i = 0; i < n_; ++i) {
      for (size_t s = 0; s < vec.size(); ++s) {
        if (!vec[s].Has(i)) continue;
        Labels l = LabelsBuilder(group_labels[group_of[s]]).Set(label, FormatFloatGo(vec[s].v[i])).Build();
        auto& cands = out_by_hash[l.Hash()];
        size_t idx = SIZE_MAX;
        for (size_t c : cands) {
          if (out.vec[c].labels == l) idx = c;
        }
        if (idx == SIZE_MAX) {
          idx = out.vec.size();
          cands.push_back(idx);
          out.vec.push_back(NewSeries(std::move(l)));
          counts.push_back(0);
        }
        if (counts[idx] == 0) touched.push_back(idx);
        counts[idx] += 1;
      }
      for (size_t idx : touched) {
        out.vec[idx].Set(i, counts[idx]);
        counts[idx] = 0;
      }
      touched.clear();
    }
    return out;
  }

  std::vector<StepSeries> res;
  res.reserve(ng);
  for (size_t g = 0; g < ng; ++g) res.push_back(NewSeries(group_labels[g]));
  if (e.op == AggOp::kQuantile) {
    // Step by step: the values of a step are collected, then sorted.
    std::vector<std::vector<double>> values(ng);
    for (size_t i = 0; i < n_; ++i) {
      if (absl::Status st = Poll(); !st.ok()) return st;
      for (auto& v : values) v.clear();
      for (size_t s = 0; s < vec.size(); ++s) {
        if (vec[s].Has(i)) values[group_of[s]].push_back(vec[s].v[i]);
      }
      double q = param.scalar[i];
      for (size_t g = 0; g < ng; ++g) {
        if (values[g].empty()) continue;
        if (!(q >= 0 && q <= 1)) qs_->Annotate(false, InvalidQuantileWarning(q), e.param->pos.start);
        res[g].Set(i, Quantile(q, values[g]));
      }
    }
  } else {
    // Group by group, and within a group series by series (in input order)
    // into one row of per-step accumulators that stays in cache: each input
    // array is read once, in order. For every step a group's series are
    // still added in input order, so results are those of a step-major loop.
    std::vector<size_t> member_start(ng + 1, 0), members(vec.size());
    for (size_t s = 0; s < vec.size(); ++s) ++member_start[group_of[s] + 1];
    for (size_t g = 0; g < ng; ++g) member_start[g + 1] += member_start[g];
    {
      std::vector<size_t> fill(member_start.begin(), member_start.end() - 1);
      for (size_t s = 0; s < vec.size(); ++s) members[fill[group_of[s]]++] = s;
    }
    std::vector<AggState> acc(n_);
    for (size_t g = 0; g < ng; ++g) {
      std::fill(acc.begin(), acc.end(), AggState{});
      AggState* a = acc.data();
      for (size_t m = member_start[g]; m < member_start[g + 1]; ++m) {
        size_t s = members[m];
        if (absl::Status st = Poll(static_cast<uint32_t>(n_)); !st.ok()) return st;
        Accumulate(e.op, a, vec[s].v.data(), vec[s].has.data(), n_);
      }
      FinishGroup(e.op, a, &res[g]);
    }
  }
  for (StepSeries& s : res) {
    bool any = false;
    for (uint8_t h : s.has) any |= h != 0;
    if (any) out.vec.push_back(std::move(s));
  }
  return out;
}

}  // namespace pharos::promql::internal
