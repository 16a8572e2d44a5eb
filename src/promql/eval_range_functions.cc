// Functions over range vectors (rate, increase, *_over_time, …). Each series
// of the argument is decoded once; the window of each step slides over it.
#include <algorithm>
#include <cmath>
#include <optional>
#include <span>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/go_quote.h"
#include "promql/functions.h"
#include "promql/internal/evaluator.h"
#include "promql/internal/float_math.h"
#include "promql/internal/functions_internal.h"

namespace pharos::promql::internal {
namespace {

using Span = std::span<const storage::Sample>;

struct WindowArgs {
  int64_t range_start;  // ref - range
  int64_t range_end;    // ref
  int64_t range_ms;
  int64_t step_time;    // the evaluation step (predict_linear's intercept time)
  double p0 = 0, p1 = 0;  // scalar parameters
  bool may_reset = true;  // false when the window surely has no counter reset
};

std::optional<double> ExtrapolatedRate(Span s, const WindowArgs& w, bool counter, bool rate) {
  if (s.size() < 2) return std::nullopt;
  size_t n1 = s.size() - 1;
  int64_t first_t = s[0].t, last_t = s[n1].t;
  double result = s[n1].v - s[0].v;
  if (counter && w.may_reset) {
    double prev = s[0].v;
    for (size_t k = 1; k < s.size(); ++k) {
      if (s[k].v < prev) result += prev;
      prev = s[k].v;
    }
  }
  double to_start = static_cast<double>(first_t - w.range_start) / 1000;
  double to_end = static_cast<double>(w.range_end - last_t) / 1000;
  double sampled = static_cast<double>(last_t - first_t) / 1000;
  double avg = sampled / static_cast<double>(n1);
  double threshold = avg * 1.1;
  double interval = sampled;
  if (to_start >= threshold) to_start = avg / 2;
  if (counter && result > 0 && s[0].v >= 0) {
    double to_zero = sampled * (s[0].v / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  interval += to_start;
  if (to_end >= threshold) to_end = avg / 2;
  interval += to_end;
  double factor = interval / sampled;
  if (rate) factor /= static_cast<double>(w.range_ms) / 1000;
  return result * factor;
}

// rate, increase and delta at every step of one series, as ExtrapolatedRate
// computes them. Two passes: the windows and their raw increase (with the
// counter-reset sums, whose order matters), then the extrapolation for all
// steps in a loop without data-dependent branches, so that the divisions of
// consecutive steps overlap. Returns whether any step has a value.
struct RateScratch {
  std::vector<uint32_t> first, last;
  std::vector<double> raw;
  std::vector<uint8_t> valid;
};

bool ExtrapolatedRates(Span smp, std::span<const int64_t> refs, int64_t range_ms, bool counter, bool rate,
                       const std::vector<uint32_t>& resets, RateScratch* tmp, StepSeries* out, uint8_t* any_at) {
  size_t n = refs.size();
  tmp->first.resize(n);
  tmp->last.resize(n);
  tmp->raw.resize(n);
  tmp->valid.resize(n);
  uint32_t* first = tmp->first.data();
  uint32_t* last = tmp->last.data();
  double* raw = tmp->raw.data();
  uint8_t* valid = tmp->valid.data();
  bool any = false;
  size_t lo = 0, hi = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t ref = refs[i];
    while (hi < smp.size() && smp[hi].t <= ref) ++hi;
    while (lo < hi && smp[lo].t < ref - range_ms) ++lo;
    if (hi > lo) any_at[i] = 1;
    if (hi - lo < 2) {
      first[i] = last[i] = 0;
      raw[i] = 0;
      valid[i] = 0;
      continue;
    }
    valid[i] = 1;
    any = true;
    first[i] = static_cast<uint32_t>(lo);
    last[i] = static_cast<uint32_t>(hi - 1);
    double result = smp[hi - 1].v - smp[lo].v;
    if (counter && resets[hi] != resets[lo + 1]) {
      double prev = smp[lo].v;
      for (size_t k = lo + 1; k < hi; ++k) {
        if (smp[k].v < prev) result += prev;
        prev = smp[k].v;
      }
    }
    raw[i] = result;
  }
  if (!any) return false;
  const double range_s = static_cast<double>(range_ms) / 1000;
  double* v = out->v.data();
  for (size_t i = 0; i < n; ++i) {
    const storage::Sample& f = smp[first[i]];
    const storage::Sample& l = smp[last[i]];
    double result = raw[i];
    double to_start = static_cast<double>(f.t - (refs[i] - range_ms)) / 1000;
    double to_end = static_cast<double>(refs[i] - l.t) / 1000;
    double sampled = static_cast<double>(l.t - f.t) / 1000;
    double avg = sampled / static_cast<double>(last[i] - first[i]);
    double threshold = avg * 1.1;
    double interval = sampled;
    to_start = to_start >= threshold ? avg / 2 : to_start;
    if (counter) {
      double to_zero = sampled * (f.v / result);
      to_start = (result > 0 && f.v >= 0 && to_zero < to_start) ? to_zero : to_start;
    }
    interval += to_start;
    to_end = to_end >= threshold ? avg / 2 : to_end;
    interval += to_end;
    double factor = interval / sampled;
    if (rate) factor /= range_s;
    v[i] = result * factor;
  }
  std::copy(valid, valid + n, out->has.data());
  return true;
}

std::optional<double> InstantValue(Span s, bool rate) {
  if (s.size() < 2) return std::nullopt;
  const auto& last = s[s.size() - 1];
  const auto& prev = s[s.size() - 2];
  double r = (rate && last.v < prev.v) ? last.v : last.v - prev.v;
  int64_t dt = last.t - prev.t;
  if (dt == 0) return std::nullopt;
  if (rate) r /= static_cast<double>(dt) / 1000;
  return r;
}

void LinearRegression(Span s, int64_t intercept_time, double* slope, double* intercept) {
  double n = 0, sum_x = 0, cx = 0, sum_y = 0, cy = 0, sum_xy = 0, cxy = 0, sum_x2 = 0, cx2 = 0;
  double init_y = s[0].v;
  bool const_y = true;
  for (size_t k = 0; k < s.size(); ++k) {
    if (const_y && k > 0 && s[k].v != init_y) const_y = false;
    n += 1;
    double x = static_cast<double>(s[k].t - intercept_time) / 1e3;
    KahanSumInc(x, &sum_x, &cx);
    KahanSumInc(s[k].v, &sum_y, &cy);
    KahanSumInc(x * s[k].v, &sum_xy, &cxy);
    KahanSumInc(x * x, &sum_x2, &cx2);
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      *slope = *intercept = NAN;
    } else {
      *slope = 0;
      *intercept = init_y;
    }
    return;
  }
  sum_x += cx;
  sum_y += cy;
  sum_xy += cxy;
  sum_x2 += cx2;
  double cov = sum_xy - sum_x * sum_y / n;
  double var = sum_x2 - sum_x * sum_x / n;
  *slope = cov / var;
  *intercept = sum_y / n - *slope * sum_x / n;
}

double HoltWinters(Span s, double sf, double tf) {
  double s0 = 0, s1 = s[0].v, b = s[1].v - s[0].v;
  for (size_t i = 1; i < s.size(); ++i) {
    double x = sf * s[i].v;
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

// avg_over_time of one window (Prometheus' incremental mean with Kahan
// compensation), as a state that takes one sample at a time, so that
// AvgOverTimeWindows can advance several windows in lockstep.
struct AvgState {
  double mean = 0, c = 0, count = 0;
  void Add(double v) {
    count++;
    if (std::isinf(mean)) {
      if (std::isinf(v) && (mean > 0) == (v > 0)) return;
      if (!std::isinf(v) && !std::isnan(v)) return;
    }
    KahanSumInc(v / count - mean / count, &mean, &c);
  }
  double Result() const { return std::isinf(mean) ? mean : mean + c; }
};

// avg_over_time of n windows [lo[i], hi[i]) of smp (each non-empty) into
// out[i]. Each window's arithmetic is exactly the one-window loop's; only
// four windows advance together, so that their divisions and dependent
// additions (one chain per window, ~35 cycles per sample) overlap.
void AvgOverTimeWindows(const storage::Sample* smp, const size_t* lo, const size_t* hi, size_t n, double* out) {
  constexpr size_t kLanes = 4;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    AvgState st[kLanes];
    size_t common = hi[i] - lo[i];
    for (size_t j = 1; j < kLanes; ++j) common = std::min(common, hi[i + j] - lo[i + j]);
    for (size_t k = 0; k < common; ++k) {
      for (size_t j = 0; j < kLanes; ++j) st[j].Add(smp[lo[i + j] + k].v);
    }
    for (size_t j = 0; j < kLanes; ++j) {
      for (size_t k = lo[i + j] + common; k < hi[i + j]; ++k) st[j].Add(smp[k].v);
      out[i + j] = st[j].Result();
    }
  }
  for (; i < n; ++i) {
    AvgState st;
    for (size_t k = lo[i]; k < hi[i]; ++k) st.Add(smp[k].v);
    out[i] = st.Result();
  }
}

std::optional<double> Compute(FunctionId id, Span s, const WindowArgs& w) {
  if (s.empty()) return std::nullopt;
  switch (id) {
    case FunctionId::kRate: return ExtrapolatedRate(s, w, true, true);
    case FunctionId::kIncrease: return ExtrapolatedRate(s, w, true, false);
    case FunctionId::kDelta: return ExtrapolatedRate(s, w, false, false);
    case FunctionId::kIrate: return InstantValue(s, true);
    case FunctionId::kIdelta: return InstantValue(s, false);
    case FunctionId::kDeriv: {
      if (s.size() < 2) return std::nullopt;
      double slope, icpt;
      LinearRegression(s, s[0].t, &slope, &icpt);
      return slope;
    }
    case FunctionId::kPredictLinear: {
      if (s.size() < 2) return std::nullopt;
      double slope, icpt;
      LinearRegression(s, w.step_time, &slope, &icpt);
      return slope * w.p0 + icpt;
    }
    case FunctionId::kHoltWinters:
      if (s.size() < 2) return std::nullopt;
      return HoltWinters(s, w.p0, w.p1);
    case FunctionId::kChanges: {
      double c = 0;
      for (size_t k = 1; k < s.size(); ++k) {
        double a = s[k - 1].v, b = s[k].v;
        if (a != b && !(std::isnan(a) && std::isnan(b))) c++;
      }
      return c;
    }
    case FunctionId::kResets: {
      double c = 0;
      for (size_t k = 1; k < s.size(); ++k) c += s[k].v < s[k - 1].v ? 1 : 0;
      return c;
    }
    case FunctionId::kAvgOverTime: {
      AvgState st;
      for (const auto& p : s) st.Add(p.v);
      return st.Result();
    }
    case FunctionId::kSumOverTime: {
      double sum = 0, c = 0;
      for (const auto& p : s) KahanSumInc(p.v, &sum, &c);
      return std::isinf(sum) ? sum : sum + c;
    }
    case FunctionId::kCountOverTime: return static_cast<double>(s.size());
    case FunctionId::kLastOverTime: return s.back().v;
    case FunctionId::kPresentOverTime: return 1.0;
    case FunctionId::kMaxOverTime: {
      double m = s[0].v;
      for (const auto& p : s) {
        if (p.v > m || std::isnan(m)) m = p.v;
      }
      return m;
    }
    case FunctionId::kMinOverTime: {
      double m = s[0].v;
      for (const auto& p : s) {
        if (p.v < m || std::isnan(m)) m = p.v;
      }
      return m;
    }
    case FunctionId::kQuantileOverTime: {
      std::vector<double> vals;
      vals.reserve(s.size());
      for (const auto& p : s) vals.push_back(p.v);
      return Quantile(w.p0, vals);
    }
    case FunctionId::kMadOverTime: {
      std::vector<double> vals;
      vals.reserve(s.size());
      for (const auto& p : s) vals.push_back(p.v);
      double median = Quantile(0.5, vals);
      for (double& v : vals) v = std::fabs(v - median);
      return Quantile(0.5, vals);
    }
    case FunctionId::kStddevOverTime:
    case FunctionId::kStdvarOverTime: {
      double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
      for (const auto& p : s) {
        count++;
        double delta = p.v - (mean + cmean);
        KahanSumInc(delta / count, &mean, &cmean);
        KahanSumInc(delta * (p.v - (mean + cmean)), &aux, &caux);
      }
      double var = (aux + caux) / count;
      return id == FunctionId::kStddevOverTime ? std::sqrt(var) : var;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string InvalidQuantileWarning(double q) {
  return absl::StrCat("PromQL warning: quantile value should be between 0 and 1, got ", FormatNumber(q));
}

Labels AbsentLabels(const VectorSelector* vs) {
  LabelsBuilder b;
  if (vs == nullptr) return b.Build();
  std::vector<std::string> has;
  for (const Matcher& m : vs->matchers) {
    if (m.name() == kMetricName) continue;
    bool seen = std::find(has.begin(), has.end(), m.name()) != has.end();
    if (m.type() == MatchType::kEqual && !seen) {
      b.Set(m.name(), m.value());
      has.push_back(m.name());
    } else {
      b.Del(m.name());
    }
  }
  return b.Build();
}

namespace {

// Scratch of one worker of EvalRangeFunction.
struct RangeWorker {
  std::vector<uint32_t> resets;
  // avg_over_time: the steps with a non-empty window, their bounds, results.
  std::vector<size_t> steps, lo, hi;
  std::vector<double> out;
  RateScratch rate;
  std::vector<uint8_t> any_at;  // steps at which a series had samples in its window
};

// One series' result, from its work to its commit.
struct RangeResult {
  Labels labels;       // of the result (without a sink)
  size_t token = 0;    // the sink's for the series
  bool not_counter = false;  // rate or increase of a metric whose name does not say counter
  std::string name;          // that name
  StepSeries ss;
  bool any = false;
  absl::Status err;
  std::vector<double> bad_quantiles;  // quantile_over_time: out-of-range parameters met, in order
};

}  // namespace

absl::StatusOr<Value> Evaluator::EvalRangeFunction(const Call& e, size_t matrix_arg, const RangeSink* sink) {
  FunctionId id = e.func->id;
  // Scalar parameters, per step.
  std::vector<std::vector<double>> params;
  for (size_t a = 0; a < e.args.size(); ++a) {
    if (a == matrix_arg) continue;
    auto v = Eval(*e.args[a]);
    if (!v.ok()) return v.status();
    params.push_back(std::move(v->scalar));
  }
  Value out;
  out.type = ValueType::kVector;
  const Expr* arg = Unparen(e.args[matrix_arg].get());
  const TimeModifiers& mods = arg->kind == ExprKind::kMatrixSelector
                                  ? static_cast<const MatrixSelector*>(arg)->vs->mods
                                  : static_cast<const SubqueryExpr*>(arg)->mods;
  int64_t range_ms = arg->kind == ExprKind::kMatrixSelector ? static_cast<const MatrixSelector*>(arg)->range_ms
                                                            : static_cast<const SubqueryExpr*>(arg)->range_ms;
  bool fixed = mods.at != AtKind::kNone;
  std::vector<int64_t> refs(n_);
  for (size_t i = 0; i < n_; ++i) refs[i] = RefTime(mods, i);
  bool counter = id == FunctionId::kRate || id == FunctionId::kIncrease;
  bool extrapolated = counter || id == FunctionId::kDelta;
  std::vector<RangeWorker> workers(static_cast<size_t>(Workers()));
  for (RangeWorker& w : workers) w.any_at.assign(n_, 0);
  std::vector<RangeResult> results;

  // Runs on this thread as each series is selected: what its commit needs
  // of its labels.
  auto pick = [&](size_t slot, const Labels& labels) {
    RangeResult& r = results[slot];
    if (id == FunctionId::kAbsentOverTime) return;
    std::string_view name = labels.MetricName();
    r.not_counter = counter && !name.empty() && !name.ends_with("_total") && !name.ends_with("_sum") &&
                    !name.ends_with("_count") && !name.ends_with("_bucket");
    if (r.not_counter) r.name.assign(name);
    bool keep_name = id == FunctionId::kLastOverTime || (sink != nullptr && sink->input_labels);
    if (sink != nullptr) {
      r.token = sink->pick(keep_name ? labels : WithoutName(labels));
    } else {
      r.labels = keep_name ? labels : WithoutName(labels);
    }
  };
  // Runs on any thread: the function at every step of one series.
  auto work = [&](size_t slot, int worker, const std::vector<storage::Sample>& smp) {
    RangeWorker& wk = workers[static_cast<size_t>(worker)];
    RangeResult& r = results[slot];
    if (r.ss.v.size() == n_) {
      // A series a sink saw: reuse its arrays.
      std::fill(r.ss.v.begin(), r.ss.v.end(), 0);
      std::fill(r.ss.has.begin(), r.ss.has.end(), 0);
    } else {
      r.ss = NewSeries({});
    }
    r.any = false;
    r.err = absl::OkStatus();
    r.bad_quantiles.clear();
    StepSeries& ss = r.ss;
    uint8_t* any_at = wk.any_at.data();
    bool any = false;
    size_t lo = 0, hi = 0;
    // Counter resets before each sample, counted, so that windows without
    // one skip the correction loop (the sum stays in Prometheus' order).
    if (counter) {
      wk.resets.assign(smp.size() + 1, 0);
      for (size_t k = 1; k < smp.size(); ++k) {
        wk.resets[k + 1] = wk.resets[k] + (smp[k].v < smp[k - 1].v ? 1 : 0);
      }
    }
    if (extrapolated && !fixed) {
      any = ExtrapolatedRates(smp, refs, range_ms, counter, id == FunctionId::kRate, wk.resets, &wk.rate, &ss,
                              any_at);
    }
    if (id == FunctionId::kAvgOverTime && !fixed) {
      // Every step's window first, then the windows in lockstep.
      wk.steps.clear();
      wk.lo.clear();
      wk.hi.clear();
      for (size_t i = 0; i < n_; ++i) {
        int64_t ref = refs[i];
        while (hi < smp.size() && smp[hi].t <= ref) ++hi;
        while (lo < hi && smp[lo].t < ref - range_ms) ++lo;
        if (hi == lo) continue;
        any_at[i] = 1;
        wk.steps.push_back(i);
        wk.lo.push_back(lo);
        wk.hi.push_back(hi);
      }
      wk.out.resize(wk.steps.size());
      AvgOverTimeWindows(smp.data(), wk.lo.data(), wk.hi.data(), wk.steps.size(), wk.out.data());
      for (size_t k = 0; k < wk.steps.size(); ++k) ss.Set(wk.steps[k], wk.out[k]);
      r.any = !wk.steps.empty();
      return;
    }
    for (size_t i = 0; i < n_ && !(extrapolated && !fixed); ++i) {
      int64_t ref = refs[i];
      if (fixed && i > 0 && params.empty()) {
        // Same window at every step (@): copy the first step's answer.
        any_at[i] |= any_at[0];
        if (ss.Has(0)) ss.Set(i, ss.v[0]);
        continue;
      }
      while (hi < smp.size() && smp[hi].t <= ref) ++hi;
      while (lo < hi && smp[lo].t < ref - range_ms) ++lo;
      Span span(smp.data() + lo, hi - lo);
      if (!span.empty()) any_at[i] = 1;
      if (id == FunctionId::kAbsentOverTime) continue;
      WindowArgs wa{ref - range_ms, ref, range_ms, TimeAt(i)};
      if (!params.empty()) wa.p0 = params[0][i];
      if (params.size() > 1) wa.p1 = params[1][i];
      if (counter && hi > lo) wa.may_reset = wk.resets[hi] != wk.resets[lo + 1];
      if (id == FunctionId::kHoltWinters && !span.empty()) {
        if (!(wa.p0 > 0 && wa.p0 < 1)) {
          r.err = absl::FailedPreconditionError(
              absl::StrFormat("invalid smoothing factor. Expected: 0 < sf < 1, got: %f", wa.p0));
          return;
        }
        if (!(wa.p1 > 0 && wa.p1 < 1)) {
          r.err = absl::FailedPreconditionError(
              absl::StrFormat("invalid trend factor. Expected: 0 < tf < 1, got: %f", wa.p1));
          return;
        }
      }
      if (id == FunctionId::kQuantileOverTime && !span.empty() && !(wa.p0 >= 0 && wa.p0 <= 1)) {
        r.bad_quantiles.push_back(wa.p0);
      }
      std::optional<double> v = Compute(id, span, wa);
      if (!v) continue;
      ss.Set(i, *v);
      any = true;
    }
    r.any = any;
  };
  // Runs on this thread, in series order.
  auto commit = [&](size_t slot) -> absl::Status {
    RangeResult& r = results[slot];
    if (!r.err.ok()) return r.err;
    for (double q : r.bad_quantiles) qs_->Annotate(false, InvalidQuantileWarning(q), e.args[0]->pos.start);
    if (!r.any) return absl::OkStatus();
    if (absl::Status st = CountSeriesSlots(); !st.ok()) return st;
    if (r.not_counter) {
      qs_->Annotate(true,
                    absl::StrCat("PromQL info: metric might not be a counter, name does not end in "
                                 "_total/_sum/_count/_bucket: ",
                                 GoQuote(r.name)),
                    e.args[matrix_arg]->pos.start);
    }
    if (sink != nullptr) return sink->fn(r.token, r.ss);
    r.ss.labels = std::move(r.labels);
    out.vec.push_back(std::move(r.ss));
    return absl::OkStatus();
  };
  auto w = ForEachRangeSeries(
      *arg, [&](size_t n) { results.resize(n); }, pick, work, commit);
  if (!w.ok()) return w.status();
  if (id == FunctionId::kAbsentOverTime) {
    StepSeries ss = NewSeries(AbsentLabels(w->selector));
    bool any = false;
    for (size_t i = 0; i < n_; ++i) {
      bool seen = false;
      for (const RangeWorker& wk : workers) seen |= wk.any_at[i] != 0;
      if (!seen) {
        ss.Set(i, 1);
        any = true;
      }
    }
    if (any) out.vec.push_back(std::move(ss));
    return out;
  }
  // (With a sink the caller made sure that names are all alike.)
  if (HasDuplicateLabels(out.vec)) {
    return absl::FailedPreconditionError("vector cannot contain metrics with the same labelset");
  }
  return out;
}

}  // namespace pharos::promql::internal
