#include "promql/ast.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/duration.h"
#include "common/go_quote.h"
#include "common/labels.h"
#include "common/strings.h"
#include "promql/functions.h"

namespace pharos::promql {

const char* ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone: return "none";
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "instant vector";
    case ValueType::kMatrix: return "range vector";
    case ValueType::kString: return "string";
  }
  return "?";
}

const char* BinOpString(BinOp op) {
  switch (op) {
    case BinOp::kAdd: return "+";
    case BinOp::kSub: return "-";
    case BinOp::kMul: return "*";
    case BinOp::kDiv: return "/";
    case BinOp::kMod: return "%";
    case BinOp::kPow: return "^";
    case BinOp::kAtan2: return "atan2";
    case BinOp::kEql: return "==";
    case BinOp::kNeq: return "!=";
    case BinOp::kGtr: return ">";
    case BinOp::kLss: return "<";
    case BinOp::kGte: return ">=";
    case BinOp::kLte: return "<=";
    case BinOp::kAnd: return "and";
    case BinOp::kOr: return "or";
    case BinOp::kUnless: return "unless";
  }
  return "?";
}

bool IsComparison(BinOp op) {
  return op == BinOp::kEql || op == BinOp::kNeq || op == BinOp::kGtr || op == BinOp::kLss || op == BinOp::kGte ||
         op == BinOp::kLte;
}

bool IsSetOperator(BinOp op) { return op == BinOp::kAnd || op == BinOp::kOr || op == BinOp::kUnless; }

const char* AggOpString(AggOp op) {
  switch (op) {
    case AggOp::kSum: return "sum";
    case AggOp::kAvg: return "avg";
    case AggOp::kCount: return "count";
    case AggOp::kMin: return "min";
    case AggOp::kMax: return "max";
    case AggOp::kGroup: return "group";
    case AggOp::kStddev: return "stddev";
    case AggOp::kStdvar: return "stdvar";
    case AggOp::kTopK: return "topk";
    case AggOp::kBottomK: return "bottomk";
    case AggOp::kCountValues: return "count_values";
    case AggOp::kQuantile: return "quantile";
  }
  return "?";
}

const Expr* Unparen(const Expr* e) {
  while (e != nullptr && e->kind == ExprKind::kParen) e = static_cast<const ParenExpr*>(e)->expr.get();
  return e;
}

ValueType TypeOf(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumber: return ValueType::kScalar;
    case ExprKind::kString: return ValueType::kString;
    case ExprKind::kVectorSelector: return ValueType::kVector;
    case ExprKind::kMatrixSelector: return ValueType::kMatrix;
    case ExprKind::kSubquery: return ValueType::kMatrix;
    case ExprKind::kParen: return TypeOf(*static_cast<const ParenExpr&>(e).expr);
    case ExprKind::kUnary: return TypeOf(*static_cast<const UnaryExpr&>(e).expr);
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      if (TypeOf(*b.lhs) == ValueType::kScalar && TypeOf(*b.rhs) == ValueType::kScalar) return ValueType::kScalar;
      return ValueType::kVector;
    }
    case ExprKind::kCall: return static_cast<const Call&>(e).func->return_type;
    case ExprKind::kAggregate: return ValueType::kVector;
  }
  return ValueType::kNone;
}

// Go's fmt %v for a float64 (strconv 'g' with the shortest digits): the
// exponent form when the decimal exponent is below -4 or at least 6.
std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  int exp = std::atoi(sci.c_str() + sci.find('e') + 1);
  if (exp < -4 || exp >= 6) return sci;
  r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string PositionString(std::string_view text, int pos) {
  if (pos < 0 || pos > static_cast<int>(text.size())) return "invalid position";
  int line = 1, last_break = -1;
  for (int i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      last_break = i;
    }
  }
  return absl::StrCat(line, ":", pos - last_break);
}

namespace {

std::string FormatMods(const TimeModifiers& m) {
  std::string s;
  switch (m.at) {
    case AtKind::kNone: break;
    case AtKind::kTimestamp: s = absl::StrFormat(" @ %.3f", static_cast<double>(m.at_ms) / 1000.0); break;
    case AtKind::kStart: s = " @ start()"; break;
    case AtKind::kEnd: s = " @ end()"; break;
  }
  if (m.offset_ms > 0) absl::StrAppend(&s, " offset ", FormatDurationMs(m.offset_ms));
  if (m.offset_ms < 0) absl::StrAppend(&s, " offset -", FormatDurationMs(-m.offset_ms));
  return s;
}

std::string FormatSelector(const VectorSelector& vs) {
  std::vector<std::string> ms;
  for (const Matcher& m : vs.matchers) {
    if (m.name() == kMetricName && m.type() == MatchType::kEqual && m.value() == vs.name && !m.value().empty()) {
      continue;
    }
    ms.push_back(m.ToString());
  }
  if (ms.empty()) return vs.name;
  std::sort(ms.begin(), ms.end());
  return absl::StrCat(vs.name, "{", absl::StrJoin(ms, ","), "}");
}

std::string Grouping(const std::vector<std::string>& v) { return absl::StrJoin(v, ", "); }

std::string MatchingString(const BinaryExpr& b) {
  std::string matching;
  const VectorMatching& vm = b.matching;
  if (!vm.labels.empty() || vm.on) {
    matching = absl::StrCat(" ", vm.on ? "on" : "ignoring", " (", Grouping(vm.labels), ")");
    if (vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany) {
      absl::StrAppend(&matching, " group_", vm.card == Cardinality::kManyToOne ? "left" : "right", " (",
                      Grouping(vm.include), ")");
    }
  }
  return matching;
}

std::string AggPrefix(const AggregateExpr& a) {
  std::string s = AggOpString(a.op);
  if (a.without) {
    absl::StrAppend(&s, " without (", Grouping(a.grouping), ") ");
  } else if (!a.grouping.empty()) {
    absl::StrAppend(&s, " by (", Grouping(a.grouping), ") ");
  }
  return s;
}

std::string SubquerySuffix(const SubqueryExpr& s) {
  return absl::StrCat("[", FormatDurationMs(s.range_ms), ":", s.step_ms > 0 ? FormatDurationMs(s.step_ms) : "", "]",
                      FormatMods(s.mods));
}

}  // namespace

std::string Format(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumber: return FormatNumber(static_cast<const NumberLiteral&>(e).value);
    case ExprKind::kString: return GoQuote(static_cast<const StringLiteral&>(e).value);
    case ExprKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      return FormatSelector(vs) + FormatMods(vs.mods);
    }
    case ExprKind::kMatrixSelector: {
      const auto& m = static_cast<const MatrixSelector&>(e);
      return absl::StrCat(FormatSelector(*m.vs), "[", FormatDurationMs(m.range_ms), "]", FormatMods(m.vs->mods));
    }
    case ExprKind::kSubquery: {
      const auto& s = static_cast<const SubqueryExpr&>(e);
      return Format(*s.expr) + SubquerySuffix(s);
    }
    case ExprKind::kParen: return absl::StrCat("(", Format(*static_cast<const ParenExpr&>(e).expr), ")");
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      return absl::StrCat(u.negate ? "-" : "+", Format(*u.expr));
    }
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      std::string matching = MatchingString(b);
      return absl::StrCat(Format(*b.lhs), " ", BinOpString(b.op), b.return_bool ? " bool" : "", matching, " ",
                          Format(*b.rhs));
    }
    case ExprKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      std::vector<std::string> args;
      for (const auto& a : c.args) args.push_back(Format(*a));
      return absl::StrCat(AV(c.func->name), "(", absl::StrJoin(args, ", "), ")");
    }
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      std::string s = AggPrefix(a);
      absl::StrAppend(&s, "(");
      if (a.param) absl::StrAppend(&s, Format(*a.param), ", ");
      absl::StrAppend(&s, Format(*a.expr), ")");
      return s;
    }
  }
  return "";
}

namespace {

constexpr size_t kMaxCharactersPerLine = 100;

std::string Indent(int level) { return std::string(static_cast<size_t>(level) * 2, ' '); }

std::string Pretty(const Expr& e, int level) {
  std::string flat = Format(e);
  bool split = flat.size() > kMaxCharactersPerLine;
  switch (e.kind) {
    case ExprKind::kAggregate: {
      if (!split) return Indent(level) + flat;
      const auto& a = static_cast<const AggregateExpr&>(e);
      std::string s = Indent(level) + AggPrefix(a) + "(\n";
      if (a.param) absl::StrAppend(&s, Pretty(*a.param, level + 1), ",\n");
      absl::StrAppend(&s, Pretty(*a.expr, level + 1), "\n", Indent(level), ")");
      return s;
    }
    case ExprKind::kBinary: {
      if (!split) return Indent(level) + flat;
      const auto& b = static_cast<const BinaryExpr&>(e);
      return absl::StrCat(Pretty(*b.lhs, level + 1), "\n", Indent(level), BinOpString(b.op),
                          b.return_bool ? " bool" : "", MatchingString(b), "\n", Pretty(*b.rhs, level + 1));
    }
    case ExprKind::kCall: {
      if (!split) return Indent(level) + flat;
      const auto& c = static_cast<const Call&>(e);
      std::string s = absl::StrCat(Indent(level), AV(c.func->name), "(\n");
      for (size_t i = 0; i < c.args.size(); ++i) {
        absl::StrAppend(&s, Pretty(*c.args[i], level + 1), i + 1 < c.args.size() ? ",\n" : "");
      }
      absl::StrAppend(&s, "\n", Indent(level), ")");
      return s;
    }
    case ExprKind::kParen: {
      if (!split) return Indent(level) + flat;
      return absl::StrCat(Indent(level), "(\n", Pretty(*static_cast<const ParenExpr&>(e).expr, level + 1), "\n",
                          Indent(level), ")");
    }
    case ExprKind::kSubquery: {
      // As Prometheus: no indentation when the subquery fits on a line.
      if (!split) return flat;
      const auto& s = static_cast<const SubqueryExpr&>(e);
      return Pretty(*s.expr, level) + SubquerySuffix(s);
    }
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      std::string child = Pretty(*u.expr, level);
      size_t b = child.find_first_not_of(" \t\n");
      size_t en = child.find_last_not_of(" \t\n");
      child = b == std::string::npos ? "" : child.substr(b, en - b + 1);
      return absl::StrCat(Indent(level), u.negate ? "-" : "+", child);
    }
    default:
      return Indent(level) + flat;
  }
}

}  // namespace

std::string Prettify(const Expr& e) { return Pretty(e, 0); }

}  // namespace pharos::promql
