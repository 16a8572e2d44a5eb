// Functions over instant vectors and scalars; range-vector functions are in
// eval_range_functions.cc, classic histograms in eval_histogram.cc.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/label_names.h"
#include "promql/functions.h"
#include "promql/internal/evaluator.h"
#include "promql/internal/float_math.h"
#include "promql/internal/functions_internal.h"
#include "re2/re2.h"

namespace pharos::promql::internal {
namespace {

constexpr double kPi = 3.14159265358979323846;

bool IsMathFunction(FunctionId id, double (**fn)(double)) {
  static double (*const sgn)(double) = [](double v) -> double {
    if (v > 0) return 1;
    if (v < 0) return -1;
    return v;  // 0, -0 and NaN stay
  };
  switch (id) {
    case FunctionId::kAbs: *fn = [](double v) { return std::fabs(v); }; return true;
    case FunctionId::kCeil: *fn = [](double v) { return std::ceil(v); }; return true;
    case FunctionId::kFloor: *fn = [](double v) { return std::floor(v); }; return true;
    case FunctionId::kExp: *fn = [](double v) { return std::exp(v); }; return true;
    case FunctionId::kSqrt: *fn = [](double v) { return std::sqrt(v); }; return true;
    case FunctionId::kLn: *fn = [](double v) { return std::log(v); }; return true;
    case FunctionId::kLog2: *fn = [](double v) { return std::log2(v); }; return true;
    case FunctionId::kLog10: *fn = [](double v) { return std::log10(v); }; return true;
    case FunctionId::kSgn: *fn = sgn; return true;
    case FunctionId::kSin: *fn = [](double v) { return std::sin(v); }; return true;
    case FunctionId::kCos: *fn = [](double v) { return std::cos(v); }; return true;
    case FunctionId::kTan: *fn = [](double v) { return std::tan(v); }; return true;
    case FunctionId::kAsin: *fn = [](double v) { return std::asin(v); }; return true;
    case FunctionId::kAcos: *fn = [](double v) { return std::acos(v); }; return true;
    case FunctionId::kAtan: *fn = [](double v) { return std::atan(v); }; return true;
    case FunctionId::kSinh: *fn = [](double v) { return std::sinh(v); }; return true;
    case FunctionId::kCosh: *fn = [](double v) { return std::cosh(v); }; return true;
    case FunctionId::kTanh: *fn = [](double v) { return std::tanh(v); }; return true;
    case FunctionId::kAsinh: *fn = [](double v) { return std::asinh(v); }; return true;
    case FunctionId::kAcosh: *fn = [](double v) { return std::acosh(v); }; return true;
    case FunctionId::kAtanh: *fn = [](double v) { return std::atanh(v); }; return true;
    case FunctionId::kDeg: *fn = [](double v) { return v * 180 / kPi; }; return true;
    case FunctionId::kRad: *fn = [](double v) { return v * kPi / 180; }; return true;
    default: return false;
  }
}

bool IsDateFunction(FunctionId id) {
  switch (id) {
    case FunctionId::kDaysInMonth: case FunctionId::kDayOfMonth: case FunctionId::kDayOfWeek:
    case FunctionId::kDayOfYear: case FunctionId::kHour: case FunctionId::kMinute:
    case FunctionId::kMonth: case FunctionId::kYear:
      return true;
    default:
      return false;
  }
}

double DatePart(FunctionId id, double seconds) {
  // Go converts with int64(f); out-of-range values are undefined there too.
  if (std::isnan(seconds) || std::isinf(seconds)) return NAN;
  absl::Time t = absl::FromUnixSeconds(static_cast<int64_t>(seconds));
  absl::CivilSecond c = absl::ToCivilSecond(t, absl::UTCTimeZone());
  switch (id) {
    case FunctionId::kYear: return static_cast<double>(c.year());
    case FunctionId::kMonth: return c.month();
    case FunctionId::kDayOfMonth: return c.day();
    case FunctionId::kHour: return c.hour();
    case FunctionId::kMinute: return c.minute();
    case FunctionId::kDayOfYear: return absl::GetYearDay(absl::CivilDay(c));
    case FunctionId::kDayOfWeek: {
      // absl: Monday=0 … Sunday=6; Go: Sunday=0.
      int wd = static_cast<int>(absl::GetWeekday(absl::CivilDay(c)));
      return (wd + 1) % 7;
    }
    case FunctionId::kDaysInMonth: {
      absl::CivilMonth m(c);
      return static_cast<double>(absl::CivilDay(m + 1) - absl::CivilDay(m));
    }
    default: return NAN;
  }
}

// Natural order of label values ("a2" < "a10"), as Prometheus' sort_by_label.
std::vector<std::string_view> Chunks(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) != 0) == digit) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool ParseInt(std::string_view s, long long* v) {
  if (s.empty() || s.size() > 18) return false;
  long long r = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    r = r * 10 + (c - '0');
  }
  *v = r;
  return true;
}

bool NaturalLess(std::string_view a, std::string_view b) {
  auto ca = Chunks(a), cb = Chunks(b);
  for (size_t i = 0; i < ca.size(); ++i) {
    if (i >= cb.size()) return false;
    long long ia, ib;
    bool last_a = i == ca.size() - 1, last_b = i == cb.size() - 1;
    if (ParseInt(ca[i], &ia) && ParseInt(cb[i], &ib)) {
      if (ia == ib) {
        if (last_a) return true;
        if (last_b) return false;
        continue;
      }
      return ia < ib;
    }
    if (ca[i] == cb[i]) {
      if (last_a) return true;
      if (last_b) return false;
      continue;
    }
    return ca[i] < cb[i];
  }
  return false;
}

// Go's regexp.Expand for label_replace's replacement: $1, ${1}, $name, ${name}, $$.
std::string Expand(std::string_view tmpl, const re2::RE2& re, const std::vector<re2::StringPiece>& groups) {
  std::string out;
  const auto& names = re.NamedCapturingGroups();
  auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t i = 0; i < tmpl.size();) {
    char c = tmpl[i];
    if (c != '$') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '$') {
      out.push_back('$');
      i += 2;
      continue;
    }
    std::string_view name;
    size_t next;
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      size_t close = tmpl.find('}', i + 2);
      bool ok = close != std::string_view::npos && close > i + 2;
      if (ok) {
        for (size_t k = i + 2; k < close; ++k) ok &= is_name_char(tmpl[k]);
      }
      if (!ok) {
        out.push_back('$');
        ++i;
        continue;
      }
      name = tmpl.substr(i + 2, close - i - 2);
      next = close + 1;
    } else {
      size_t k = i + 1;
      while (k < tmpl.size() && is_name_char(tmpl[k])) ++k;
      if (k == i + 1) {
        out.push_back('$');
        ++i;
        continue;
      }
      name = tmpl.substr(i + 1, k - i - 1);
      next = k;
    }
    long long idx = -1;
    if (ParseInt(name, &idx)) {
      if (idx >= 0 && static_cast<size_t>(idx) < groups.size() && groups[idx].data() != nullptr) {
        out.append(groups[idx].data(), groups[idx].size());
      }
    } else {
      auto it = names.find(std::string(name));
      if (it != names.end() && static_cast<size_t>(it->second) < groups.size() && groups[it->second].data() != nullptr) {
        out.append(groups[it->second].data(), groups[it->second].size());
      }
    }
    i = next;
  }
  return out;
}

void DropNames(std::vector<StepSeries>* vec) {
  for (StepSeries& s : *vec) {
    if (s.labels.Has(kMetricName)) s.labels = WithoutName(s.labels);
  }
}

}  // namespace

absl::StatusOr<Value> Evaluator::EvalCall(const Call& e) {
  FunctionId id = e.func->id;
  for (size_t a = 0; a < e.args.size(); ++a) {
    if (TypeOf(*e.args[a]) == ValueType::kMatrix) return EvalRangeFunction(e, a);
  }
  Value out;
  out.type = e.func->return_type;
  switch (id) {
    case FunctionId::kTime:
    case FunctionId::kPi:
      out.scalar.resize(n_);
      for (size_t i = 0; i < n_; ++i) out.scalar[i] = id == FunctionId::kPi ? kPi : static_cast<double>(TimeAt(i)) / 1000;
      return out;
    case FunctionId::kVector: {
      auto v = Eval(*e.args[0]);
      if (!v.ok()) return v.status();
      StepSeries s = NewSeries({});
      for (size_t i = 0; i < n_; ++i) s.Set(i, v->scalar[i]);
      if (n_ > 0) out.vec.push_back(std::move(s));
      return out;
    }
    case FunctionId::kScalar: {
      auto v = Eval(*e.args[0]);
      if (!v.ok()) return v.status();
      out.scalar.assign(n_, NAN);
      for (size_t i = 0; i < n_; ++i) {
        int count = 0;
        double x = NAN;
        for (const StepSeries& s : v->vec) {
          if (s.Has(i)) {
            ++count;
            x = s.v[i];
          }
        }
        if (count == 1) out.scalar[i] = x;
      }
      return out;
    }
    case FunctionId::kTimestamp: {
      const Expr* arg = Unparen(e.args[0].get());
      absl::StatusOr<Value> v = arg->kind == ExprKind::kVectorSelector
                                    ? EvalVectorSelector(static_cast<const VectorSelector&>(*arg), true)
                                    : Eval(*arg);
      if (!v.ok()) return v.status();
      if (arg->kind != ExprKind::kVectorSelector) {
        for (StepSeries& s : v->vec) {
          for (size_t i = 0; i < n_; ++i) s.v[i] = static_cast<double>(TimeAt(i)) / 1000;
        }
      }
      out.vec = std::move(v->vec);
      DropNames(&out.vec);
      if (absl::Status st = MergeSameLabels(&out.vec); !st.ok()) return st;
      return out;
    }
    case FunctionId::kAbsent: {
      auto v = Eval(*e.args[0]);
      if (!v.ok()) return v.status();
      const Expr* arg = e.args[0].get();
      StepSeries s = NewSeries(AbsentLabels(arg->kind == ExprKind::kVectorSelector
                                                ? static_cast<const VectorSelector*>(arg)
                                                : nullptr));
      bool any = false;
      for (size_t i = 0; i < n_; ++i) {
        bool present = false;
        for (const StepSeries& x : v->vec) present |= x.Has(i);
        if (!present) {
          s.Set(i, 1);
          any = true;
        }
      }
      if (any) out.vec.push_back(std::move(s));
      return out;
    }
    case FunctionId::kHistogramQuantile:
      return EvalHistogramQuantile(e);
    default:
      break;
  }

  // Date functions without argument work on vector(time()).
  if (IsDateFunction(id) && e.args.empty()) {
    StepSeries s = NewSeries({});
    for (size_t i = 0; i < n_; ++i) s.Set(i, DatePart(id, static_cast<double>(TimeAt(i)) / 1000));
    out.vec.push_back(std::move(s));
    return out;
  }

  // Everything else takes an instant vector first and maps it series by
  // series; scalar and string parameters follow.
  auto in = Eval(*e.args[0]);
  if (!in.ok()) return in.status();
  std::vector<Value> params;
  for (size_t a = 1; a < e.args.size(); ++a) {
    auto p = Eval(*e.args[a]);
    if (!p.ok()) return p.status();
    params.push_back(*std::move(p));
  }
  std::vector<StepSeries>& vec = in->vec;
  double (*fn)(double) = nullptr;
  if (IsMathFunction(id, &fn)) {
    for (StepSeries& s : vec) {
      for (size_t i = 0; i < n_; ++i) {
        if (s.Has(i)) s.v[i] = fn(s.v[i]);
      }
    }
    DropNames(&vec);
  } else if (IsDateFunction(id)) {
    for (StepSeries& s : vec) {
      for (size_t i = 0; i < n_; ++i) {
        if (s.Has(i)) s.v[i] = DatePart(id, s.v[i]);
      }
    }
    DropNames(&vec);
  } else {
    switch (id) {
      case FunctionId::kClamp:
      case FunctionId::kClampMin:
      case FunctionId::kClampMax:
      case FunctionId::kRound: {
        for (StepSeries& s : vec) {
          for (size_t i = 0; i < n_; ++i) {
            if (!s.Has(i)) continue;
            double v = s.v[i];
            if (id == FunctionId::kClamp) {
              double lo = params[0].scalar[i], hi = params[1].scalar[i];
              if (hi < lo) {
                s.has[i] = 0;
                continue;
              }
              s.v[i] = GoMax(lo, GoMin(hi, v));
            } else if (id == FunctionId::kClampMin) {
              s.v[i] = GoMax(params[0].scalar[i], v);
            } else if (id == FunctionId::kClampMax) {
              s.v[i] = GoMin(params[0].scalar[i], v);
            } else {
              double to = params.empty() ? 1 : params[0].scalar[i];
              double inv = 1.0 / to;
              s.v[i] = std::floor(v * inv + 0.5) / inv;
            }
          }
        }
        DropNames(&vec);
        std::erase_if(vec, [](const StepSeries& s) { return std::find(s.has.begin(), s.has.end(), 1) == s.has.end(); });
        break;
      }
      case FunctionId::kSort:
      case FunctionId::kSortDesc:
        if (n_ == 1) {
          bool desc = id == FunctionId::kSortDesc;
          std::stable_sort(vec.begin(), vec.end(), [&](const StepSeries& a, const StepSeries& b) {
            double x = a.v[0], y = b.v[0];
            if (std::isnan(y) && !std::isnan(x)) return true;
            if (std::isnan(x)) return false;
            return desc ? x > y : x < y;
          });
        }
        break;
      case FunctionId::kSortByLabel:
      case FunctionId::kSortByLabelDesc:
        if (n_ == 1) {
          bool desc = id == FunctionId::kSortByLabelDesc;
          std::vector<std::string> names;
          for (const Value& p : params) names.push_back(p.str);
          // By value first (NaN last), so that equal label values keep that order.
          std::stable_sort(vec.begin(), vec.end(), [&](const StepSeries& a, const StepSeries& b) {
            double x = a.v[0], y = b.v[0];
            if (std::isnan(y) && !std::isnan(x)) return true;
            if (std::isnan(x)) return false;
            return desc ? x > y : x < y;
          });
          std::stable_sort(vec.begin(), vec.end(), [&](const StepSeries& a, const StepSeries& b) {
            for (const auto& n : names) {
              std::string_view x = a.labels.Get(n), y = b.labels.Get(n);
              if (x == y) continue;
              return desc ? NaturalLess(y, x) : NaturalLess(x, y);
            }
            return false;
          });
        }
        break;
      case FunctionId::kLabelReplace: {
        const std::string& dst = params[0].str;
        const std::string& repl = params[1].str;
        const std::string& src = params[2].str;
        const std::string& regex = params[3].str;
        re2::RE2 re("^(?:" + regex + ")$", re2::RE2::Quiet);
        if (!re.ok()) {
          return absl::FailedPreconditionError(
              absl::StrCat("invalid regular expression in label_replace(): ", regex));
        }
        if (!IsValidLabelName(dst)) {
          return absl::FailedPreconditionError(
              absl::StrCat("invalid destination label name in label_replace(): ", dst));
        }
        std::vector<re2::StringPiece> groups(re.NumberOfCapturingGroups() + 1);
        for (StepSeries& s : vec) {
          std::string_view sv = s.labels.Get(src);
          re2::StringPiece input(sv.data(), sv.size());
          if (!re.Match(input, 0, input.size(), re2::RE2::UNANCHORED, groups.data(),
                        static_cast<int>(groups.size()))) {
            continue;
          }
          std::string res = Expand(repl, re, groups);
          s.labels = LabelsBuilder(s.labels).Set(dst, res).Build();
        }
        break;
      }
      case FunctionId::kLabelJoin: {
        const std::string& dst = params[0].str;
        const std::string& sep = params[1].str;
        std::vector<std::string> srcs;
        for (size_t p = 2; p < params.size(); ++p) {
          if (!IsValidLabelName(params[p].str)) {
            return absl::FailedPreconditionError(
                absl::StrCat("invalid source label name in label_join(): ", params[p].str));
          }
          srcs.push_back(params[p].str);
        }
        if (!IsValidLabelName(dst)) {
          return absl::FailedPreconditionError(absl::StrCat("invalid destination label name in label_join(): ", dst));
        }
        for (StepSeries& s : vec) {
          std::string joined;
          for (size_t k = 0; k < srcs.size(); ++k) {
            if (k > 0) joined += sep;
            joined += s.labels.Get(srcs[k]);
          }
          s.labels = LabelsBuilder(s.labels).Set(dst, joined).Build();
        }
        break;
      }
      default:
        return absl::UnimplementedError(absl::StrCat("function ", std::string(e.func->name), " is not implemented"));
    }
  }
  if (absl::Status st = MergeSameLabels(&vec); !st.ok()) return st;
  out.vec = std::move(vec);
  return out;
}

}  // namespace pharos::promql::internal
