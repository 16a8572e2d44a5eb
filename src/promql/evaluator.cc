#include "promql/internal/evaluator.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "promql/internal/float_math.h"
#include "promql/internal/task_pool.h"

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

absl::Status Evaluator::Poll(uint32_t work) {
  uint32_t before = qs_->polls;
  qs_->polls += work;
  if ((before >> 6) == (qs_->polls >> 6)) return absl::OkStatus();
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

absl::Status Evaluator::CountSeriesSlots() {
  qs_->slots += static_cast<int64_t>(n_);
  if (qs_->slots / 4 > qs_->opts->max_samples) {
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

namespace {

// The samples of one series in [mint, maxt] (stale markers dropped when
// asked), into a buffer reused between series.
absl::Status DecodeSeries(storage::SampleIterator& it, int64_t mint, int64_t maxt, bool drop_stale,
                          std::vector<storage::Sample>* buf) {
  buf->clear();
  if (it.Seek(mint)) it.AppendUntil(maxt, buf);
  if (!it.Err().ok()) return absl::InternalError(it.Err().message());
  // Stores may return samples outside the range.
  while (!buf->empty() && buf->back().t > maxt) buf->pop_back();
  if (drop_stale) std::erase_if(*buf, [](const storage::Sample& x) { return storage::IsStaleNaN(x.v); });
  return absl::OkStatus();
}

// A series selected for the helpers, until its commit.
struct PendingSeries {
  std::unique_ptr<storage::SampleIterator> it;  // until decoded
  size_t samples = 0;
  absl::Status err;  // the iterator's
};

// A selection goes to the helpers once this much work is done on the
// calling thread (steps + samples + a per-series cost, mostly decoding
// whole chunks; a unit is a few nanoseconds): hand-offs cost tens of
// microseconds of CPU, and smaller selections are done before a woken
// helper would start.
constexpr size_t kMinParallelWork = 1 << 16;
constexpr size_t kSeriesOverhead = 256;

std::atomic<size_t> test_batch{0};

}  // namespace

void SetParallelBatchForTesting(size_t batch) { test_batch.store(batch); }

int Evaluator::Workers() const {
  return 1 + (qs_->pool != nullptr ? qs_->pool->helpers() : 0);
}

std::pair<size_t, size_t> Evaluator::BatchSizes() const {
  if (size_t b = test_batch.load(std::memory_order_relaxed); b > 0) return {b, b};
  // Results in flight (two batches) take n_ x 9 bytes each, and every slot
  // some 200 bytes of bookkeeping: a few hundred kilobytes stay in the
  // allocator's cache from one batch and query to the next, larger arrays
  // come fresh from the kernel (mmap, a page fault per 4 KiB) every query.
  size_t steps = std::max<size_t>(n_, 1);
  size_t first = std::clamp<size_t>((size_t{1} << 14) / steps, 4, 64);
  return {first, std::clamp<size_t>((size_t{1} << 14) / steps, first, 256)};
}

absl::Status Evaluator::ForEachSeries(const VectorSelector& vs, int64_t mint, int64_t maxt, int64_t range_ms,
                                      bool drop_stale, SeriesFn fn) {
  // One series at a time: its labels stay valid until its commit.
  const Labels* labels = nullptr;
  absl::Status st;
  return SelectSeries(
      vs, mint, maxt, range_ms, drop_stale, false, [](size_t) {}, [&](size_t, const Labels& l) { labels = &l; },
      [&](size_t, int, const std::vector<storage::Sample>& smp) { st = fn(*labels, smp); },
      [&](size_t) { return std::exchange(st, absl::OkStatus()); });
}

absl::Status Evaluator::SelectSeries(const VectorSelector& vs, int64_t mint, int64_t maxt, int64_t range_ms,
                                     bool drop_stale, bool parallel, SlotsFn slots, PickFn pick, WorkFn work,
                                     CommitFn commit) {
  auto querier = qs_->queryable->NewQuerier(mint, maxt);
  if (!querier.ok()) return absl::InternalError(querier.status().message());
  storage::SelectHints hints;
  hints.start_ms = mint;
  hints.end_ms = maxt;
  hints.step_ms = step_;
  hints.range_ms = range_ms;
  auto set = (*querier)->Select(true, &hints, vs.matchers);
  auto finish = [&]() -> absl::Status {
    if (!set->Err().ok()) return absl::InternalError(set->Err().message());
    for (auto& w : set->Warnings()) qs_->warnings.push_back(w);
    return absl::OkStatus();
  };
  // Series by series on this thread; with helpers, only until the work
  // done shows a selection big enough for the hand-offs to pay.
  TaskPool* pool = qs_->pool;
  bool helpers = parallel && pool != nullptr && pool->helpers() > 0;
  size_t threshold = test_batch.load(std::memory_order_relaxed) > 0 ? 0 : kMinParallelWork;
  size_t done = 0;
  slots(1);
  std::vector<storage::Sample> buf;
  while (!helpers || done < threshold) {
    if (!set->Next()) return finish();
    if (absl::Status st = Poll(); !st.ok()) return st;
    const storage::Series& s = set->At();
    if (absl::Status st = DecodeSeries(*s.Iterator(), mint, maxt, drop_stale, &buf); !st.ok()) return st;
    if (absl::Status st = CountSamples(static_cast<int64_t>(buf.size())); !st.ok()) return st;
    pick(0, s.labels());
    work(0, 0, buf);
    if (absl::Status st = commit(0); !st.ok()) return st;
    done += n_ + buf.size() + kSeriesOverhead;
  }

  // The rest in batches, two at a time in two halves of the slots: the
  // calling thread selects batch k+1 and posts it before it joins the work
  // on batch k and commits k's series in order, so that the helpers go on
  // with k+1 meanwhile. Batches start small, so that the helpers start
  // early, and grow, so that they are woken rarely. Whatever stops the
  // selection (the end, an error, cancellation) takes effect after the
  // series selected before it, as in the loop above.
  auto [batch, max_batch] = BatchSizes();
  std::vector<PendingSeries> pending;
  std::vector<std::vector<storage::Sample>> bufs(static_cast<size_t>(Workers()));
  bufs[0] = std::move(buf);
  bool more = true;
  absl::Status stop;
  auto select = [&](size_t base, size_t n) {
    size_t k = 0;
    while (more && k < n) {
      if (!set->Next()) {
        more = false;
        break;
      }
      if (absl::Status st = Poll(); !st.ok()) {
        stop = st;
        more = false;
        break;
      }
      const storage::Series& s = set->At();
      PendingSeries& p = pending[base + k++];
      pick(base + k - 1, s.labels());
      p.it = s.Iterator();
    }
    return k;
  };
  auto commit_batch = [&](size_t base, size_t k) -> absl::Status {
    for (size_t i = 0; i < k; ++i) {
      PendingSeries& p = pending[base + i];
      if (!p.err.ok()) return p.err;
      if (absl::Status st = CountSamples(static_cast<int64_t>(p.samples)); !st.ok()) return st;
      if (absl::Status st = commit(base + i); !st.ok()) return st;
    }
    return absl::OkStatus();
  };
  auto process = [&](size_t slot, int w) {
    PendingSeries& p = pending[slot];
    std::vector<storage::Sample>& buf = bufs[static_cast<size_t>(w)];
    p.err = DecodeSeries(*p.it, mint, maxt, drop_stale, &buf);
    p.it.reset();
    p.samples = buf.size();
    if (p.err.ok()) work(slot, w, buf);
  };
  pending.resize(2 * max_batch);
  slots(2 * max_batch);
  auto run_low = [&](size_t i, int w) { process(i, w); };
  auto run_high = [&](size_t i, int w) { process(max_batch + i, w); };
  auto post = [&](size_t base, size_t n) {
    return pool->Post(n, base == 0 ? TaskPool::ItemFn(run_low) : TaskPool::ItemFn(run_high));
  };
  size_t base = 0;
  size_t k = select(0, batch);
  auto b = post(base, k);
  while (k > 0) {
    size_t next = base == 0 ? max_batch : 0;
    batch = std::min(2 * batch, max_batch);
    size_t k_next = select(next, batch);
    std::shared_ptr<TaskPool::Batch> b_next = k_next > 0 ? post(next, k_next) : nullptr;
    pool->Join(*b);
    if (absl::Status st = commit_batch(base, k); !st.ok()) {
      if (b_next) pool->Join(*b_next);  // its items refer to this frame
      return st;
    }
    base = next;
    k = k_next;
    b = std::move(b_next);
  }
  if (!stop.ok()) return stop;
  return finish();
}

absl::StatusOr<Value> Evaluator::EvalVectorSelector(const VectorSelector& vs, bool sample_timestamps) {
  int64_t lookback = qs_->opts->lookback_delta_ms;
  int64_t min_ref = RefTime(vs.mods, 0), max_ref = RefTime(vs.mods, n_ - 1);
  Value out;
  out.type = ValueType::kVector;
  int64_t points = 0;
  // With @ every step reads the same instant: evaluate it once.
  size_t steps = vs.mods.at != AtKind::kNone ? std::min<size_t>(n_, 1) : n_;
  absl::Status st = ForEachSeries(
      vs, min_ref - lookback, max_ref, 0, false,
      [&](const Labels& labels, const std::vector<storage::Sample>& smp) -> absl::Status {
        StepSeries ss = NewSeries({});
        size_t j = 0;  // first sample with t > ref
        bool any = false;
        for (size_t i = 0; i < steps; ++i) {
          int64_t ref = RefTime(vs.mods, i);
          while (j < smp.size() && smp[j].t <= ref) ++j;
          if (j == 0) continue;
          const storage::Sample& s = smp[j - 1];
          if (s.t < ref - lookback || storage::IsStaleNaN(s.v)) continue;
          ss.Set(i, sample_timestamps ? static_cast<double>(s.t) / 1000.0 : s.v);
          any = true;
          ++points;
        }
        if (absl::Status st = CountSamples(points); !st.ok()) return st;
        points = 0;
        if (!any) return absl::OkStatus();
        if (absl::Status st = CountSeriesSlots(); !st.ok()) return st;
        if (steps < n_) {
          for (size_t i = 1; i < n_; ++i) ss.Set(i, ss.v[0]);
          if (absl::Status st = CountSamples(static_cast<int64_t>(n_) - 1); !st.ok()) return st;
        }
        ss.labels = labels;
        out.vec.push_back(std::move(ss));
        return absl::OkStatus();
      });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<Evaluator::RangeArg> Evaluator::ForEachRangeSeries(const Expr& arg, SeriesFn fn) {
  const Labels* labels = nullptr;
  absl::Status st;
  return RangeSeries(
      arg, false, [](size_t) {}, [&](size_t, const Labels& l) { labels = &l; },
      [&](size_t, int, const std::vector<storage::Sample>& smp) { st = fn(*labels, smp); },
      [&](size_t) { return std::exchange(st, absl::OkStatus()); });
}

absl::StatusOr<Evaluator::RangeArg> Evaluator::ForEachRangeSeries(const Expr& arg, SlotsFn slots, PickFn pick,
                                                                  WorkFn work, CommitFn commit) {
  return RangeSeries(arg, true, slots, pick, work, commit);
}

absl::StatusOr<Evaluator::RangeArg> Evaluator::RangeSeries(const Expr& arg_in, bool parallel, SlotsFn slots,
                                                           PickFn pick, WorkFn work, CommitFn commit) {
  const Expr* arg = Unparen(&arg_in);
  RangeArg w;
  if (arg->kind == ExprKind::kMatrixSelector) {
    const auto& ms = static_cast<const MatrixSelector&>(*arg);
    w.range_ms = ms.range_ms;
    w.mods = ms.vs->mods;
    w.selector = ms.vs.get();
    int64_t min_ref = RefTime(w.mods, 0), max_ref = RefTime(w.mods, n_ - 1);
    absl::Status st =
        SelectSeries(*ms.vs, min_ref - ms.range_ms, max_ref, ms.range_ms, true, parallel, slots, pick, work, commit);
    if (!st.ok()) return st;
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
  slots(1);
  std::vector<storage::Sample> buf;
  for (StepSeries& ss : v->vec) {
    buf.clear();
    for (size_t i = 0; i < inner.steps(); ++i) {
      if (ss.Has(i)) buf.push_back({inner.TimeAt(i), ss.v[i]});
    }
    pick(0, ss.labels);
    work(0, 0, buf);
    if (absl::Status st = commit(0); !st.ok()) return st;
  }
  return w;
}

absl::StatusOr<Value> Evaluator::EvalTopLevelMatrix(const Expr& e) {
  Value out;
  out.type = ValueType::kMatrix;
  int64_t ref = 0, range = 0;
  const Expr* arg = Unparen(&e);
  if (arg->kind == ExprKind::kMatrixSelector) {
    ref = RefTime(static_cast<const MatrixSelector*>(arg)->vs->mods, 0);
    range = static_cast<const MatrixSelector*>(arg)->range_ms;
  } else if (arg->kind == ExprKind::kSubquery) {
    ref = RefTime(static_cast<const SubqueryExpr*>(arg)->mods, 0);
    range = static_cast<const SubqueryExpr*>(arg)->range_ms;
  }
  auto w = ForEachRangeSeries(e, [&](const Labels& labels, const std::vector<storage::Sample>& smp) {
    Series s;
    for (const auto& x : smp) {
      if (x.t >= ref - range && x.t <= ref) s.points.push_back({x.t, x.v});
    }
    if (!s.points.empty()) {
      s.labels = labels;
      out.matrix.push_back(std::move(s));
    }
    return absl::OkStatus();
  });
  if (!w.ok()) return w.status();
  return out;
}

Labels WithoutName(const Labels& l) {
  std::vector<Label> pairs;
  pairs.reserve(l.size());
  for (const Label& x : l) {
    if (x.name != kMetricName) pairs.push_back(x);
  }
  return Labels::FromSorted(std::move(pairs));
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
        s.labels = WithoutName(s.labels);
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
