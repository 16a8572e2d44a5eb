// The evaluator behind Engine: evaluates a syntax tree over a grid of steps
// [start, end] every `step` ms. Every instant-vector value is a set of series
// with one optional value per step (dense arrays), so binary operators and
// aggregations work step by step while selectors and range functions work
// series by series (each series is decoded once per query).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/labels.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "storage/querier.h"
#include "storage/sample.h"

namespace pharos::promql::internal {

class TaskPool;

// One series of an instant-vector value: a value at some of the steps.
struct StepSeries {
  Labels labels;
  std::vector<double> v;      // one per step
  std::vector<uint8_t> has;   // 1 when v[i] is set
  // Timestamps of raw samples when a selector is asked for them (timestamp()).
  bool Has(size_t i) const { return has[i] != 0; }
  void Set(size_t i, double x) {
    v[i] = x;
    has[i] = 1;
  }
};

struct Value {
  ValueType type = ValueType::kNone;
  std::vector<StepSeries> vec;   // kVector
  std::vector<double> scalar;    // kScalar: one per step
  std::string str;               // kString
  std::vector<Series> matrix;    // kMatrix (only as a top-level instant result)
};

// Shared by an evaluator and the evaluators of its subqueries.
struct QueryState {
  storage::Queryable* queryable = nullptr;
  const EngineOptions* opts = nullptr;
  const QueryContext* ctx = nullptr;
  TaskPool* pool = nullptr;  // the engine's helpers, or null
  absl::Time deadline;
  int64_t query_start = 0;  // for @ start()
  int64_t query_end = 0;    // for @ end()
  int64_t samples = 0;      // samples loaded so far, against max_samples
  int64_t slots = 0;        // step slots of selector results, against 4 x max_samples
  std::vector<std::string> warnings;
  // PromQL annotations in order of first occurrence, without duplicates.
  struct Annotation {
    bool info;
    std::string text;
    int pos;
    friend bool operator==(const Annotation&, const Annotation&) = default;
  };
  std::vector<Annotation> annotations;
  void Annotate(bool info, std::string text, int pos) {
    Annotation a{info, std::move(text), pos};
    for (const auto& x : annotations) {
      if (x == a) return;
    }
    if (annotations.size() < 1000) annotations.push_back(std::move(a));
  }
  uint32_t polls = 0;
};

class Evaluator {
 public:
  Evaluator(QueryState* qs, int64_t start, int64_t end, int64_t step);

  absl::StatusOr<Value> Eval(const Expr& e);

  int64_t start() const { return start_; }
  int64_t step() const { return step_; }
  size_t steps() const { return n_; }
  int64_t TimeAt(size_t i) const { return start_ + static_cast<int64_t>(i) * step_; }

  // Checks cancellation and the deadline once per 64 units of work (a step
  // of one series, or one series of a selector).
  absl::Status Poll(uint32_t work = 1);
  absl::Status CountSamples(int64_t n);
  // Accounts for one more selector result series (n steps of memory).
  absl::Status CountSeriesSlots();

  StepSeries NewSeries(Labels labels) const;

  // Called with each series of a selector and its samples in time order,
  // in a buffer reused between calls.
  using SeriesFn = absl::FunctionRef<absl::Status(const Labels&, const std::vector<storage::Sample>&)>;
  // Streams the series of a selector with samples in [mint, maxt]; stale
  // markers are dropped when `drop_stale` (range selectors).
  absl::Status ForEachSeries(const VectorSelector& vs, int64_t mint, int64_t maxt, int64_t range_ms,
                             bool drop_stale, SeriesFn fn);

  using SlotsFn = absl::FunctionRef<void(size_t n)>;
  using PickFn = absl::FunctionRef<void(size_t slot, const Labels&)>;
  using WorkFn = absl::FunctionRef<void(size_t slot, int worker, const std::vector<storage::Sample>&)>;
  using CommitFn = absl::FunctionRef<absl::Status(size_t slot)>;
  int Workers() const;
  // The reference time of step i for a selector or subquery: the @ time or
  // the step time, minus the offset.
  int64_t RefTime(const TimeModifiers& m, size_t i) const;

  absl::StatusOr<Value> EvalVectorSelector(const VectorSelector& vs, bool sample_timestamps);
  absl::StatusOr<Value> EvalBinary(const BinaryExpr& e);
  absl::StatusOr<Value> EvalAggregate(const AggregateExpr& e);
  absl::StatusOr<Value> EvalCall(const Call& e);
  absl::StatusOr<Value> EvalTopLevelMatrix(const Expr& e);
  // With a sink, each result series goes to it (on this thread, in order)
  // instead of into the result, which stays empty, and is reused
  // afterwards. `pick` sees each input series' labels as it is selected
  // (without the metric name when the function drops it, unless
  // `input_labels`) and returns a token that `fn` gets with the series.
  struct RangeSink {
    absl::FunctionRef<size_t(const Labels&)> pick;
    absl::FunctionRef<absl::Status(size_t token, const StepSeries&)> fn;
    bool input_labels = false;
  };
  absl::StatusOr<Value> EvalRangeFunction(const Call& e, size_t matrix_arg, const RangeSink* sink = nullptr);
  // sum, avg, count, group, min, max, stddev and stdvar of a range function
  // of a selector, with each series added into its group as it is computed
  // (no array per input series); nullopt when the expression is not of
  // that shape.
  std::optional<absl::StatusOr<Value>> EvalAggregateOfRangeFunction(const AggregateExpr& e);
  absl::StatusOr<Value> EvalHistogramQuantile(const Call& e);

  // A range argument (matrix selector or subquery): its range and
  // modifiers, and its series streamed to `fn` with their samples (for a
  // subquery, the points of its inner evaluation).
  struct RangeArg {
    int64_t range_ms = 0;
    TimeModifiers mods;
    const VectorSelector* selector = nullptr;  // for absent_over_time labels
  };
  absl::StatusOr<RangeArg> ForEachRangeSeries(const Expr& arg, SeriesFn fn);
  // With the work of each series split from its commit (see ForEachSeries);
  // the points of a subquery are handed out on this thread.
  absl::StatusOr<RangeArg> ForEachRangeSeries(const Expr& arg, SlotsFn slots, PickFn pick, WorkFn work,
                                              CommitFn commit);

 private:
  // Series in the first batch handed to the helpers and at most in one
  // batch: fewer for long step grids, so that two batches of results stay
  // small (2 x 2^21 steps).
  std::pair<size_t, size_t> BatchSizes() const;
  // ForEachSeries split up so that many series can be decoded and evaluated on
  // several threads. On this thread: `slots(n)` first, with the number of
  // result slots needed (again, with a larger n, when more are needed;
  // slots keep their content), then `pick` for each
  // series as it is selected, in
  // the selector's order, with its labels (valid only during the call) and
  // its slot. `work` then runs for the series on any thread, with the slot
  // and a worker number (< Workers()) for scratch, and must touch nothing
  // else; `commit` runs on this thread for each series in order, with the
  // slot, before the slot is reused. Errors, sample accounting,
  // cancellation and the answer are those of ForEachSeries (whose fn is
  // pick, work and commit in a row). With `parallel`, series go to the
  // helpers only once the selection has proved big enough for the
  // hand-offs to pay.
  absl::Status SelectSeries(const VectorSelector& vs, int64_t mint, int64_t maxt, int64_t range_ms, bool drop_stale,
                            bool parallel, SlotsFn slots, PickFn pick, WorkFn work, CommitFn commit);
  absl::StatusOr<RangeArg> RangeSeries(const Expr& arg, bool parallel, SlotsFn slots, PickFn pick, WorkFn work,
                                       CommitFn commit);

  QueryState* qs_;
  int64_t start_, end_, step_;
  size_t n_;
};

// For tests: selectors hand their series to the helpers in batches of
// `batch` series, however little work they are (0: the normal sizing).
void SetParallelBatchForTesting(size_t batch);

// Merges series with equal labels (dropping the metric name can make two
// series equal). Fails when two of them have a value at the same step.
absl::Status MergeSameLabels(std::vector<StepSeries>* vec);
bool HasDuplicateLabels(const std::vector<StepSeries>& vec);
// The labels without the metric name (one copy).
Labels WithoutName(const Labels& l);

}  // namespace pharos::promql::internal
