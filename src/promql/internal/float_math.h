// Float helpers with Go's semantics where PromQL's results depend on them
// (math.Max/Min propagate NaN, Kahan-Neumaier summation, quantiles).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace pharos::promql::internal {

inline double GoMax(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == 0 && a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

inline double GoMin(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == 0 && a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

// Neumaier's variant of Kahan summation: adds inc to (sum, c).
inline void KahanSumInc(double inc, double* sum, double* c) {
  double t = *sum + inc;
  if (std::isinf(t)) {
    *c = 0;
  } else if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

// NaN sorts first, as Prometheus' vectorByValueHeap does.
inline bool NanFirstLess(double a, double b) {
  if (std::isnan(a) && !std::isnan(b)) return true;
  return a < b;
}

// Prometheus' quantile over values with linear interpolation between the
// closest ranks. Sorts `values`.
inline double Quantile(double q, std::vector<double>& values) {
  if (values.empty() || std::isnan(q)) return NAN;
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  std::sort(values.begin(), values.end(), NanFirstLess);
  double n = static_cast<double>(values.size());
  double rank = q * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) + values[static_cast<size_t>(upper)] * weight;
}

// Go's strconv.ParseFloat for label values such as le="0.5" or "+Inf":
// the whole string must be a number.
bool ParseGoFloat(std::string_view s, double* out);

}  // namespace pharos::promql::internal
