// histogram_quantile over classic buckets (series with an "le" label).
#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "promql/internal/evaluator.h"
#include "absl/strings/str_cat.h"
#include "common/go_quote.h"
#include "promql/internal/float_math.h"
#include "promql/internal/functions_internal.h"

namespace pharos::promql::internal {
namespace {

struct Bucket {
  double upper;
  double count;
};

bool AlmostEqual(double a, double b, double epsilon) {
  constexpr double kMinNormal = 2.2250738585072014e-308;
  if (a == b) return true;
  double abs_sum = std::fabs(a) + std::fabs(b);
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < epsilon * kMinNormal;
  return diff / std::min(abs_sum, 1.7976931348623157e308) < epsilon;
}

double BucketQuantile(double q, std::vector<Bucket>& b) {
  if (std::isnan(q)) return NAN;
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  std::sort(b.begin(), b.end(), [](const Bucket& x, const Bucket& y) { return x.upper < y.upper; });
  if (!(std::isinf(b.back().upper) && b.back().upper > 0)) return NAN;
  // Coalesce buckets with the same upper bound.
  size_t w = 0;
  for (size_t r = 1; r < b.size(); ++r) {
    if (b[r].upper == b[w].upper) {
      b[w].count += b[r].count;
    } else {
      b[++w] = b[r];
    }
  }
  b.resize(w + 1);
  // Force monotonicity; ignore tiny differences from float rounding.
  double prev = b[0].count;
  for (size_t i = 1; i < b.size(); ++i) {
    double cur = b[i].count;
    if (cur == prev) continue;
    if (AlmostEqual(prev, cur, 1e-12) || cur < prev) {
      b[i].count = prev;
      continue;
    }
    prev = cur;
  }
  if (b.size() < 2) return NAN;
  double observations = b.back().count;
  if (observations == 0) return NAN;
  double rank = q * observations;
  size_t idx = 0;
  while (idx < b.size() - 1 && !(b[idx].count >= rank)) ++idx;
  if (idx == b.size() - 1) return b[b.size() - 2].upper;
  if (idx == 0 && b[0].upper <= 0) return b[0].upper;
  double start = 0, end = b[idx].upper, count = b[idx].count;
  if (idx > 0) {
    start = b[idx - 1].upper;
    count -= b[idx - 1].count;
    rank -= b[idx - 1].count;
  }
  return start + (end - start) * (rank / count);
}

}  // namespace

absl::StatusOr<Value> Evaluator::EvalHistogramQuantile(const Call& e) {
  auto q = Eval(*e.args[0]);
  if (!q.ok()) return q.status();
  auto in = Eval(*e.args[1]);
  if (!in.ok()) return in.status();
  std::vector<StepSeries>& vec = in->vec;
  // Group series by their labels without "le"; the result drops the name too.
  std::vector<int> group_of(vec.size(), -1);
  std::vector<double> upper(vec.size());
  std::vector<StepSeries> groups;
  absl::flat_hash_map<uint64_t, std::vector<size_t>> by_hash;
  std::vector<Labels> keys;
  for (size_t k = 0; k < vec.size(); ++k) {
    if (!ParseGoFloat(vec[k].labels.Get("le"), &upper[k])) {
      qs_->Annotate(false,
                    absl::StrCat("PromQL warning: bucket label \"le\" is missing or has a malformed value of ",
                                 GoQuote(vec[k].labels.Get("le")), " for metric name ",
                                 GoQuote(vec[k].labels.MetricName())),
                    e.args[1]->pos.start);
      continue;
    }
    Labels key = LabelsBuilder(vec[k].labels).Del("le").Build();
    auto& cands = by_hash[key.Hash()];
    int g = -1;
    for (size_t c : cands) {
      if (keys[c] == key) g = static_cast<int>(c);
    }
    if (g < 0) {
      g = static_cast<int>(groups.size());
      cands.push_back(groups.size());
      groups.push_back(NewSeries(WithoutName(key)));
      keys.push_back(std::move(key));
    }
    group_of[k] = g;
  }
  std::vector<std::vector<Bucket>> buckets(groups.size());
  for (size_t i = 0; i < n_; ++i) {
    if (!(q->scalar[i] >= 0 && q->scalar[i] <= 1)) {
      qs_->Annotate(false, InvalidQuantileWarning(q->scalar[i]), e.args[0]->pos.start);
    }
    if (absl::Status st = Poll(); !st.ok()) return st;
    for (auto& b : buckets) b.clear();
    for (size_t k = 0; k < vec.size(); ++k) {
      if (group_of[k] >= 0 && vec[k].Has(i)) buckets[group_of[k]].push_back({upper[k], vec[k].v[i]});
    }
    for (size_t g = 0; g < groups.size(); ++g) {
      if (!buckets[g].empty()) groups[g].Set(i, BucketQuantile(q->scalar[i], buckets[g]));
    }
  }
  Value out;
  out.type = ValueType::kVector;
  for (StepSeries& s : groups) {
    if (std::find(s.has.begin(), s.has.end(), 1) != s.has.end()) out.vec.push_back(std::move(s));
  }
  if (absl::Status st = MergeSameLabels(&out.vec); !st.ok()) return st;
  return out;
}

}  // namespace pharos::promql::internal
