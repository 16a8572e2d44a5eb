#include "api/query_handlers.h"

#include <charconv>
#include <cmath>
#include <memory>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/go_format.h"
#include "api/params.h"
#include "common/duration.h"
#include "common/float_format.h"
#include "common/strings.h"
#include "promql/engine.h"
#include "promql/parser.h"

namespace pharos::api {
namespace {

constexpr int64_t kMaxPointsPerSeries = 11000;

// Counts running queries; Acquire waits for a free slot.
class Gate {
 public:
  explicit Gate(int slots) : free_(slots > 0 ? slots : 1) {}
  // False when `deadline` passed or `gone` became true before a slot freed.
  bool Acquire(absl::Time deadline, const http::Request& req) {
    absl::MutexLock l(&mu_);
    while (free_ == 0) {
      if (req.ClientGone() || absl::Now() >= deadline) return false;
      mu_.AwaitWithTimeout(absl::Condition(this, &Gate::HasFree),
                           std::min(absl::Milliseconds(100), deadline - absl::Now()));
    }
    --free_;
    return true;
  }
  void Release() {
    absl::MutexLock l(&mu_);
    ++free_;
  }

 private:
  bool HasFree() const { return free_ > 0; }
  absl::Mutex mu_;
  int free_;
};

// Parsed expressions by query text. Dashboards send the same queries again
// and again, and parsing was ~7% of a small query's server CPU. The AST is
// immutable, so requests share it. Two generations bound the memory: when
// the current one is full it becomes the previous one, and a hit there moves
// the entry back. Long texts are not kept.
class ExprCache {
 public:
  using ExprPtr = std::shared_ptr<const promql::Expr>;

  absl::StatusOr<ExprPtr> Parse(std::string_view text) {
    bool keep = text.size() <= kMaxText;
    if (keep) {
      absl::MutexLock l(&mu_);
      if (auto it = current_.find(AV(text)); it != current_.end()) return it->second;
      if (auto it = previous_.find(AV(text)); it != previous_.end()) {
        ExprPtr e = it->second;
        InsertLocked(text, e);
        return e;
      }
    }
    auto parsed = promql::ParseExpr(text);
    if (!parsed.ok()) return parsed.status();
    ExprPtr e = std::move(*parsed);
    if (keep) {
      absl::MutexLock l(&mu_);
      InsertLocked(text, e);
    }
    return e;
  }

 private:
  static constexpr size_t kMaxText = 4096;
  static constexpr size_t kPerGeneration = 256;

  void InsertLocked(std::string_view text, const ExprPtr& e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (current_.size() >= kPerGeneration) {
      previous_ = std::move(current_);
      current_.clear();
    }
    current_.emplace(std::string(text), e);
  }

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, ExprPtr> current_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ExprPtr> previous_ ABSL_GUARDED_BY(mu_);
};

struct Shared {
  const Api* api;
  std::unique_ptr<promql::Engine> owned;
  const promql::Engine* engine;
  std::unique_ptr<Gate> gate;
  mutable ExprCache exprs;  // thread-safe
};

// Prometheus' parseDuration: float seconds or a duration such as "1m30s".
absl::StatusOr<int64_t> ParseDurationParam(std::string_view s) {
  std::string str(s);
  char* end = nullptr;
  double d = std::strtod(str.c_str(), &end);
  if (!str.empty() && end == str.c_str() + str.size() && !std::isspace(static_cast<unsigned char>(str[0]))) {
    double ms = d * 1000;
    if (!(ms < 9.2e18 && ms > -9.2e18)) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot parse \"", str, "\" to a valid duration. It overflows int64"));
    }
    return static_cast<int64_t>(ms);
  }
  auto ms = ParseDurationMs(s);
  if (ms.ok()) return *ms;
  return absl::InvalidArgumentError(absl::StrCat("cannot parse \"", str, "\" to a valid duration"));
}

// As Prometheus' jsonutil.MarshalTimestamp: seconds, and a 3-digit fraction
// when not whole. Writes at most kMaxTimestampChars at p; returns the end.
constexpr size_t kMaxTimestampChars = 32;
char* FormatTimestamp(char* p, int64_t t) {
  uint64_t u = static_cast<uint64_t>(t);
  if (t < 0) {
    *p++ = '-';
    u = 0 - u;
  }
  p = std::to_chars(p, p + 20, u / 1000).ptr;
  if (uint64_t frac = u % 1000; frac != 0) {
    *p++ = '.';
    *p++ = static_cast<char>('0' + frac / 100);
    *p++ = static_cast<char>('0' + frac / 10 % 10);
    *p++ = static_cast<char>('0' + frac % 10);
  }
  return p;
}

void AppendTimestamp(std::string* out, int64_t t) {
  char buf[kMaxTimestampChars];
  out->append(buf, FormatTimestamp(buf, t));
}

// [<timestamp>,"<value>"], appended to `out` (no temporary per point: range
// answers hold hundreds of thousands of points). The point is composed on
// the stack and appended once (one capacity check instead of six); finite
// values are formatted as AppendFloatGo formats them (the shortest fixed
// form), the rest by it.
void AppendPoint(std::string* out, std::string_view timestamp, double v) {
  char buf[kMaxTimestampChars + 420];  // a fixed-form double has at most 310 digits and a sign
  char* p = buf;
  *p++ = '[';
  p = std::copy(timestamp.begin(), timestamp.end(), p);
  *p++ = ',';
  *p++ = '"';
  if (std::isfinite(v)) {
    if (v == std::trunc(v) && std::fabs(v) < 1e15 && !(v == 0 && std::signbit(v))) {
      // Whole values (counts, counters, sums of them): the same digits as
      // the shortest fixed form, from integer formatting (~4x faster).
      p = std::to_chars(p, buf + sizeof(buf) - 2, static_cast<int64_t>(v)).ptr;
    } else {
      p = std::to_chars(p, buf + sizeof(buf) - 2, v, std::chars_format::fixed).ptr;
    }
    *p++ = '"';
    *p++ = ']';
    out->append(buf, p);
    return;
  }
  out->append(buf, p);
  AppendFloatGo(*out, v);
  out->append("\"]");
}

void AppendPoint(std::string* out, int64_t t, double v) {
  char ts[kMaxTimestampChars];
  AppendPoint(out, std::string_view(ts, FormatTimestamp(ts, t) - ts), v);
}

// The timestamps of a range query's steps, formatted once: every series of
// the answer has its points on these steps (formatting them per point was
// ~13% of the server CPU of a 4-series range query).
class StepTimestamps {
 public:
  StepTimestamps(int64_t start, int64_t end, int64_t step) : start_(start), step_(step) {
    for (int64_t t = start; t <= end; t += step) {
      char* p = FormatTimestamp(buf_, t);
      text_.append(buf_, p);
      ends_.push_back(static_cast<uint32_t>(text_.size()));
    }
  }
  // Walks one series' points, which are in time order.
  class Cursor {
   public:
    explicit Cursor(const StepTimestamps& s) : s_(s), t_(s.start_) {}
    // The formatted timestamp t; `scratch` holds it when t is not a step.
    std::string_view At(int64_t t, char* scratch) {
      while (k_ < s_.ends_.size() && t_ < t) {
        ++k_;
        t_ += s_.step_;
      }
      if (k_ < s_.ends_.size() && t_ == t) {
        uint32_t from = k_ == 0 ? 0 : s_.ends_[k_ - 1];
        return std::string_view(s_.text_).substr(from, s_.ends_[k_] - from);
      }
      return std::string_view(scratch, FormatTimestamp(scratch, t) - scratch);
    }

   private:
    const StepTimestamps& s_;
    size_t k_ = 0;
    int64_t t_;
  };

 private:
  int64_t start_, step_;
  std::string text_;
  std::vector<uint32_t> ends_;
  char buf_[kMaxTimestampChars];
};

std::string PointJson(int64_t t, double v) {
  std::string s;
  AppendPoint(&s, t, v);
  return s;
}

struct StepRange {
  int64_t start, end, step;
};

// `range`: the steps of a range query; null for other queries.
void WriteResult(JsonWriter& w, const promql::QueryResult& r, const StepRange* range) {
  w.BeginObject();
  w.Key("resultType").String(promql::ResultTypeName(r.type));
  w.Key("result");
  switch (r.type) {
    case promql::ResultType::kScalar:
      w.Raw(PointJson(r.scalar.t, r.scalar.v));
      break;
    case promql::ResultType::kString: {
      std::string s = "[";
      AppendTimestamp(&s, r.scalar.t);
      s += ",";
      JsonWriter::AppendString(s, r.str);
      s += "]";
      w.Raw(s);
      break;
    }
    case promql::ResultType::kVector:
      w.BeginArray();
      for (const auto& series : r.series) {
        w.BeginObject();
        w.Key("metric");
        WriteLabelsJson(w, series.labels);
        w.Key("value").Raw(PointJson(series.points[0].t, series.points[0].v));
        w.EndObject();
      }
      w.EndArray();
      break;
    case promql::ResultType::kMatrix:
      w.BeginArray();
      {
        std::string values;  // one series' points, reused
        std::optional<StepTimestamps> steps;
        if (range != nullptr && !r.series.empty()) steps.emplace(range->start, range->end, range->step);
        char scratch[kMaxTimestampChars];
        for (const auto& series : r.series) {
          w.BeginObject();
          w.Key("metric");
          WriteLabelsJson(w, series.labels);
          values.clear();
          values.push_back('[');
          if (steps) {
            StepTimestamps::Cursor cursor(*steps);
            for (size_t k = 0; k < series.points.size(); ++k) {
              if (k > 0) values.push_back(',');
              AppendPoint(&values, cursor.At(series.points[k].t, scratch), series.points[k].v);
            }
          } else {
            for (size_t k = 0; k < series.points.size(); ++k) {
              if (k > 0) values.push_back(',');
              AppendPoint(&values, series.points[k].t, series.points[k].v);
            }
          }
          values.push_back(']');
          w.Key("values").Raw(values);
          w.EndObject();
        }
      }
      w.EndArray();
      break;
  }
  w.EndObject();
}

ApiResult ParamError(std::string_view name, const absl::Status& s) {
  return ApiResult::BadData(InvalidParam(name, SV(s.message())));
}

ApiResult EngineError(const absl::Status& s) {
  std::string_view t = promql::ErrorTypeOf(s);
  ErrorType type = ErrorType::kExecution;
  if (t == "bad_data") type = ErrorType::kBadData;
  if (t == "timeout") type = ErrorType::kTimeout;
  if (t == "canceled") type = ErrorType::kCanceled;
  if (t == "internal") type = ErrorType::kInternal;
  return ApiResult::Error(type, std::string(SV(s.message())));
}

// Runs `run` with a query context for `req`: the client's disconnect
// cancels it; `timeout` (when given) bounds it; a concurrency slot is held.
template <typename Run>
ApiResult RunQuery(const Shared& sh, const http::Request& req, JsonWriter& w, const StepRange* range, Run run) {
  promql::QueryContext ctx;
  ctx.is_cancelled = [&req] { return req.ClientGone(); };
  ctx.query_text = req.Param("query");
  absl::Time now = absl::Now();
  if (std::string_view to = req.Param("timeout"); !to.empty()) {
    auto ms = ParseDurationParam(to);
    if (!ms.ok()) return ParamError("timeout", ms.status());
    ctx.deadline = now + absl::Milliseconds(*ms);
  }
  absl::Time wait_until = std::min(ctx.deadline, now + sh.engine->options().timeout);
  if (!sh.gate->Acquire(wait_until, req)) {
    if (req.ClientGone()) return ApiResult::Error(ErrorType::kCanceled, "query was canceled in queue");
    return ApiResult::Error(ErrorType::kTimeout, "query timed out in query queue");
  }
  absl::StatusOr<promql::QueryResult> r = run(ctx);
  sh.gate->Release();
  if (!r.ok()) return EngineError(r.status());
  WriteResult(w, *r, range);
  ApiResult out;
  // As Prometheus, at most 10 of each, then a count of the rest.
  auto limited = [](std::vector<std::string> v, std::string_view kind) {
    if (v.size() > 10) {
      size_t skipped = v.size() - 10;
      v.resize(10);
      v.push_back(absl::StrCat(skipped, " more ", AV(kind), " annotations omitted"));
    }
    return v;
  };
  out.warnings = limited(std::move(r->warnings), "warning");
  out.infos = limited(std::move(r->infos), "info");
  return out;
}

ApiResult InstantQuery(const Shared& sh, const http::Request& req, JsonWriter& w) {
  int64_t now_ms = absl::ToUnixMillis(sh.api->options().now());
  auto t = ParseTimeParam(req, "time", now_ms);
  if (!t.ok()) return ApiResult::BadData(std::string(SV(t.status().message())));
  auto expr = sh.exprs.Parse(req.Param("query"));
  if (!expr.ok()) return ParamError("query", expr.status());
  return RunQuery(sh, req, w, nullptr, [&](const promql::QueryContext& ctx) {
    return sh.engine->InstantQuery(*sh.api->deps().queryable, **expr, *t, ctx);
  });
}

ApiResult RangeQuery(const Shared& sh, const http::Request& req, JsonWriter& w) {
  auto start = ParseTimeMs(req.Param("start"));
  if (!start.ok()) return ParamError("start", start.status());
  auto end = ParseTimeMs(req.Param("end"));
  if (!end.ok()) return ParamError("end", end.status());
  if (*end < *start) return ApiResult::BadData(InvalidParam("end", "end timestamp must not be before start time"));
  auto step = ParseDurationParam(req.Param("step"));
  if (!step.ok()) return ParamError("step", step.status());
  if (*step <= 0) {
    return ApiResult::BadData(InvalidParam(
        "step", "zero or negative query resolution step widths are not accepted. Try a positive integer"));
  }
  if ((*end - *start) / *step > kMaxPointsPerSeries) {
    return ApiResult::BadData(
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution "
        "(?step=XX)");
  }
  auto expr = sh.exprs.Parse(req.Param("query"));
  if (!expr.ok()) return ParamError("query", expr.status());
  StepRange range{*start, *end, *step};
  return RunQuery(sh, req, w, &range, [&](const promql::QueryContext& ctx) {
    return sh.engine->RangeQuery(*sh.api->deps().queryable, **expr, *start, *end, *step, ctx);
  });
}

ApiResult FormatQuery(const http::Request& req, JsonWriter& w) {
  auto expr = promql::ParseExpr(req.Param("query"));
  if (!expr.ok()) return ParamError("query", expr.status());
  w.String(promql::Prettify(**expr));
  return ApiResult::Ok();
}

bool HasSelector(const promql::Expr& e) {
  switch (e.kind) {
    case promql::ExprKind::kVectorSelector:
    case promql::ExprKind::kMatrixSelector:
      return true;
    case promql::ExprKind::kSubquery: return HasSelector(*static_cast<const promql::SubqueryExpr&>(e).expr);
    case promql::ExprKind::kParen: return HasSelector(*static_cast<const promql::ParenExpr&>(e).expr);
    case promql::ExprKind::kUnary: return HasSelector(*static_cast<const promql::UnaryExpr&>(e).expr);
    case promql::ExprKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      return HasSelector(*b.lhs) || HasSelector(*b.rhs);
    }
    case promql::ExprKind::kCall:
      for (const auto& a : static_cast<const promql::Call&>(e).args) {
        if (HasSelector(*a)) return true;
      }
      return false;
    case promql::ExprKind::kAggregate: return HasSelector(*static_cast<const promql::AggregateExpr&>(e).expr);
    default: return false;
  }
}

// Pharos stores no exemplars: the answer is the empty list (null when the
// query has no selector), after Prometheus' parameter checks.
ApiResult QueryExemplars(const http::Request& req, JsonWriter& w) {
  auto start = ParseTimeParam(req, "start", kMinTimeMs);
  if (!start.ok()) return ApiResult::BadData(std::string(SV(start.status().message())));
  auto end = ParseTimeParam(req, "end", kMaxTimeMs);
  if (!end.ok()) return ApiResult::BadData(std::string(SV(end.status().message())));
  if (*end < *start) return ApiResult::BadData("end timestamp must not be before start timestamp");
  auto expr = promql::ParseExpr(req.Param("query"));
  if (!expr.ok()) return ApiResult::BadData(std::string(SV(expr.status().message())));
  if (!HasSelector(**expr)) {
    w.Null();
  } else {
    w.BeginArray().EndArray();
  }
  return ApiResult::Ok();
}

}  // namespace

void RegisterQueryRoutes(const Api& api, http::Router& router) {
  auto sh = std::make_shared<Shared>();
  sh->api = &api;
  sh->engine = api.deps().engine;
  if (sh->engine == nullptr) {
    sh->owned = std::make_unique<promql::Engine>();
    sh->engine = sh->owned.get();
  }
  sh->gate = std::make_unique<Gate>(api.options().query_max_concurrency);
  auto route = [&](std::string_view path, auto fn) {
    http::Handler h = api.Wrap([sh, fn](const http::Request& req, JsonWriter& w) { return fn(*sh, req, w); });
    router.Get(path, h);
    router.Post(path, h);
  };
  route("/api/v1/query", InstantQuery);
  route("/api/v1/query_range", RangeQuery);
  route("/api/v1/format_query", [](const Shared&, const http::Request& req, JsonWriter& w) { return FormatQuery(req, w); });
  route("/api/v1/query_exemplars",
        [](const Shared&, const http::Request& req, JsonWriter& w) { return QueryExemplars(req, w); });
}

}  // namespace pharos::api
