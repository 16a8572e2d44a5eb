#include "promql/engine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/go_quote.h"
#include "promql/internal/evaluator.h"
#include "promql/internal/task_pool.h"
#include "promql/parser.h"

namespace pharos::promql {

const char* ResultTypeName(ResultType t) {
  switch (t) {
    case ResultType::kMatrix: return "matrix";
    case ResultType::kVector: return "vector";
    case ResultType::kScalar: return "scalar";
    case ResultType::kString: return "string";
  }
  return "?";
}

const char* ErrorTypeOf(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument: return "bad_data";
    case absl::StatusCode::kDeadlineExceeded: return "timeout";
    case absl::StatusCode::kCancelled: return "canceled";
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable: return "internal";
    default: return "execution";
  }
}

Engine::Engine(EngineOptions options) : options_(options) {
  if (int helpers = internal::HelpersFor(options_.parallelism); helpers > 0) {
    pool_ = std::make_shared<internal::TaskPool>(helpers);
  }
}

namespace {

internal::QueryState NewState(storage::Queryable& q, const EngineOptions& opts, internal::TaskPool* pool,
                              const QueryContext& ctx, int64_t start, int64_t end) {
  internal::QueryState qs;
  qs.queryable = &q;
  qs.pool = pool;
  qs.opts = &opts;
  qs.ctx = &ctx;
  qs.deadline = std::min(ctx.deadline, absl::Now() + opts.timeout);
  qs.query_start = start;
  qs.query_end = end;
  return qs;
}

void TakeAnnotations(internal::QueryState& qs, std::string_view text, QueryResult* r) {
  r->warnings = std::move(qs.warnings);
  for (auto& a : qs.annotations) {
    std::string s = std::move(a.text);
    if (!text.empty()) absl::StrAppend(&s, " (", PositionString(text, a.pos), ")");
    (a.info ? r->infos : r->warnings).push_back(std::move(s));
  }
}

}  // namespace

absl::StatusOr<QueryResult> Engine::InstantQuery(storage::Queryable& q, std::string_view expr, int64_t t_ms,
                                                 const QueryContext& ctx) const {
  auto e = ParseExpr(expr);
  if (!e.ok()) return e.status();
  QueryContext with_text = ctx;
  with_text.query_text = expr;
  return InstantQuery(q, **e, t_ms, with_text);
}

absl::StatusOr<QueryResult> Engine::RangeQuery(storage::Queryable& q, std::string_view expr, int64_t start_ms,
                                               int64_t end_ms, int64_t step_ms, const QueryContext& ctx) const {
  auto e = ParseExpr(expr);
  if (!e.ok()) return e.status();
  QueryContext with_text = ctx;
  with_text.query_text = expr;
  return RangeQuery(q, **e, start_ms, end_ms, step_ms, with_text);
}

absl::StatusOr<QueryResult> Engine::InstantQuery(storage::Queryable& q, const Expr& expr, int64_t t_ms,
                                                 const QueryContext& ctx) const {
  internal::QueryState qs = NewState(q, options_, pool_.get(), ctx, t_ms, t_ms);
  internal::Evaluator ev(&qs, t_ms, t_ms, 1);
  auto v = ev.Eval(expr);
  if (!v.ok()) return v.status();
  QueryResult r;
  TakeAnnotations(qs, ctx.query_text, &r);
  switch (v->type) {
    case ValueType::kScalar:
      r.type = ResultType::kScalar;
      r.scalar = {t_ms, v->scalar[0]};
      break;
    case ValueType::kString:
      r.type = ResultType::kString;
      r.scalar = {t_ms, 0};
      r.str = std::move(v->str);
      break;
    case ValueType::kMatrix:
      r.type = ResultType::kMatrix;
      r.series = std::move(v->matrix);
      break;
    default:
      r.type = ResultType::kVector;
      for (auto& s : v->vec) {
        if (!s.Has(0)) continue;
        r.series.push_back(Series{std::move(s.labels), {{t_ms, s.v[0]}}});
      }
      break;
  }
  return r;
}

absl::StatusOr<QueryResult> Engine::RangeQuery(storage::Queryable& q, const Expr& expr, int64_t start_ms,
                                               int64_t end_ms, int64_t step_ms, const QueryContext& ctx) const {
  if (step_ms <= 0) {
    return absl::InvalidArgumentError(
        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  if (end_ms < start_ms) return absl::InvalidArgumentError("end timestamp must not be before start time");
  if ((end_ms - start_ms) / step_ms >= options_.max_samples) {
    return absl::ResourceExhaustedError(
        "query processing would load too many samples into memory in query execution");
  }
  ValueType t = TypeOf(expr);
  if (t != ValueType::kVector && t != ValueType::kScalar) {
    return absl::InvalidArgumentError(absl::StrCat("invalid expression type \"", ValueTypeName(t),
                                                   "\" for range query, must be Scalar or instant Vector"));
  }
  internal::QueryState qs = NewState(q, options_, pool_.get(), ctx, start_ms, end_ms);
  internal::Evaluator ev(&qs, start_ms, end_ms, step_ms);
  auto v = ev.Eval(expr);
  if (!v.ok()) return v.status();
  QueryResult r;
  r.type = ResultType::kMatrix;
  TakeAnnotations(qs, ctx.query_text, &r);
  if (v->type == ValueType::kScalar) {
    Series s;
    for (size_t i = 0; i < ev.steps(); ++i) s.points.push_back({ev.TimeAt(i), v->scalar[i]});
    r.series.push_back(std::move(s));
    return r;
  }
  r.series.reserve(v->vec.size());
  for (auto& ss : v->vec) {
    size_t n = ss.has.size() - static_cast<size_t>(std::count(ss.has.begin(), ss.has.end(), 0));
    if (n == 0) continue;
    Series s;
    s.labels = std::move(ss.labels);
    s.points.reserve(n);
    for (size_t i = 0; i < ev.steps(); ++i) {
      if (ss.Has(i)) s.points.push_back({ev.TimeAt(i), ss.v[i]});
    }
    r.series.push_back(std::move(s));
  }
  auto by_labels = [](const Series& a, const Series& b) { return Labels::Compare(a.labels, b.labels) < 0; };
  if (!std::is_sorted(r.series.begin(), r.series.end(), by_labels)) {
    std::sort(r.series.begin(), r.series.end(), by_labels);
  }
  return r;
}

}  // namespace pharos::promql
