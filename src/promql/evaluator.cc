#include "promql/internal/evaluator.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "promql/internal/float_math.h"

namespace pharos::promql::internal {

bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    return false;
  }
  std::string str(s);
  std::string lower = str;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view body = lower;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (body == "inf" || body == "infinity") {
    *out = lower[0] == '-' ? -INFINITY : INFINITY;
    return true;
  }
  if (body == "nan") {
    if (lower[0] == '+' || lower[0] == '-') return false;
    *out = NAN;
    return true;
  }
  // strtod also accepts hex floats without exponent and "infinity"-like
  // words, which Go does not; the checks above and below cover the rest.
  if (body.find("0x") == 0 && body.find('p') == std::string_view::npos) return false;
  char* end = nullptr;
  double v = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size()) return false;
  *out = v;
  return true;
}

Evaluator::Evaluator(QueryState* qs, int64_t start, int64_t end, int64_t step)
    : qs_(qs), start_(start), end_(end), step_(step > 0 ? step : 1) {
  n_ = end_ >= start_ ? static_cast<size_t>((end_ - start_) / step_) + 1 : 0;
}

StepSeries Evaluator::NewSeries(Labels labels) const {
  StepSeries s;
  s.labels = std::move(labels);
  s.v.assign(n_, 0);
  s.has.assign(n_, 0);
  return s;
}

absl::Status Evaluator::Poll() {
  if ((++qs_->polls & 63) != 0) return absl::OkStatus();
  if (qs_->ctx->is_cancelled && qs_->ctx->is_cancelled()) {
    return absl::CancelledError("query was canceled in expression evaluation");
  }
  if (absl::Now() > qs_->deadline) return absl::DeadlineExceededError("query timed out in expression evaluation");
  return absl::OkStatus();
}

absl::Status Evaluator::CountSamples(int64_t n) {
  qs_->samples += n;
  if (qs_->samples > qs_->opts->max_samples) {
    return absl::ResourceExhaustedError(
        "query processing would load too many samples into memory in query execution");
  }
  return absl::OkStatus();
}

int64_t Evaluator::RefTime(const TimeModifiers& m, size_t i) const {
  int64_t t = TimeAt(i);
  switch (m.at) {
    case AtKind::kNone: break;
    case AtKind::kTimestamp: t = m.at_ms; break;
    case AtKind::kStart: t = qs_->query_start; break;
    case AtKind::kEnd: t = qs_->query_end; break;
  }
  return t - m.offset_ms;
}

absl::StatusOr<std::vector<Evaluator::RawSeries>> Evaluator::Load(const VectorSelector& vs, int64_t mint,
                                                                  int64_t maxt, int64_t range_ms) {
  std::vector<RawSeries> out;
  auto querier = qs_->queryable->NewQuerier(mint, maxt);
  if (!querier.ok()) return absl::InternalError(querier.status().message());
  storage::SelectHints hints;
  hints.start_ms = mint;
  hints.end_ms = maxt;
  hints.step_ms = step_;
  hints.range_ms = range_ms;
  auto set = (*querier)->Select(true, &hints, vs.matchers);
  int64_t total = 0;
  while (set->Next()) {
    if (absl::Status st = Poll(); !st.ok()) return st;
    const storage::Series& s = set->At();
    RawSeries rs;
    rs.labels = s.labels();
    auto it = s.Iterator();
    if (it->Seek(mint)) it->AppendUntil(maxt, &rs.samples);
    if (!it->Err().ok()) return absl::InternalError(it->Err().message());
    // Stores may return samples outside the range.
    while (!rs.samples.empty() && rs.samples.back().t > maxt) rs.samples.pop_back();
    total += static_cast<int64_t>(rs.samples.size());
    if (absl::Status st = CountSamples(static_cast<int64_t>(rs.samples.size())); !st.ok()) return st;
    out.push_back(std::move(rs));
  }
  if (!set->Err().ok()) return absl::InternalError(set->Err().message());
  for (auto& w : set->Warnings()) qs_->warnings.push_back(w);
  return out;
}

absl::StatusOr<Value> Evaluator::EvalVectorSelector(const VectorSelector& vs, bool sample_timestamps) {
  int64_t lookback = qs_->opts->lookback_delta_ms;
  int64_t min_ref = RefTime(vs.mods, 0), max_ref = RefTime(vs.mods, n_ - 1);
  auto loaded = Load(vs, min_ref - lookback, max_ref, 0);
  if (!loaded.ok()) return loaded.status();
  Value out;
  out.type = ValueType::kVector;
  int64_t points = 0;
  for (RawSeries& rs : *loaded) {
    StepSeries ss = NewSeries(std::move(rs.labels));
    const auto& smp = rs.samples;
    size_t j = 0;  // first sample with t > ref
    bool any = false;
    for (size_t i = 0; i < n_; ++i) {
      int64_t ref = RefTime(vs.mods, i);
      if (vs.mods.at != AtKind::kNone) j = 0;
      while (j < smp.size() && smp[j].t <= ref) ++j;
      if (j == 0) continue;
      const storage::Sample& s = smp[j - 1];
      if (s.t < ref - lookback || storage::IsStaleNaN(s.v)) continue;
      ss.Set(i, sample_timestamps ? static_cast<double>(s.t) / 1000.0 : s.v);
      any = true;
      ++points;
    }
    if (any) out.vec.push_back(std::move(ss));
  }
  if (absl::Status st = CountSamples(points); !st.ok()) return st;
  return out;
}

absl::StatusOr<Evaluator::Windows> Evaluator::LoadWindows(const Expr& arg_in) {
  const Expr* arg = Unparen(&arg_in);
  Windows w;
  if (arg->kind == ExprKind::kMatrixSelector) {
    const auto& ms = static_cast<const MatrixSelector&>(*arg);
    w.range_ms = ms.range_ms;
    w.mods = ms.vs->mods;
    w.selector = ms.vs.get();
    int64_t min_ref = RefTime(w.mods, 0), max_ref = RefTime(w.mods, n_ - 1);
    auto loaded = Load(*ms.vs, min_ref - ms.range_ms, max_ref, ms.range_ms);
    if (!loaded.ok()) return loaded.status();
    w.series = *std::move(loaded);
    for (auto& rs : w.series) {
      std::erase_if(rs.samples, [](const storage::Sample& s) { return storage::IsStaleNaN(s.v); });
    }
    return w;
  }
  if (arg->kind != ExprKind::kSubquery) return absl::InternalError("range argument is not a range vector");
  const auto& sq = static_cast<const SubqueryExpr&>(*arg);
  w.range_ms = sq.range_ms;
  w.mods = sq.mods;
  int64_t step = sq.step_ms > 0 ? sq.step_ms : qs_->opts->default_subquery_step_ms;
  int64_t first_ref = RefTime(sq.mods, 0), last_ref = RefTime(sq.mods, n_ - 1);
  // The inner grid is aligned to multiples of its step (Go's truncating
  // division, as Prometheus computes it).
  int64_t lo = first_ref - sq.range_ms;
  int64_t inner_start = step * (lo / step);
  if (inner_start < lo) inner_start += step;
  if (last_ref >= inner_start && (last_ref - inner_start) / step >= qs_->opts->max_samples) {
    return absl::ResourceExhaustedError(
        "query processing would load too many samples into memory in query execution");
  }
  Evaluator inner(qs_, inner_start, last_ref, step);
  auto v = inner.Eval(*sq.expr);
  if (!v.ok()) return v.status();
  for (StepSeries& ss : v->vec) {
    RawSeries rs;
    rs.labels = std::move(ss.labels);
    for (size_t i = 0; i < inner.steps(); ++i) {
      if (ss.Has(i)) rs.samples.push_back({inner.TimeAt(i), ss.v[i]});
    }
    w.series.push_back(std::move(rs));
  }
  return w;
}

absl::StatusOr<Value> Evaluator::EvalTopLevelMatrix(const Expr& e) {
  auto w = LoadWindows(e);
  if (!w.ok()) return w.status();
  Value out;
  out.type = ValueType::kMatrix;
  int64_t ref = RefTime(w->mods, 0);
  for (RawSeries& rs : w->series) {
    Series s;
    s.labels = std::move(rs.labels);
    for (const auto& smp : rs.samples) {
      if (smp.t >= ref - w->range_ms && smp.t <= ref) s.points.push_back({smp.t, smp.v});
    }
    if (!s.points.empty()) out.matrix.push_back(std::move(s));
  }
  return out;
}

bool HasDuplicateLabels(const std::vector<StepSeries>& vec) {
  // Hashes first; labels are compared only for equal hashes.
  absl::flat_hash_map<uint64_t, size_t> seen;
  seen.reserve(vec.size());
  for (size_t i = 0; i < vec.size(); ++i) {
    auto [it, fresh] = seen.emplace(vec[i].labels.Hash(), i);
    if (!fresh && vec[it->second].labels == vec[i].labels) return true;
    if (!fresh) {
      for (size_t j = 0; j < i; ++j) {
        if (vec[j].labels == vec[i].labels) return true;
      }
    }
  }
  return false;
}

absl::Status MergeSameLabels(std::vector<StepSeries>* vec) {
  if (vec->size() < 2 || !HasDuplicateLabels(*vec)) return absl::OkStatus();
  std::vector<size_t> order(vec->size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return Labels::Compare((*vec)[a].labels, (*vec)[b].labels) < 0; });
  bool dup = false;
  for (size_t k = 1; k < order.size(); ++k) dup |= (*vec)[order[k]].labels == (*vec)[order[k - 1]].labels;
  if (!dup) return absl::OkStatus();
  std::vector<StepSeries> out;
  std::vector<bool> taken(vec->size());
  // Keep the first occurrence's position so that result order stays stable.
  std::map<size_t, size_t> first_of;  // index -> index of the first series with equal labels
  for (size_t k = 0; k < order.size();) {
    size_t e = k + 1;
    while (e < order.size() && (*vec)[order[e]].labels == (*vec)[order[k]].labels) ++e;
    size_t first = *std::min_element(order.begin() + k, order.begin() + e);
    for (size_t m = k; m < e; ++m) {
      size_t idx = order[m];
      if (idx == first) continue;
      StepSeries& dst = (*vec)[first];
      StepSeries& src = (*vec)[idx];
      for (size_t i = 0; i < src.has.size(); ++i) {
        if (!src.has[i]) continue;
        if (dst.has[i]) return absl::FailedPreconditionError("vector cannot contain metrics with the same labelset");
        dst.Set(i, src.v[i]);
      }
      taken[idx] = true;
    }
    k = e;
  }
  for (size_t i = 0; i < vec->size(); ++i) {
    if (!taken[i]) out.push_back(std::move((*vec)[i]));
  }
  *vec = std::move(out);
  return absl::OkStatus();
}

absl::StatusOr<Value> Evaluator::Eval(const Expr& e) {
  if (absl::Status st = Poll(); !st.ok()) return st;
  switch (e.kind) {
    case ExprKind::kNumber: {
      Value v;
      v.type = ValueType::kScalar;
      v.scalar.assign(n_, static_cast<const NumberLiteral&>(e).value);
      return v;
    }
    case ExprKind::kString: {
      Value v;
      v.type = ValueType::kString;
      v.str = static_cast<const StringLiteral&>(e).value;
      return v;
    }
    case ExprKind::kParen:
      return Eval(*static_cast<const ParenExpr&>(e).expr);
    case ExprKind::kVectorSelector:
      return EvalVectorSelector(static_cast<const VectorSelector&>(e), false);
    case ExprKind::kMatrixSelector:
    case ExprKind::kSubquery:
      return EvalTopLevelMatrix(e);
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      auto v = Eval(*u.expr);
      if (!v.ok() || !u.negate) return v;
      if (v->type == ValueType::kScalar) {
        for (double& x : v->scalar) x = -x;
        return v;
      }
      for (StepSeries& s : v->vec) {
        s.labels = LabelsBuilder(s.labels).Del(kMetricName).Build();
        for (double& x : s.v) x = -x;
      }
      // Prometheus refuses equal label sets here even without overlap.
      if (HasDuplicateLabels(v->vec)) {
        return absl::FailedPreconditionError("vector cannot contain metrics with the same labelset");
      }
      return v;
    }
    case ExprKind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e));
    case ExprKind::kAggregate:
      return EvalAggregate(static_cast<const AggregateExpr&>(e));
    case ExprKind::kCall:
      return EvalCall(static_cast<const Call&>(e));
  }
  return absl::InternalError("unknown expression");
}

}  // namespace pharos::promql::internal
