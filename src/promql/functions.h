// The PromQL function table: names, argument types and result types of the
// float functions of Prometheus 2.53 (the experimental ones included). The
// parser checks calls against it; the engine dispatches on FunctionId.
#pragma once

#include <string_view>
#include <vector>

#include "promql/ast.h"

namespace pharos::promql {

enum class FunctionId {
  kAbs, kAbsent, kAbsentOverTime, kAcos, kAcosh, kAsin, kAsinh, kAtan, kAtanh, kAvgOverTime,
  kCeil, kChanges, kClamp, kClampMax, kClampMin, kCos, kCosh, kCountOverTime, kDaysInMonth,
  kDayOfMonth, kDayOfWeek, kDayOfYear, kDeg, kDelta, kDeriv, kExp, kFloor, kHistogramQuantile,
  kHoltWinters, kHour, kIdelta, kIncrease, kIrate, kLabelReplace, kLabelJoin, kLastOverTime,
  kLn, kLog10, kLog2, kMadOverTime, kMaxOverTime, kMinOverTime, kMinute, kMonth, kPi,
  kPredictLinear, kPresentOverTime, kQuantileOverTime, kRad, kRate, kResets, kRound, kScalar,
  kSgn, kSin, kSinh, kSort, kSortDesc, kSortByLabel, kSortByLabelDesc, kSqrt, kStddevOverTime,
  kStdvarOverTime, kSumOverTime, kTan, kTanh, kTime, kTimestamp, kVector, kYear,
};

struct FunctionInfo {
  std::string_view name;
  FunctionId id;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types; n > 0: the last argument type may be given up to n
  // times (and may be left out); -1: any number of times.
  int variadic;
  ValueType return_type;
};

// nullptr when there is no such function.
const FunctionInfo* LookupFunction(std::string_view name);

}  // namespace pharos::promql
