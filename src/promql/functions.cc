#include "promql/functions.h"

#include <algorithm>
#include <array>

namespace pharos::promql {
namespace {

constexpr ValueType S = ValueType::kScalar;
constexpr ValueType V = ValueType::kVector;
constexpr ValueType M = ValueType::kMatrix;
constexpr ValueType Str = ValueType::kString;

const std::vector<FunctionInfo>& Table() {
  static const auto* table = [] {
    auto* t = new std::vector<FunctionInfo>{
        {"abs", FunctionId::kAbs, {V}, 0, V},
        {"absent", FunctionId::kAbsent, {V}, 0, V},
        {"absent_over_time", FunctionId::kAbsentOverTime, {M}, 0, V},
        {"acos", FunctionId::kAcos, {V}, 0, V},
        {"acosh", FunctionId::kAcosh, {V}, 0, V},
        {"asin", FunctionId::kAsin, {V}, 0, V},
        {"asinh", FunctionId::kAsinh, {V}, 0, V},
        {"atan", FunctionId::kAtan, {V}, 0, V},
        {"atanh", FunctionId::kAtanh, {V}, 0, V},
        {"avg_over_time", FunctionId::kAvgOverTime, {M}, 0, V},
        {"ceil", FunctionId::kCeil, {V}, 0, V},
        {"changes", FunctionId::kChanges, {M}, 0, V},
        {"clamp", FunctionId::kClamp, {V, S, S}, 0, V},
        {"clamp_max", FunctionId::kClampMax, {V, S}, 0, V},
        {"clamp_min", FunctionId::kClampMin, {V, S}, 0, V},
        {"cos", FunctionId::kCos, {V}, 0, V},
        {"cosh", FunctionId::kCosh, {V}, 0, V},
        {"count_over_time", FunctionId::kCountOverTime, {M}, 0, V},
        {"days_in_month", FunctionId::kDaysInMonth, {V}, 1, V},
        {"day_of_month", FunctionId::kDayOfMonth, {V}, 1, V},
        {"day_of_week", FunctionId::kDayOfWeek, {V}, 1, V},
        {"day_of_year", FunctionId::kDayOfYear, {V}, 1, V},
        {"deg", FunctionId::kDeg, {V}, 0, V},
        {"delta", FunctionId::kDelta, {M}, 0, V},
        {"deriv", FunctionId::kDeriv, {M}, 0, V},
        {"exp", FunctionId::kExp, {V}, 0, V},
        {"floor", FunctionId::kFloor, {V}, 0, V},
        {"histogram_quantile", FunctionId::kHistogramQuantile, {S, V}, 0, V},
        {"holt_winters", FunctionId::kHoltWinters, {M, S, S}, 0, V},
        {"hour", FunctionId::kHour, {V}, 1, V},
        {"idelta", FunctionId::kIdelta, {M}, 0, V},
        {"increase", FunctionId::kIncrease, {M}, 0, V},
        {"irate", FunctionId::kIrate, {M}, 0, V},
        {"label_replace", FunctionId::kLabelReplace, {V, Str, Str, Str, Str}, 0, V},
        {"label_join", FunctionId::kLabelJoin, {V, Str, Str, Str}, -1, V},
        {"last_over_time", FunctionId::kLastOverTime, {M}, 0, V},
        {"ln", FunctionId::kLn, {V}, 0, V},
        {"log10", FunctionId::kLog10, {V}, 0, V},
        {"log2", FunctionId::kLog2, {V}, 0, V},
        {"mad_over_time", FunctionId::kMadOverTime, {M}, 0, V},
        {"max_over_time", FunctionId::kMaxOverTime, {M}, 0, V},
        {"min_over_time", FunctionId::kMinOverTime, {M}, 0, V},
        {"minute", FunctionId::kMinute, {V}, 1, V},
        {"month", FunctionId::kMonth, {V}, 1, V},
        {"pi", FunctionId::kPi, {}, 0, S},
        {"predict_linear", FunctionId::kPredictLinear, {M, S}, 0, V},
        {"present_over_time", FunctionId::kPresentOverTime, {M}, 0, V},
        {"quantile_over_time", FunctionId::kQuantileOverTime, {S, M}, 0, V},
        {"rad", FunctionId::kRad, {V}, 0, V},
        {"rate", FunctionId::kRate, {M}, 0, V},
        {"resets", FunctionId::kResets, {M}, 0, V},
        {"round", FunctionId::kRound, {V, S}, 1, V},
        {"scalar", FunctionId::kScalar, {V}, 0, S},
        {"sgn", FunctionId::kSgn, {V}, 0, V},
        {"sin", FunctionId::kSin, {V}, 0, V},
        {"sinh", FunctionId::kSinh, {V}, 0, V},
        {"sort", FunctionId::kSort, {V}, 0, V},
        {"sort_desc", FunctionId::kSortDesc, {V}, 0, V},
        {"sort_by_label", FunctionId::kSortByLabel, {V, Str}, -1, V},
        {"sort_by_label_desc", FunctionId::kSortByLabelDesc, {V, Str}, -1, V},
        {"sqrt", FunctionId::kSqrt, {V}, 0, V},
        {"stddev_over_time", FunctionId::kStddevOverTime, {M}, 0, V},
        {"stdvar_over_time", FunctionId::kStdvarOverTime, {M}, 0, V},
        {"sum_over_time", FunctionId::kSumOverTime, {M}, 0, V},
        {"tan", FunctionId::kTan, {V}, 0, V},
        {"tanh", FunctionId::kTanh, {V}, 0, V},
        {"time", FunctionId::kTime, {}, 0, S},
        {"timestamp", FunctionId::kTimestamp, {V}, 0, V},
        {"vector", FunctionId::kVector, {S}, 0, V},
        {"year", FunctionId::kYear, {V}, 1, V},
    };
    std::sort(t->begin(), t->end(), [](const FunctionInfo& a, const FunctionInfo& b) { return a.name < b.name; });
    return t;
  }();
  return *table;
}

}  // namespace

const FunctionInfo* LookupFunction(std::string_view name) {
  const auto& t = Table();
  auto it = std::lower_bound(t.begin(), t.end(), name,
                             [](const FunctionInfo& f, std::string_view n) { return f.name < n; });
  if (it == t.end() || it->name != name) return nullptr;
  return &*it;
}

}  // namespace pharos::promql
