#include "promql/testing/script.h"

#include <cmath>
#include <map>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/duration.h"
#include "common/float_format.h"
#include "common/labels.h"
#include "common/strings.h"
#include "promql/engine.h"
#include "promql/functions.h"
#include "promql/internal/evaluator.h"
#include "promql/parser.h"
#include "storage/memory_storage.h"
#include "storage/sample.h"

namespace pharos::promql::testing {
namespace {

int CountIf(const std::vector<EvalOutcome>& v, int kind) {
  int n = 0;
  for (const auto& e : v) {
    if (kind == 0 && e.passed && !e.skipped) ++n;
    if (kind == 1 && !e.passed && !e.skipped) ++n;
    if (kind == 2 && e.skipped) ++n;
  }
  return n;
}

std::string Trim(std::string_view s) { return std::string(absl::StripAsciiWhitespace(AV(s))); }

bool ParseNumber(std::string_view s, double* out) {
  std::string l = absl::AsciiStrToLower(AV(s));
  std::string_view b = l;
  bool neg = false;
  if (!b.empty() && (b[0] == '+' || b[0] == '-')) {
    neg = b[0] == '-';
    b.remove_prefix(1);
  }
  if (b == "inf") {
    *out = neg ? -INFINITY : INFINITY;
    return true;
  }
  if (b == "nan") {
    *out = NAN;
    return true;
  }
  if (b.empty() || !(std::isdigit(static_cast<unsigned char>(b[0])) || b[0] == '.')) return false;
  std::string str(s);
  char* end = nullptr;
  double v = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size()) return false;
  *out = v;
  return true;
}

bool ParseTime(std::string_view s, int64_t* ms) {
  auto d = ParseDurationMs(s);
  if (!d.ok()) return false;
  *ms = *d;
  return true;
}

// One slot of a series description: a value, a staleness marker or nothing.
struct Slot {
  bool present = false;
  double v = 0;
};

// Expands "1+2x3 _ stale 5" into slots; false on syntax errors, with
// `native` set when the item is a native histogram.
bool ExpandValues(std::string_view text, std::vector<Slot>* out, bool* native) {
  *native = false;
  for (absl::string_view item_av : absl::StrSplit(AV(text), absl::ByAnyChar(" \t"), absl::SkipWhitespace())) {
    std::string_view item = SV(item_av);
    if (item.starts_with("{{")) {
      *native = true;
      return false;
    }
    if (item == "_") {
      out->push_back({});
      continue;
    }
    if (item == "stale") {
      out->push_back({true, storage::StaleNaN()});
      continue;
    }
    size_t x = item.rfind('x');
    if (x != std::string_view::npos && x + 1 < item.size()) {
      int64_t n;
      if (!absl::SimpleAtoi(AV(item.substr(x + 1)), &n) || n < 0) return false;
      std::string_view head = item.substr(0, x);
      if (head == "_") {
        for (int64_t k = 0; k < n; ++k) out->push_back({});
        continue;
      }
      // Find the operator between a and b (not a sign or an exponent's).
      size_t op = std::string_view::npos;
      for (size_t k = 1; k < head.size(); ++k) {
        if ((head[k] == '+' || head[k] == '-') && head[k - 1] != 'e' && head[k - 1] != 'E') {
          op = k;
          break;
        }
      }
      double a, b = 0;
      if (op == std::string_view::npos) {
        if (!ParseNumber(head, &a)) return false;
      } else {
        if (!ParseNumber(head.substr(0, op), &a) || !ParseNumber(head.substr(op + 1), &b)) return false;
        if (head[op] == '-') b = -b;
      }
      double cur = a;
      for (int64_t k = 0; k <= n; ++k) {
        out->push_back({true, cur});
        cur += b;
      }
      continue;
    }
    double v;
    if (!ParseNumber(item, &v)) return false;
    out->push_back({true, v});
  }
  return true;
}

// Parses `name{a="b"} rest` into labels and the rest of the line.
bool ParseSeriesLine(std::string_view line, Labels* labels, std::string_view* rest) {
  size_t i = 0;
  std::vector<Label> ls;
  auto name_char = [](char c, bool first) {
    return c == '_' || c == ':' || std::isalpha(static_cast<unsigned char>(c)) ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  while (i < line.size() && name_char(line[i], i == 0)) ++i;
  if (i > 0) ls.push_back({std::string(kMetricName), std::string(line.substr(0, i))});
  if (i < line.size() && line[i] == '{') {
    ++i;
    for (;;) {
      while (i < line.size() && (line[i] == ' ' || line[i] == ',')) ++i;
      if (i >= line.size()) return false;
      if (line[i] == '}') {
        ++i;
        break;
      }
      size_t s = i;
      while (i < line.size() && name_char(line[i], i == s)) ++i;
      std::string name(line.substr(s, i - s));
      while (i < line.size() && line[i] == ' ') ++i;
      if (i >= line.size() || line[i] != '=') return false;
      ++i;
      while (i < line.size() && line[i] == ' ') ++i;
      if (i >= line.size() || (line[i] != '"' && line[i] != '\'' && line[i] != '`')) return false;
      char q = line[i];
      size_t e = i + 1;
      while (e < line.size() && line[e] != q) e += line[e] == '\\' ? 2 : 1;
      if (e >= line.size()) return false;
      auto v = UnquoteString(line.substr(i, e - i + 1));
      if (!v.ok()) return false;
      ls.push_back({name, *v});
      i = e + 1;
    }
  } else if (i == 0) {
    return false;
  }
  *labels = Labels::FromUnsorted(std::move(ls));
  *rest = line.substr(i);
  return true;
}

bool AlmostEqual(double a, double e) {
  if (std::isnan(a) && std::isnan(e)) return true;
  if (a == e) return true;
  constexpr double kMinNormal = 2.2250738585072014e-308;
  constexpr double kEps = 1e-6;
  double abs_sum = std::fabs(a) + std::fabs(e);
  double diff = std::fabs(a - e);
  if (a == 0 || e == 0 || abs_sum < kMinNormal) return diff < kEps * kMinNormal;
  return diff / abs_sum < kEps;
}

struct Expected {
  bool scalar = false;
  double scalar_value = 0;
  std::vector<std::pair<Labels, std::vector<Slot>>> series;
};

std::string Fmt(double v) { return FormatFloatGo(v); }

// Compares an instant result (vector or scalar) with the expectation.
std::string CompareInstant(const QueryResult& r, const Expected& exp, bool ordered) {
  if (exp.scalar) {
    if (r.type != ResultType::kScalar) return absl::StrCat("expected scalar, got ", ResultTypeName(r.type));
    if (!AlmostEqual(r.scalar.v, exp.scalar_value)) {
      return absl::StrCat("expected scalar ", Fmt(exp.scalar_value), ", got ", Fmt(r.scalar.v));
    }
    return "";
  }
  if (r.type == ResultType::kScalar) {
    if (exp.series.empty()) return absl::StrCat("expected empty vector, got scalar ", Fmt(r.scalar.v));
    return absl::StrCat("expected vector, got scalar ", Fmt(r.scalar.v));
  }
  if (r.type != ResultType::kVector) return absl::StrCat("expected vector, got ", ResultTypeName(r.type));
  std::string actual;
  for (const auto& s : r.series) absl::StrAppend(&actual, "\n    ", s.labels.ToString(), " ", Fmt(s.points[0].v));
  if (r.series.size() != exp.series.size()) {
    return absl::StrCat("expected ", exp.series.size(), " series, got ", r.series.size(), ":", actual);
  }
  for (size_t k = 0; k < exp.series.size(); ++k) {
    const auto& [labels, slots] = exp.series[k];
    if (slots.size() != 1 || !slots[0].present) return "bad expectation line";
    size_t found = r.series.size();
    for (size_t j = 0; j < r.series.size(); ++j) {
      if (r.series[j].labels == labels) found = j;
    }
    if (found == r.series.size()) return absl::StrCat("missing series ", labels.ToString(), "; got:", actual);
    if (ordered && found != k) return absl::StrCat("series ", labels.ToString(), " at position ", found, ", want ", k, ":", actual);
    if (!AlmostEqual(r.series[found].points[0].v, slots[0].v)) {
      return absl::StrCat("series ", labels.ToString(), ": expected ", Fmt(slots[0].v), ", got ",
                          Fmt(r.series[found].points[0].v));
    }
  }
  return "";
}

std::string CompareRange(const QueryResult& r, const Expected& exp, int64_t start, int64_t step) {
  if (r.type != ResultType::kMatrix) return absl::StrCat("expected matrix, got ", ResultTypeName(r.type));
  std::string actual;
  for (const auto& s : r.series) {
    absl::StrAppend(&actual, "\n    ", s.labels.ToString());
    for (const auto& p : s.points) absl::StrAppend(&actual, " ", p.t, ":", Fmt(p.v));
  }
  if (r.series.size() != exp.series.size()) {
    return absl::StrCat("expected ", exp.series.size(), " series, got ", r.series.size(), ":", actual);
  }
  for (const auto& [labels, slots] : exp.series) {
    const Series* got = nullptr;
    for (const auto& s : r.series) {
      if (s.labels == labels) got = &s;
    }
    if (got == nullptr) return absl::StrCat("missing series ", labels.ToString(), "; got:", actual);
    std::vector<Point> want;
    for (size_t k = 0; k < slots.size(); ++k) {
      if (slots[k].present) want.push_back({start + static_cast<int64_t>(k) * step, slots[k].v});
    }
    bool ok = want.size() == got->points.size();
    for (size_t k = 0; ok && k < want.size(); ++k) {
      ok = want[k].t == got->points[k].t && AlmostEqual(got->points[k].v, want[k].v);
    }
    if (!ok) return absl::StrCat("series ", labels.ToString(), " differs; got:", actual);
  }
  for (size_t k = 1; k < r.series.size(); ++k) {
    if (Labels::Compare(r.series[k - 1].labels, r.series[k].labels) >= 0) return "range result not sorted by labels";
  }
  return "";
}

bool UsesTimeFunctions(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      static const std::set<std::string_view> kTimeFns = {
          "time", "timestamp", "predict_linear", "day_of_month", "day_of_week", "day_of_year",
          "days_in_month", "hour", "minute", "month", "year"};
      if (kTimeFns.count(c.func->name)) return true;
      for (const auto& a : c.args) {
        if (UsesTimeFunctions(*a)) return true;
      }
      return false;
    }
    case ExprKind::kParen: return UsesTimeFunctions(*static_cast<const ParenExpr&>(e).expr);
    case ExprKind::kUnary: return UsesTimeFunctions(*static_cast<const UnaryExpr&>(e).expr);
    case ExprKind::kSubquery: return UsesTimeFunctions(*static_cast<const SubqueryExpr&>(e).expr);
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      return UsesTimeFunctions(*b.lhs) || UsesTimeFunctions(*b.rhs);
    }
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      return UsesTimeFunctions(*a.expr) || (a.param && UsesTimeFunctions(*a.param));
    }
    default: return false;
  }
}

void PinAt(Expr& e, int64_t t) {
  auto pin = [t](TimeModifiers& m) {
    if (m.at == AtKind::kNone) {
      m.at = AtKind::kTimestamp;
      m.at_ms = t;
    }
  };
  switch (e.kind) {
    case ExprKind::kVectorSelector: pin(static_cast<VectorSelector&>(e).mods); break;
    case ExprKind::kMatrixSelector: pin(static_cast<MatrixSelector&>(e).vs->mods); break;
    case ExprKind::kSubquery: {
      auto& s = static_cast<SubqueryExpr&>(e);
      if (s.mods.at != AtKind::kNone) break;  // keeps its own time, and so does its inside
      pin(s.mods);
      PinAt(*s.expr, t);
      break;
    }
    case ExprKind::kParen: PinAt(*static_cast<ParenExpr&>(e).expr, t); break;
    case ExprKind::kUnary: PinAt(*static_cast<UnaryExpr&>(e).expr, t); break;
    case ExprKind::kBinary: {
      auto& b = static_cast<BinaryExpr&>(e);
      PinAt(*b.lhs, t);
      PinAt(*b.rhs, t);
      break;
    }
    case ExprKind::kCall:
      for (auto& a : static_cast<Call&>(e).args) PinAt(*a, t);
      break;
    case ExprKind::kAggregate: {
      auto& a = static_cast<AggregateExpr&>(e);
      PinAt(*a.expr, t);
      if (a.param) PinAt(*a.param, t);
      break;
    }
    default: break;
  }
}

class Runner {
 public:
  Runner(std::string name, const ScriptOptions& opts) : name_(std::move(name)), opts_(opts) {
    EngineOptions eo;
    eo.max_samples = 10000;
    eo.timeout = absl::Seconds(100);
    if (opts.parallel_batch > 0) eo.parallelism = 2;
    engine_ = std::make_unique<Engine>(eo);
    store_ = std::make_unique<storage::MemoryStorage>();
  }

  ScriptReport Run(const std::string& text) {
    ScriptReport rep;
    rep.file = name_;
    std::vector<std::string> lines;
    for (absl::string_view l : absl::StrSplit(AV(text), '\n')) {
      std::string t = Trim(SV(l));
      if (t.starts_with("#")) t.clear();
      lines.push_back(t);
    }
    for (size_t i = 0; i < lines.size();) {
      const std::string& l = lines[i];
      if (l.empty()) {
        ++i;
        continue;
      }
      size_t end = i + 1;
      auto is_command = [](const std::string& x) {
        return x == "clear" || x.starts_with("load ") || x.starts_with("eval ") || x.starts_with("eval_");
      };
      if (l != "clear") {
        while (end < lines.size() && !lines[end].empty() && !is_command(lines[end])) ++end;
      }
      std::vector<std::string> block(lines.begin() + i + 1, lines.begin() + end);
      int lineno = static_cast<int>(i) + 1;
      if (l == "clear") {
        store_ = std::make_unique<storage::MemoryStorage>();
      } else if (l.starts_with("load ")) {
        std::string err = Load(l.substr(5), block);
        if (!err.empty()) {
          rep.fatal = absl::StrCat(name_, ":", lineno, ": ", err);
          return rep;
        }
      } else if (l.starts_with("eval")) {
        rep.evals.push_back(Eval(lineno, l, block));
      } else {
        rep.fatal = absl::StrCat(name_, ":", lineno, ": unknown command: ", l);
        return rep;
      }
      i = end;
    }
    return rep;
  }

 private:
  std::string Load(const std::string& interval_text, const std::vector<std::string>& block) {
    int64_t interval;
    if (!ParseTime(Trim(interval_text), &interval)) return "bad load interval";
    // As upstream, a series given twice in one block takes the later line.
    std::map<Labels, std::vector<Slot>> defs;
    for (const auto& line : block) {
      Labels labels;
      std::string_view rest;
      if (!ParseSeriesLine(line, &labels, &rest)) return absl::StrCat("bad series line: ", line);
      std::vector<Slot> slots;
      bool native;
      if (!ExpandValues(rest, &slots, &native)) {
        if (native) continue;  // native histogram series are not loaded
        return absl::StrCat("bad values: ", line);
      }
      defs[labels] = std::move(slots);
    }
    for (const auto& [labels, slots] : defs) {
      for (size_t k = 0; k < slots.size(); ++k) {
        if (!slots[k].present) continue;
        absl::Status st = store_->Add(labels, static_cast<int64_t>(k) * interval, slots[k].v);
        if (!st.ok()) return absl::StrCat("append: ", st.ToString());
      }
    }
    return "";
  }

  EvalOutcome Eval(int lineno, const std::string& cmd, const std::vector<std::string>& block) {
    EvalOutcome o;
    o.line = lineno;
    bool fail = cmd.starts_with("eval_fail");
    bool ordered = cmd.starts_with("eval_ordered");
    std::string_view rest = std::string_view(cmd).substr(cmd.find_first_of(" \t") + 1);
    bool range = false;
    int64_t t = 0, start = 0, end = 0, step = 0;
    auto next_word = [&](std::string_view* s) {
      size_t sp = s->find_first_of(" \t");
      std::string_view w = s->substr(0, sp);
      *s = sp == std::string_view::npos ? std::string_view() : s->substr(sp + 1);
      return w;
    };
    std::string_view mode = next_word(&rest);
    if (mode == "instant") {
      if (next_word(&rest) != "at" || !ParseTime(next_word(&rest), &t)) {
        o.message = "bad eval instant line";
        return o;
      }
    } else if (mode == "range") {
      range = true;
      if (next_word(&rest) != "from" || !ParseTime(next_word(&rest), &start) || next_word(&rest) != "to" ||
          !ParseTime(next_word(&rest), &end) || next_word(&rest) != "step" || !ParseTime(next_word(&rest), &step)) {
        o.message = "bad eval range line";
        return o;
      }
    } else {
      o.message = "bad eval line";
      return o;
    }
    o.query = Trim(rest);
    Expected exp;
    for (const auto& line : block) {
      double v;
      if (ParseNumber(line, &v)) {
        exp.scalar = true;
        exp.scalar_value = v;
        continue;
      }
      Labels labels;
      std::string_view vals;
      std::vector<Slot> slots;
      bool native = false;
      if (!ParseSeriesLine(line, &labels, &vals) || !ExpandValues(vals, &slots, &native)) {
        if (native || line.find("{{") != std::string::npos) {
          o.skipped = true;
          o.message = "native histogram expectation";
          return o;
        }
        o.message = absl::StrCat("bad expectation line: ", line);
        return o;
      }
      exp.series.emplace_back(std::move(labels), std::move(slots));
    }
    if (range) {
      auto r = engine_->RangeQuery(*store_, o.query, start, end, step);
      if (fail) {
        o.passed = !r.ok();
        if (!o.passed) o.message = "expected an error";
        return o;
      }
      if (!r.ok()) {
        o.message = r.status().ToString();
        return o;
      }
      o.message = CompareRange(*r, exp, start, step);
      o.passed = o.message.empty();
      return o;
    }
    auto r = engine_->InstantQuery(*store_, o.query, t);
    if (fail) {
      o.passed = !r.ok();
      if (!o.passed) o.message = "expected an error";
      return o;
    }
    if (!r.ok()) {
      o.message = r.status().ToString();
      return o;
    }
    o.message = CompareInstant(*r, exp, ordered);
    if (!o.message.empty()) return o;
    if (opts_.range_cross_check && !ordered) {
      o.message = RangeCrossCheck(o.query, t, exp);
      if (!o.message.empty()) return o;
    }
    if (opts_.at_pinning_check) {
      o.message = AtPinningCheck(o.query, t, exp, ordered);
      if (!o.message.empty()) return o;
    }
    o.passed = true;
    return o;
  }

  // The point at t of a range query around t must equal the instant result.
  std::string RangeCrossCheck(const std::string& query, int64_t t, const Expected& exp) {
    auto e = ParseExpr(query);
    if (!e.ok()) return "";
    ValueType vt = TypeOf(**e);
    if (vt != ValueType::kVector && vt != ValueType::kScalar) return "";
    auto r = engine_->RangeQuery(*store_, **e, t - 60000, t + 60000, 60000);
    if (!r.ok()) return absl::StrCat("range cross-check: ", r.status().ToString());
    QueryResult at_t;
    at_t.type = exp.scalar ? ResultType::kScalar : ResultType::kVector;
    for (const auto& s : r->series) {
      for (const auto& p : s.points) {
        if (p.t != t) continue;
        if (exp.scalar) {
          at_t.scalar = p;
        } else {
          at_t.series.push_back(Series{s.labels, {p}});
        }
      }
    }
    std::string m = CompareInstant(at_t, exp, false);
    return m.empty() ? "" : absl::StrCat("range cross-check: ", m);
  }

  std::string AtPinningCheck(const std::string& query, int64_t t, const Expected& exp, bool ordered) {
    auto e = ParseExpr(query);
    if (!e.ok() || UsesTimeFunctions(**e)) return "";
    PinAt(**e, t);
    std::vector<int64_t> times = t == 0 ? std::vector<int64_t>{-1000, 0, 1000}
                                        : std::vector<int64_t>{-10 * t, 0, t / 5, t, 10 * t};
    for (int64_t at : times) {
      auto r = engine_->InstantQuery(*store_, **e, at);
      if (!r.ok()) return absl::StrCat("@ pinning at ", at, "ms (", Format(**e), "): ", r.status().ToString());
      std::string m = CompareInstant(*r, exp, ordered);
      if (!m.empty()) return absl::StrCat("@ pinning at ", at, "ms (", Format(**e), "): ", m);
    }
    return "";
  }

  std::string name_;
  ScriptOptions opts_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<storage::MemoryStorage> store_;
};

}  // namespace

int ScriptReport::passed() const { return CountIf(evals, 0); }
int ScriptReport::failed() const { return CountIf(evals, 1); }
int ScriptReport::skipped() const { return CountIf(evals, 2); }

ScriptReport RunScript(const std::string& name, const std::string& text, const ScriptOptions& opts) {
  Runner r(name, opts);
  internal::SetParallelBatchForTesting(opts.parallel_batch);
  ScriptReport rep = r.Run(text);
  internal::SetParallelBatchForTesting(0);
  return rep;
}

}  // namespace pharos::promql::testing
