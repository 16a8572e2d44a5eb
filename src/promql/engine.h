// The PromQL engine: evaluates instant and range queries against any
// storage::Queryable, with Prometheus 2.53's semantics for float samples.
//
//   promql::Engine engine(promql::EngineOptions{});
//   auto r = engine.InstantQuery(storage, "sum by (job) (rate(x[5m]))", now_ms);
//   auto m = engine.RangeQuery(storage, "up", start_ms, end_ms, 15000);
//
// Errors are absl::Status values whose code maps to Prometheus' errorType
// (ErrorTypeOf): InvalidArgument = bad_data (parse errors, bad arguments),
// DeadlineExceeded = timeout, Cancelled = canceled, everything else raised
// while evaluating = execution (FailedPrecondition, ResourceExhausted), and
// Internal = internal.
//
// Threading: an Engine is immutable and may be used by many threads at once;
// each query runs on the calling thread, which hands parts of large range
// functions to the engine's helper threads (EngineOptions::parallelism).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/labels.h"
#include "promql/ast.h"
#include "storage/querier.h"

namespace pharos::promql {

namespace internal {
class TaskPool;
}

struct Point {
  int64_t t;  // milliseconds
  double v;
  friend bool operator==(const Point&, const Point&) = default;
};

struct Series {
  Labels labels;
  std::vector<Point> points;
};

enum class ResultType { kMatrix, kVector, kScalar, kString };
const char* ResultTypeName(ResultType t);  // "matrix", "vector", "scalar", "string"

struct QueryResult {
  ResultType type = ResultType::kVector;
  // kVector: one point per series (at the query time), in the engine's order
  // (meaningful after sort(), topk() …). kMatrix: points in time order,
  // series sorted by labels for range queries.
  std::vector<Series> series;
  Point scalar{0, 0};  // kScalar
  std::string str;     // kString (evaluated at scalar.t)
  // Storage warnings and "PromQL warning: …" annotations, and "PromQL info:
  // …" annotations, each with the position of the expression it is about
  // (" (1:6)") when QueryContext::query_text is known; as Prometheus lists
  // them in the API's "warnings" and "infos".
  std::vector<std::string> warnings;
  std::vector<std::string> infos;
};

struct EngineOptions {
  int64_t lookback_delta_ms = 5 * 60 * 1000;      // --query.lookback-delta
  int64_t max_samples = 50'000'000;               // --query.max-samples
  absl::Duration timeout = absl::Minutes(2);      // --query.timeout
  int64_t default_subquery_step_ms = 60 * 1000;   // resolution of x[5m:]
  // Threads one query may use at once: the calling thread and parallelism-1
  // helpers shared by all queries of the engine (0: one per core, at most
  // 8; 1: every query runs on its calling thread only). Range functions of
  // many series decode and evaluate disjoint series on the helpers;
  // answers do not depend on it.
  int parallelism = 0;
};

struct QueryContext {
  // Polled while evaluating; returning true stops the query with Cancelled.
  std::function<bool()> is_cancelled;
  // Stops the query with DeadlineExceeded (the earlier of this and the
  // engine's timeout applies).
  absl::Time deadline = absl::InfiniteFuture();
  // The query's text, for positions in annotations; the overloads taking
  // text set it themselves.
  std::string_view query_text;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});

  absl::StatusOr<QueryResult> InstantQuery(storage::Queryable& q, std::string_view expr, int64_t t_ms,
                                           const QueryContext& ctx = {}) const;
  absl::StatusOr<QueryResult> RangeQuery(storage::Queryable& q, std::string_view expr, int64_t start_ms,
                                         int64_t end_ms, int64_t step_ms, const QueryContext& ctx = {}) const;

  // The same with an already parsed expression (rules evaluate one
  // expression many times).
  absl::StatusOr<QueryResult> InstantQuery(storage::Queryable& q, const Expr& expr, int64_t t_ms,
                                           const QueryContext& ctx = {}) const;
  absl::StatusOr<QueryResult> RangeQuery(storage::Queryable& q, const Expr& expr, int64_t start_ms,
                                         int64_t end_ms, int64_t step_ms, const QueryContext& ctx = {}) const;

  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
  std::shared_ptr<internal::TaskPool> pool_;  // null without helpers
};

// Prometheus' errorType for an error of the engine: "bad_data",
// "execution", "timeout", "canceled" or "internal".
const char* ErrorTypeOf(const absl::Status& s);

}  // namespace pharos::promql
