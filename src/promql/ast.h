// The PromQL syntax tree, as ParseExpr (parser.h) builds it and the engine
// walks it. Nodes are plain structs owned through std::unique_ptr; a tree is
// immutable after parsing and may be shared by threads for reading.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/matcher.h"

namespace pharos::promql {

enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };
// "scalar", "instant vector", "range vector", "string" as Prometheus' messages
// name them.
const char* ValueTypeName(ValueType t);

enum class ExprKind {
  kNumber,
  kString,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kParen,
  kUnary,
  kBinary,
  kCall,
  kAggregate,
};

// Binary operators, in no particular order.
enum class BinOp { kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2, kEql, kNeq, kGtr, kLss, kGte, kLte, kAnd, kOr, kUnless };
const char* BinOpString(BinOp op);
bool IsComparison(BinOp op);
bool IsSetOperator(BinOp op);

enum class AggOp { kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar, kTopK, kBottomK, kCountValues, kQuantile };
const char* AggOpString(AggOp op);

// The @ modifier: a fixed time, or the query's start() or end().
enum class AtKind { kNone, kTimestamp, kStart, kEnd };

struct PosRange {
  int start = 0;  // byte offsets in the query text
  int end = 0;
};

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  ExprKind kind;
  PosRange pos;
};

using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral : Expr {
  NumberLiteral() : Expr(ExprKind::kNumber) {}
  double value = 0;
};

struct StringLiteral : Expr {
  StringLiteral() : Expr(ExprKind::kString) {}
  std::string value;
};

// Offset and @ as they apply to selectors and subqueries.
struct TimeModifiers {
  int64_t offset_ms = 0;  // positive: further in the past
  AtKind at = AtKind::kNone;
  int64_t at_ms = 0;  // for kTimestamp
};

struct VectorSelector : Expr {
  VectorSelector() : Expr(ExprKind::kVectorSelector) {}
  std::string name;  // may be empty when only matchers are given
  Matchers matchers;  // includes __name__="name" when name is set
  TimeModifiers mods;
};

struct MatrixSelector : Expr {
  MatrixSelector() : Expr(ExprKind::kMatrixSelector) {}
  std::unique_ptr<VectorSelector> vs;  // carries offset and @
  int64_t range_ms = 0;
};

struct SubqueryExpr : Expr {
  SubqueryExpr() : Expr(ExprKind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the engine's default resolution
  TimeModifiers mods;
};

struct ParenExpr : Expr {
  ParenExpr() : Expr(ExprKind::kParen) {}
  ExprPtr expr;
};

struct UnaryExpr : Expr {
  UnaryExpr() : Expr(ExprKind::kUnary) {}
  bool negate = true;  // '-' (false for '+')
  ExprPtr expr;
};

enum class Cardinality { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  bool on = false;                    // on(...) rather than ignoring(...)
  bool explicit_matching = false;     // on/ignoring was written
  std::vector<std::string> labels;    // on/ignoring labels
  std::vector<std::string> include;   // group_left/group_right labels
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(ExprKind::kBinary) {}
  BinOp op = BinOp::kAdd;
  ExprPtr lhs, rhs;
  bool return_bool = false;
  VectorMatching matching;  // meaningful when both sides are vectors
};

struct FunctionInfo;  // functions.h

struct Call : Expr {
  Call() : Expr(ExprKind::kCall) {}
  const FunctionInfo* func = nullptr;
  std::vector<ExprPtr> args;
};

struct AggregateExpr : Expr {
  AggregateExpr() : Expr(ExprKind::kAggregate) {}
  AggOp op = AggOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk/bottomk/quantile/count_values
  std::vector<std::string> grouping;
  bool without = false;
};

// The type an expression evaluates to.
ValueType TypeOf(const Expr& e);

// The expression as Prometheus prints it (its String() form): canonical
// spacing, sorted matchers, durations like "1h30m".
std::string Format(const Expr& e);

// The expression as Prometheus' Prettify prints it (format_query): the
// Format() text when it fits in 100 characters, otherwise split over lines
// with two-space indentation.
std::string Prettify(const Expr& e);

// A float as Go's %g/%v prints it ("1e+06", "0.5", "+Inf", "NaN"), as
// number literals print.
std::string FormatNumber(double v);

// "line:col" of byte offset `pos` in `text`, as Prometheus positions errors
// and annotations.
std::string PositionString(std::string_view text, int pos);

// Strips parentheses.
const Expr* Unparen(const Expr* e);

}  // namespace pharos::promql
