#include "promql/parser.h"

#include <cmath>
#include <cstdlib>
#include <algorithm>
#include <cerrno>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/duration.h"
#include "common/labels.h"
#include "common/strings.h"
#include "promql/functions.h"
#include "promql/internal/lexer.h"

namespace pharos::promql {
namespace {

using internal::Tok;
using internal::Token;

struct ParseError {
  int pos;
  std::string msg;
};

std::string Lower(std::string_view s) { return absl::AsciiStrToLower(AV(s)); }

std::optional<AggOp> AggregatorFor(std::string_view word) {
  std::string w = Lower(word);
  if (w == "sum") return AggOp::kSum;
  if (w == "avg") return AggOp::kAvg;
  if (w == "count") return AggOp::kCount;
  if (w == "min") return AggOp::kMin;
  if (w == "max") return AggOp::kMax;
  if (w == "group") return AggOp::kGroup;
  if (w == "stddev") return AggOp::kStddev;
  if (w == "stdvar") return AggOp::kStdvar;
  if (w == "topk") return AggOp::kTopK;
  if (w == "bottomk") return AggOp::kBottomK;
  if (w == "count_values") return AggOp::kCountValues;
  if (w == "quantile") return AggOp::kQuantile;
  return std::nullopt;
}

int Precedence(BinOp op) {
  switch (op) {
    case BinOp::kOr: return 1;
    case BinOp::kAnd: case BinOp::kUnless: return 2;
    case BinOp::kEql: case BinOp::kNeq: case BinOp::kGtr: case BinOp::kLss: case BinOp::kGte: case BinOp::kLte:
      return 3;
    case BinOp::kAdd: case BinOp::kSub: return 4;
    case BinOp::kMul: case BinOp::kDiv: case BinOp::kMod: case BinOp::kAtan2: return 5;
    case BinOp::kPow: return 6;
  }
  return 0;
}
constexpr int kUnaryPrecedence = 5;  // unary minus binds like '*'

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input) {}

  std::optional<ParseError> Init() {
    if (!internal::Lex(input_, &toks_, &lex_err_)) {
      // Reported when the parser reaches the error token.
    }
    return std::nullopt;
  }

  ExprPtr ParseTop() {
    if (Peek().kind == Tok::kEOF) {
      Fail(0, "no expression found in input");
      return nullptr;
    }
    ExprPtr e = ParseBinary(0);
    if (!ok()) return nullptr;
    if (Peek().kind != Tok::kEOF) {
      Unexpected(Peek());
      return nullptr;
    }
    return e;
  }

  bool ok() const { return !err_.has_value(); }
  const ParseError& error() const { return *err_; }

 private:
  const Token& Peek(int k = 0) {
    size_t i = pos_ + k;
    const Token& t = i < toks_.size() ? toks_[i] : toks_.back();
    if (k == 0 && t.kind == Tok::kError) Fail(t.pos, lex_err_.message);
    return t;
  }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ < toks_.size() - 1) ++pos_;
    return t;
  }
  void Fail(int pos, std::string msg) {
    if (!err_) err_ = ParseError{pos, std::move(msg)};
  }
  void Unexpected(const Token& t, std::string_view context = "") {
    std::string m = absl::StrCat("unexpected ", internal::DescribeToken(t));
    if (!context.empty()) absl::StrAppend(&m, " ", AV(context));
    Fail(t.pos, std::move(m));
  }
  bool Expect(Tok k, std::string_view context) {
    if (Peek().kind != k) {
      if (Peek().kind == Tok::kEOF && k == Tok::kRightParen) {
        Fail(Peek().pos, "unclosed left parenthesis");
      } else if (Peek().kind == Tok::kEOF && k == Tok::kRightBracket) {
        Fail(Peek().pos, "unclosed left bracket");
      } else {
        Unexpected(Peek(), context);
      }
      return false;
    }
    Next();
    return true;
  }
  bool IsWord(const Token& t, std::string_view w) const {
    return t.kind == Tok::kIdentifier && Lower(t.text) == w;
  }

  std::optional<BinOp> PeekBinOp() {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kAdd: return BinOp::kAdd;
      case Tok::kSub: return BinOp::kSub;
      case Tok::kMul: return BinOp::kMul;
      case Tok::kDiv: return BinOp::kDiv;
      case Tok::kMod: return BinOp::kMod;
      case Tok::kPow: return BinOp::kPow;
      case Tok::kEqlC: return BinOp::kEql;
      case Tok::kNeq: return BinOp::kNeq;
      case Tok::kGtr: return BinOp::kGtr;
      case Tok::kLss: return BinOp::kLss;
      case Tok::kGte: return BinOp::kGte;
      case Tok::kLte: return BinOp::kLte;
      case Tok::kIdentifier: {
        std::string w = Lower(t.text);
        if (w == "and") return BinOp::kAnd;
        if (w == "or") return BinOp::kOr;
        if (w == "unless") return BinOp::kUnless;
        if (w == "atan2") return BinOp::kAtan2;
        return std::nullopt;
      }
      default: return std::nullopt;
    }
  }

  // Nesting guard for recursive descent.
  struct DepthGuard {
    Parser* p;
    explicit DepthGuard(Parser* parser) : p(parser) { ++p->depth_; }
    ~DepthGuard() { --p->depth_; }
  };
  bool TooDeep(int pos) {
    if (depth_ > kMaxExprDepth) {
      Fail(pos, absl::StrCat("expression nested too deeply (more than ", kMaxExprDepth, " levels)"));
      return true;
    }
    return false;
  }
  // Height of the tree so far: left-deep operator chains are built in a
  // loop, so the recursion guard alone would not bound them.
  bool CheckHeight(Expr* e, int h) {
    heights_[e] = h;
    if (h > kMaxExprDepth * 4) {
      Fail(e->pos.start, absl::StrCat("expression nested too deeply (more than ", kMaxExprDepth * 4, " operators)"));
      return false;
    }
    return true;
  }
  int HeightOf(const Expr* e) const {
    auto it = heights_.find(e);
    return it == heights_.end() ? 1 : it->second;
  }

  ExprPtr ParseBinary(int min_prec) {
    DepthGuard g(this);
    if (TooDeep(Peek().pos)) return nullptr;
    ExprPtr lhs = ParseUnary();
    if (!ok()) return nullptr;
    for (;;) {
      std::optional<BinOp> op = PeekBinOp();
      if (!op) return lhs;
      int prec = Precedence(*op);
      if (prec < min_prec) return lhs;
      const Token& opTok = Next();
      auto be = std::make_unique<BinaryExpr>();
      be->op = *op;
      if (IsWord(Peek(), "bool")) {
        Next();
        be->return_bool = true;
      }
      if (IsWord(Peek(), "on") || IsWord(Peek(), "ignoring")) {
        be->matching.on = IsWord(Peek(), "on");
        be->matching.explicit_matching = true;
        Next();
        if (!ParseLabelList(&be->matching.labels)) return nullptr;
        if (IsWord(Peek(), "group_left") || IsWord(Peek(), "group_right")) {
          be->matching.card = IsWord(Peek(), "group_left") ? Cardinality::kManyToOne : Cardinality::kOneToMany;
          Next();
          if (Peek().kind == Tok::kLeftParen && !ParseLabelList(&be->matching.include)) return nullptr;
        }
      } else if (IsWord(Peek(), "group_left") || IsWord(Peek(), "group_right")) {
        Unexpected(Peek());
        return nullptr;
      }
      ExprPtr rhs = ParseBinary(*op == BinOp::kPow ? prec : prec + 1);
      if (!ok()) return nullptr;
      be->pos = {lhs->pos.start, rhs->pos.end};
      int h = 1 + std::max(HeightOf(lhs.get()), HeightOf(rhs.get()));
      be->lhs = std::move(lhs);
      be->rhs = std::move(rhs);
      if (!CheckBinary(*be, opTok.pos)) return nullptr;
      if (!CheckHeight(be.get(), h)) return nullptr;
      lhs = std::move(be);
    }
  }

  ExprPtr ParseUnary() {
    const Token& t = Peek();
    if (t.kind == Tok::kAdd || t.kind == Tok::kSub) {
      Next();
      DepthGuard g(this);
      if (TooDeep(t.pos)) return nullptr;
      ExprPtr inner = ParseBinary(kUnaryPrecedence + 1);
      if (!ok()) return nullptr;
      if (inner->kind == ExprKind::kNumber) {
        auto* nl = static_cast<NumberLiteral*>(inner.get());
        if (t.kind == Tok::kSub) nl->value = -nl->value;
        nl->pos.start = t.pos;
        return inner;
      }
      ValueType vt = TypeOf(*inner);
      if (vt != ValueType::kScalar && vt != ValueType::kVector) {
        Fail(t.pos, absl::StrCat("unary expression only allowed on expressions of type scalar or instant vector, got \"",
                                 ValueTypeName(vt), "\""));
        return nullptr;
      }
      auto u = std::make_unique<UnaryExpr>();
      u->negate = t.kind == Tok::kSub;
      u->pos = {t.pos, inner->pos.end};
      int h = HeightOf(inner.get()) + 1;
      u->expr = std::move(inner);
      if (!CheckHeight(u.get(), h)) return nullptr;
      return u;
    }
    return ParsePostfix();
  }

  ExprPtr ParsePostfix() {
    ExprPtr e = ParsePrimary();
    if (!ok()) return nullptr;
    for (;;) {
      const Token& t = Peek();
      if (t.kind == Tok::kLeftBracket) {
        e = ParseRangeOrSubquery(std::move(e));
      } else if (IsWord(t, "offset")) {
        e = ParseOffset(std::move(e));
      } else if (t.kind == Tok::kAt) {
        e = ParseAt(std::move(e));
      } else {
        return e;
      }
      if (!ok()) return nullptr;
    }
  }

  TimeModifiers* ModsOf(Expr* e) {
    switch (e->kind) {
      case ExprKind::kVectorSelector: return &static_cast<VectorSelector*>(e)->mods;
      case ExprKind::kMatrixSelector: return &static_cast<MatrixSelector*>(e)->vs->mods;
      case ExprKind::kSubquery: return &static_cast<SubqueryExpr*>(e)->mods;
      default: return nullptr;
    }
  }

  ExprPtr ParseOffset(ExprPtr e) {
    const Token& kw = Next();
    bool neg = false;
    if (Peek().kind == Tok::kSub) {
      Next();
      neg = true;
    }
    const Token& d = Peek();
    if (d.kind != Tok::kDuration) {
      Unexpected(d, "in offset, expected duration");
      return nullptr;
    }
    Next();
    auto ms = ParseDurationMs(d.text);
    if (!ms.ok()) {
      Fail(d.pos, std::string(SV(ms.status().message())));
      return nullptr;
    }
    TimeModifiers* m = ModsOf(e.get());
    if (m == nullptr) {
      Fail(kw.pos, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
      return nullptr;
    }
    if (m->offset_ms != 0 || offset_set_.count(e.get())) {
      Fail(kw.pos, "offset may not be set multiple times");
      return nullptr;
    }
    offset_set_.insert(e.get());
    m->offset_ms = neg ? -*ms : *ms;
    e->pos.end = d.pos + static_cast<int>(d.text.size());
    return e;
  }

  ExprPtr ParseAt(ExprPtr e) {
    const Token& at = Next();
    TimeModifiers* m = ModsOf(e.get());
    if (m == nullptr) {
      Fail(at.pos, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
      return nullptr;
    }
    if (m->at != AtKind::kNone) {
      Fail(at.pos, "@ <timestamp> may not be set multiple times");
      return nullptr;
    }
    const Token& t = Peek();
    if ((IsWord(t, "start") || IsWord(t, "end")) && Peek(1).kind == Tok::kLeftParen &&
        Peek(2).kind == Tok::kRightParen) {
      m->at = IsWord(t, "start") ? AtKind::kStart : AtKind::kEnd;
      Next();
      Next();
      e->pos.end = Next().pos + 1;
      return e;
    }
    bool neg = false;
    if (t.kind == Tok::kSub || t.kind == Tok::kAdd) {
      neg = t.kind == Tok::kSub;
      Next();
    }
    const Token& n = Peek();
    std::optional<double> v = NumberValue(n);
    if (!v) {
      Unexpected(n, "in @, expected timestamp");
      return nullptr;
    }
    Next();
    double ts = neg ? -*v : *v;
    if (std::isinf(ts) || std::isnan(ts) || ts >= 9.223372036854775807e18 || ts <= -9.223372036854775807e18) {
      Fail(at.pos, absl::StrFormat("timestamp out of bounds for @ modifier: %f", ts));
      return nullptr;
    }
    m->at = AtKind::kTimestamp;
    m->at_ms = static_cast<int64_t>(std::round(ts * 1000.0));
    e->pos.end = n.pos + static_cast<int>(n.text.size());
    return e;
  }

  ExprPtr ParseRangeOrSubquery(ExprPtr e) {
    const Token& lb = Next();
    const Token& d = Peek();
    if (d.kind != Tok::kDuration) {
      Unexpected(d, "in subquery or range selector, expected duration");
      return nullptr;
    }
    Next();
    auto range = ParseDurationMs(d.text);
    if (!range.ok()) {
      Fail(d.pos, std::string(SV(range.status().message())));
      return nullptr;
    }
    if (Peek().kind == Tok::kColon) {
      Next();
      int64_t step = 0;
      if (Peek().kind == Tok::kDuration) {
        auto s = ParseDurationMs(Peek().text);
        if (!s.ok()) {
          Fail(Peek().pos, std::string(SV(s.status().message())));
          return nullptr;
        }
        step = *s;
        Next();
      }
      int end = Peek().pos + 1;
      if (!Expect(Tok::kRightBracket, "in subquery selector")) return nullptr;
      if (TypeOf(*e) != ValueType::kVector) {
        Fail(e->pos.start, absl::StrCat("subquery is only allowed on instant vector, got ",
                                        ValueTypeName(TypeOf(*e)), " instead"));
        return nullptr;
      }
      auto sq = std::make_unique<SubqueryExpr>();
      sq->pos = {e->pos.start, end};
      sq->range_ms = *range;
      sq->step_ms = step;
      int h = HeightOf(e.get()) + 1;
      sq->expr = std::move(e);
      if (!CheckHeight(sq.get(), h)) return nullptr;
      return sq;
    }
    int end = Peek().pos + 1;
    if (!Expect(Tok::kRightBracket, "in range selector")) return nullptr;
    if (e->kind != ExprKind::kVectorSelector) {
      Fail(lb.pos, "ranges only allowed for vector selectors");
      return nullptr;
    }
    auto* vs = static_cast<VectorSelector*>(e.get());
    if (vs->mods.offset_ms != 0 || offset_set_.count(e.get()) || vs->mods.at != AtKind::kNone) {
      Fail(lb.pos, "no offset modifiers allowed before range");
      return nullptr;
    }
    auto ms = std::make_unique<MatrixSelector>();
    ms->pos = {e->pos.start, end};
    ms->range_ms = *range;
    ms->vs.reset(static_cast<VectorSelector*>(e.release()));
    return ms;
  }

  std::optional<double> NumberValue(const Token& t) {
    if (t.kind == Tok::kIdentifier) {
      std::string w = Lower(t.text);
      if (w == "inf") return HUGE_VAL;
      if (w == "nan") return std::nan("");
      return std::nullopt;
    }
    if (t.kind != Tok::kNumber) return std::nullopt;
    std::string s(t.text);
    // As Go's ParseInt(s, 0, 64) first (so "010" is octal), then ParseFloat.
    bool all_digits = !s.empty();
    for (char c : s) all_digits &= (c >= '0' && c <= '9');
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      errno = 0;
      unsigned long long v = std::strtoull(s.c_str() + 2, nullptr, 16);
      if (errno == 0 && v <= static_cast<unsigned long long>(INT64_MAX)) return static_cast<double>(v);
      return std::strtod(s.c_str(), nullptr);  // beyond int64: as a (hex) float
    }
    if (all_digits && s.size() > 1 && s[0] == '0') {
      bool octal = true;
      for (char c : s) octal &= (c <= '7');
      if (octal) {
        errno = 0;
        unsigned long long v = std::strtoull(s.c_str(), nullptr, 8);
        if (errno == 0 && v <= static_cast<unsigned long long>(INT64_MAX)) return static_cast<double>(v);
      }
    }
    return std::strtod(s.c_str(), nullptr);
  }

  ExprPtr ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kNumber: {
        Next();
        auto n = std::make_unique<NumberLiteral>();
        n->value = *NumberValue(t);
        n->pos = {t.pos, t.pos + static_cast<int>(t.text.size())};
        return n;
      }
      case Tok::kString: {
        Next();
        auto s = std::make_unique<StringLiteral>();
        auto v = UnquoteString(t.text);
        if (!v.ok()) {
          Fail(t.pos, std::string(SV(v.status().message())));
          return nullptr;
        }
        s->value = *std::move(v);
        s->pos = {t.pos, t.pos + static_cast<int>(t.text.size())};
        return s;
      }
      case Tok::kLeftParen: {
        Next();
        DepthGuard g(this);
        if (TooDeep(t.pos)) return nullptr;
        ExprPtr inner = ParseBinary(0);
        if (!ok()) return nullptr;
        int end = Peek().pos + 1;
        if (!Expect(Tok::kRightParen, "")) return nullptr;
        auto p = std::make_unique<ParenExpr>();
        p->pos = {t.pos, end};
        int h = HeightOf(inner.get()) + 1;
        p->expr = std::move(inner);
        if (!CheckHeight(p.get(), h)) return nullptr;
        return p;
      }
      case Tok::kLeftBrace:
        return ParseVectorSelector("", t.pos);
      case Tok::kIdentifier:
      case Tok::kMetricIdentifier: {
        if (t.kind == Tok::kIdentifier) {
          if (auto v = NumberValue(t)) {
            Next();
            auto n = std::make_unique<NumberLiteral>();
            n->value = *v;
            n->pos = {t.pos, t.pos + static_cast<int>(t.text.size())};
            return n;
          }
          std::optional<AggOp> agg = AggregatorFor(t.text);
          const Token& n1 = Peek(1);
          if (agg && (n1.kind == Tok::kLeftParen || IsWord(n1, "by") || IsWord(n1, "without"))) {
            return ParseAggregate(*agg);
          }
          if (n1.kind == Tok::kLeftParen) {
            static const char* const kKeywords[] = {"by", "without", "on", "ignoring", "group_left", "group_right",
                                                    "bool", "offset", "start", "end", "and", "or", "unless",
                                                    "atan2"};
            std::string w = Lower(t.text);
            for (const char* k : kKeywords) {
              if (w == k) {
                Unexpected(t);
                return nullptr;
              }
            }
            return ParseCall();
          }
        }
        Next();
        return ParseVectorSelector(std::string(t.text), t.pos);
      }
      case Tok::kEOF:
        Fail(t.pos, "unexpected end of input");
        return nullptr;
      default:
        Unexpected(t);
        return nullptr;
    }
  }

  // Parses "(a, b, …)" (possibly empty, trailing comma allowed).
  bool ParseLabelList(std::vector<std::string>* out) {
    if (!Expect(Tok::kLeftParen, "in grouping opts, expected \"(\"")) return false;
    for (;;) {
      const Token& t = Peek();
      if (t.kind == Tok::kRightParen) {
        Next();
        return true;
      }
      if (t.kind != Tok::kIdentifier) {
        Unexpected(t, "in grouping opts, expected label");
        return false;
      }
      Next();
      out->emplace_back(t.text);
      if (Peek().kind == Tok::kComma) {
        Next();
      } else if (Peek().kind != Tok::kRightParen) {
        Unexpected(Peek(), "in grouping opts, expected \")\" or \",\"");
        return false;
      }
    }
  }

  bool ParseArgs(std::vector<ExprPtr>* args, std::string_view what) {
    DepthGuard g(this);
    if (TooDeep(Peek().pos)) return false;
    if (!Expect(Tok::kLeftParen, what)) return false;
    if (Peek().kind == Tok::kRightParen) {
      Next();
      return true;
    }
    for (;;) {
      ExprPtr a = ParseBinary(0);
      if (!ok()) return false;
      args->push_back(std::move(a));
      if (Peek().kind == Tok::kComma) {
        Next();
        if (Peek().kind == Tok::kRightParen) {
          Next();
          return true;
        }
        continue;
      }
      if (Peek().kind == Tok::kRightParen) {
        Next();
        return true;
      }
      if (Peek().kind == Tok::kEOF) {
        Fail(Peek().pos, "unclosed left parenthesis");
      } else {
        Unexpected(Peek(), absl::StrCat("in ", AV(what), ", expected \",\" or \")\""));
      }
      return false;
    }
  }

  int MaxHeight(const std::vector<ExprPtr>& v) {
    int h = 0;
    for (const auto& e : v) h = std::max(h, HeightOf(e.get()));
    return h;
  }

  ExprPtr ParseAggregate(AggOp op) {
    const Token& name = Next();
    auto a = std::make_unique<AggregateExpr>();
    a->op = op;
    bool grouped = false;
    auto parse_grouping = [&]() -> bool {
      a->without = IsWord(Peek(), "without");
      Next();
      grouped = true;
      return ParseLabelList(&a->grouping);
    };
    if (IsWord(Peek(), "by") || IsWord(Peek(), "without")) {
      if (!parse_grouping()) return nullptr;
    }
    std::vector<ExprPtr> args;
    if (!ParseArgs(&args, "aggregation")) return nullptr;
    int end = toks_[pos_ - 1].pos + 1;
    if (!grouped && (IsWord(Peek(), "by") || IsWord(Peek(), "without"))) {
      if (!parse_grouping()) return nullptr;
      end = toks_[pos_ - 1].pos + 1;
    }
    a->pos = {name.pos, end};
    bool has_param = op == AggOp::kTopK || op == AggOp::kBottomK || op == AggOp::kQuantile ||
                     op == AggOp::kCountValues;
    size_t want = has_param ? 2 : 1;
    if (args.size() != want) {
      Fail(name.pos, absl::StrCat("wrong number of arguments for aggregate expression provided, expected ",
                                  want, ", got ", args.size()));
      return nullptr;
    }
    int h = MaxHeight(args) + 1;
    if (has_param) {
      a->param = std::move(args[0]);
      a->expr = std::move(args[1]);
      ValueType want_t = op == AggOp::kCountValues ? ValueType::kString : ValueType::kScalar;
      if (!ExpectType(*a->param, want_t, "aggregation parameter")) return nullptr;
    } else {
      a->expr = std::move(args[0]);
    }
    if (!ExpectType(*a->expr, ValueType::kVector, "aggregation expression")) return nullptr;
    if (!CheckHeight(a.get(), h)) return nullptr;
    return a;
  }

  bool ExpectType(const Expr& e, ValueType want, std::string_view context) {
    ValueType got = TypeOf(e);
    if (got != want) {
      Fail(e.pos.start, absl::StrCat("expected type ", ValueTypeName(want), " in ", AV(context), ", got ",
                                     ValueTypeName(got)));
      return false;
    }
    return true;
  }

  ExprPtr ParseCall() {
    const Token& name = Next();
    const FunctionInfo* f = LookupFunction(name.text);
    if (f == nullptr) {
      Fail(name.pos, absl::StrCat("unknown function with name \"", AV(name.text), "\""));
      return nullptr;
    }
    auto c = std::make_unique<Call>();
    c->func = f;
    if (!ParseArgs(&c->args, "function call")) return nullptr;
    c->pos = {name.pos, toks_[pos_ - 1].pos + 1};
    int nargs = static_cast<int>(f->arg_types.size());
    int got = static_cast<int>(c->args.size());
    std::string qname = absl::StrCat("\"", AV(f->name), "\"");
    if (f->variadic == 0) {
      if (nargs != got) {
        Fail(c->pos.start, absl::StrCat("expected ", nargs, " argument(s) in call to ", qname, ", got ", got));
        return nullptr;
      }
    } else {
      int na = nargs - 1;
      if (na > got) {
        Fail(c->pos.start, absl::StrCat("expected at least ", na, " argument(s) in call to ", qname, ", got ", got));
        return nullptr;
      }
      if (f->variadic > 0 && na + f->variadic < got) {
        Fail(c->pos.start,
             absl::StrCat("expected at most ", na + f->variadic, " argument(s) in call to ", qname, ", got ", got));
        return nullptr;
      }
    }
    for (int i = 0; i < got; ++i) {
      int k = i;
      if (k >= nargs) k = nargs - 1;
      if (!ExpectType(*c->args[i], f->arg_types[k], absl::StrCat("call to function ", qname))) return nullptr;
    }
    if (!CheckHeight(c.get(), MaxHeight(c->args) + 1)) return nullptr;
    return c;
  }

  ExprPtr ParseVectorSelector(std::string name, int start) {
    auto vs = std::make_unique<VectorSelector>();
    vs->name = name;
    int end = start + static_cast<int>(name.size());
    if (Peek().kind == Tok::kLeftBrace) {
      Next();
      for (;;) {
        const Token& t = Peek();
        if (t.kind == Tok::kRightBrace) {
          end = t.pos + 1;
          Next();
          break;
        }
        if (t.kind != Tok::kIdentifier) {
          if (t.kind == Tok::kEOF) {
            Fail(t.pos, "unexpected end of input inside braces");
          } else {
            Unexpected(t, "in label matching, expected label");
          }
          return nullptr;
        }
        Next();
        MatchType mt;
        switch (Peek().kind) {
          case Tok::kAssign: mt = MatchType::kEqual; break;
          case Tok::kNeq: mt = MatchType::kNotEqual; break;
          case Tok::kEqlRegex: mt = MatchType::kRegexMatch; break;
          case Tok::kNeqRegex: mt = MatchType::kRegexNoMatch; break;
          default:
            Unexpected(Peek(), "in label matching, expected label matching operator");
            return nullptr;
        }
        Next();
        const Token& v = Peek();
        if (v.kind != Tok::kString) {
          Unexpected(v, "in label matching, expected string");
          return nullptr;
        }
        Next();
        auto val = UnquoteString(v.text);
        if (!val.ok()) {
          Fail(v.pos, std::string(SV(val.status().message())));
          return nullptr;
        }
        auto m = Matcher::Make(mt, t.text, *val);
        if (!m.ok()) {
          Fail(t.pos, std::string(SV(m.status().message())));
          return nullptr;
        }
        vs->matchers.push_back(*std::move(m));
        if (Peek().kind == Tok::kComma) {
          Next();
        } else if (Peek().kind != Tok::kRightBrace) {
          if (Peek().kind == Tok::kEOF) {
            Fail(Peek().pos, "unexpected end of input inside braces");
          } else {
            Unexpected(Peek(), "in label matching, expected \",\" or \"}\"");
          }
          return nullptr;
        }
      }
    }
    vs->pos = {start, end};
    if (!name.empty()) {
      for (const Matcher& m : vs->matchers) {
        if (m.name() == kMetricName) {
          Fail(start, absl::StrCat("metric name must not be set twice: \"", name, "\" or \"", m.value(), "\""));
          return nullptr;
        }
      }
      vs->matchers.insert(vs->matchers.begin(), Matcher::MustMake(MatchType::kEqual, kMetricName, name));
    }
    bool non_empty = false;
    for (const Matcher& m : vs->matchers) non_empty |= !m.MatchesEmpty();
    if (!non_empty) {
      Fail(start, "vector selector must contain at least one non-empty matcher");
      return nullptr;
    }
    return vs;
  }

  bool CheckBinary(BinaryExpr& be, int op_pos) {
    ValueType lt = TypeOf(*be.lhs), rt = TypeOf(*be.rhs);
    std::string opname = absl::StrCat("\"", BinOpString(be.op), "\"");
    if (be.return_bool && !IsComparison(be.op)) {
      Fail(op_pos, "bool modifier can only be used on comparison operators");
      return false;
    }
    if (IsComparison(be.op) && !be.return_bool && lt == ValueType::kScalar && rt == ValueType::kScalar) {
      Fail(op_pos, "comparisons between scalars must use BOOL modifier");
      return false;
    }
    if (IsSetOperator(be.op) && be.matching.card == Cardinality::kOneToOne) {
      be.matching.card = Cardinality::kManyToMany;
    }
    if (be.matching.on) {
      for (const auto& l1 : be.matching.labels) {
        for (const auto& l2 : be.matching.include) {
          if (l1 == l2) {
            Fail(op_pos, absl::StrCat("label \"", l1, "\" must not occur in ON and GROUP clause at once"));
            return false;
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      Fail(be.lhs->pos.start, "binary expression must contain only scalar and instant vector types");
      return false;
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      Fail(be.rhs->pos.start, "binary expression must contain only scalar and instant vector types");
      return false;
    }
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (be.matching.explicit_matching && !be.matching.labels.empty()) {
        Fail(be.pos.start, "vector matching only allowed between instant vectors");
        return false;
      }
      be.matching = VectorMatching{};
    } else if (IsSetOperator(be.op)) {
      if (be.matching.card == Cardinality::kOneToMany || be.matching.card == Cardinality::kManyToOne) {
        Fail(op_pos, absl::StrCat("no grouping allowed for ", opname, " operation"));
        return false;
      }
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOperator(be.op)) {
      Fail(be.pos.start, absl::StrCat("set operator ", opname, " not allowed in binary scalar expression"));
      return false;
    }
    return true;
  }

  std::string_view input_;
  internal::LexError lex_err_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::optional<ParseError> err_;
  std::unordered_map<const Expr*, int> heights_;
  std::unordered_set<const Expr*> offset_set_;
};

absl::Status MakeError(std::string_view input, const ParseError& e) {
  int pos = std::clamp(e.pos, 0, static_cast<int>(input.size()));
  return absl::InvalidArgumentError(absl::StrCat(PositionString(input, pos), ": parse error: ", e.msg));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Expr>> ParseExpr(std::string_view input) {
  if (input.size() > kMaxQueryBytes) {
    return absl::InvalidArgumentError(absl::StrCat("1:1: parse error: query longer than ", kMaxQueryBytes, " bytes"));
  }
  Parser p(input);
  if (auto err = p.Init()) return MakeError(input, *err);
  ExprPtr e = p.ParseTop();
  if (!p.ok()) return MakeError(input, p.error());
  return e;
}

absl::StatusOr<std::unique_ptr<VectorSelector>> ParseMetricSelector(std::string_view input) {
  auto e = ParseExpr(input);
  if (!e.ok()) return e.status();
  if ((*e)->kind != ExprKind::kVectorSelector) {
    return absl::InvalidArgumentError(absl::StrCat("1:1: parse error: expected a vector selector, got ",
                                                   AV(input)));
  }
  auto* vs = static_cast<VectorSelector*>(e->get());
  if (vs->mods.offset_ms != 0 || vs->mods.at != AtKind::kNone) {
    return absl::InvalidArgumentError("1:1: parse error: a series selector must not have offset or @");
  }
  e->release();
  return std::unique_ptr<VectorSelector>(vs);
}

}  // namespace pharos::promql
