// /api/v1/series, /api/v1/labels and /api/v1/label/:name/values, as
// Prometheus 2.53 answers them (parameters match[], start, end, limit).
#include <algorithm>

#include "api/go_format.h"
#include "api/internal/routes.h"
#include "api/params.h"
#include "common/label_names.h"
#include "common/strings.h"

namespace pharos::api::internal {
namespace {

constexpr std::string_view kTruncated = "results truncated due to limit";

struct CommonParams {
  size_t limit = 0;
  int64_t start = kMinTimeMs;
  int64_t end = kMaxTimeMs;
  std::vector<Matchers> sets;
};

// Parses limit, start, end and match[] in Prometheus' order. `match_param`
// selects the series endpoint's wording for bad selectors.
std::optional<ApiError> ParseCommon(const http::Request& req, bool series_wording, CommonParams* p) {
  auto limit = ParseLimitParam(req);
  if (!limit.ok()) return ApiError{ErrorType::kBadData, std::string(SV(limit.status().message()))};
  p->limit = *limit;
  auto start = ParseTimeParam(req, "start", kMinTimeMs);
  if (!start.ok()) return ApiError{ErrorType::kBadData, std::string(SV(start.status().message()))};
  p->start = *start;
  auto end = ParseTimeParam(req, "end", kMaxTimeMs);
  if (!end.ok()) return ApiError{ErrorType::kBadData, std::string(SV(end.status().message()))};
  p->end = *end;
  auto sets = ParseMatchersParam(req.Params("match[]"));
  if (!sets.ok()) {
    std::string msg(SV(sets.status().message()));
    return ApiError{ErrorType::kBadData, series_wording ? InvalidParam("match[]", msg) : msg};
  }
  p->sets = *std::move(sets);
  return std::nullopt;
}

ApiResult StorageError(const absl::Status& s) {
  return ApiResult::Error(ErrorTypeFor(s, ErrorType::kExecution), std::string(SV(s.message())));
}

// Writes a JSON array of strings, truncated to `limit` (0: none).
void WriteStrings(JsonWriter& w, const std::vector<std::string>& v, size_t limit, ApiResult* r) {
  size_t n = v.size();
  if (limit > 0 && n > limit) {
    n = limit;
    r->warnings.emplace_back(kTruncated);
  }
  w.BeginArray();
  for (size_t i = 0; i < n; ++i) w.String(v[i]);
  w.EndArray();
}

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

ApiResult Series(const Api& api, const http::Request& req, JsonWriter& w) {
  if (req.Params("match[]").empty()) return ApiResult::BadData("no match[] parameter provided");
  CommonParams p;
  if (auto err = ParseCommon(req, true, &p)) return ApiResult{err, {}, {}};
  auto q = api.deps().queryable->NewQuerier(p.start, p.end);
  if (!q.ok()) return StorageError(q.status());
  storage::SelectHints hints;
  hints.start_ms = p.start;
  hints.end_ms = p.end;
  hints.func = "series";
  ApiResult r;
  std::vector<Labels> series;
  for (const auto& set : p.sets) {
    auto ss = (*q)->Select(true, &hints, set);
    while (ss->Next()) {
      if (req.ClientGone()) return ApiResult::Error(ErrorType::kCanceled, "context canceled");
      series.push_back(ss->At().labels());
    }
    if (!ss->Err().ok()) return StorageError(ss->Err());
    for (auto& warn : ss->Warnings()) r.warnings.push_back(std::move(warn));
  }
  if (p.sets.size() > 1) {
    std::sort(series.begin(), series.end());
    series.erase(std::unique(series.begin(), series.end()), series.end());
  }
  size_t n = series.size();
  if (p.limit > 0 && n > p.limit) {
    n = p.limit;
    r.warnings.emplace_back(kTruncated);
  }
  w.BeginArray();
  for (size_t i = 0; i < n; ++i) WriteLabelsJson(w, series[i]);
  w.EndArray();
  return r;
}

// Runs `fetch` once per matcher set (once without matchers when there are
// none) and merges the answers, sorted and unique.
template <typename F>
absl::StatusOr<std::vector<std::string>> Collect(const std::vector<Matchers>& sets, F fetch) {
  static const Matchers kNoMatchers;
  std::vector<std::string> out;
  for (size_t i = 0; i < std::max<size_t>(sets.size(), 1); ++i) {
    auto some = fetch(sets.empty() ? kNoMatchers : sets[i]);
    if (!some.ok()) return some.status();
    if (out.empty()) {
      out = *std::move(some);
    } else {
      out.insert(out.end(), some->begin(), some->end());
    }
  }
  SortUnique(&out);
  return out;
}

// The label names (name empty) or the values of label `name`.
ApiResult LabelStrings(const Api& api, const http::Request& req, JsonWriter& w, std::string_view name) {
  CommonParams p;
  if (auto err = ParseCommon(req, false, &p)) return ApiResult{err, {}, {}};
  auto q = api.deps().queryable->NewQuerier(p.start, p.end);
  if (!q.ok()) return StorageError(q.status());
  storage::Querier* querier = q->get();
  auto strings = Collect(p.sets, [&](const Matchers& ms) {
    return name.empty() ? querier->LabelNames(ms) : querier->LabelValues(name, ms);
  });
  if (!strings.ok()) return StorageError(strings.status());
  ApiResult r;
  WriteStrings(w, *strings, p.limit, &r);
  return r;
}

ApiResult LabelNames(const Api& api, const http::Request& req, JsonWriter& w) {
  return LabelStrings(api, req, w, "");
}

ApiResult LabelValues(const Api& api, const http::Request& req, JsonWriter& w) {
  std::string_view name = req.PathParam("name");
  if (!IsValidLabelName(name)) return ApiResult::BadData("invalid label name: " + GoQuote(name));
  return LabelStrings(api, req, w, name);
}

}  // namespace

void RegisterSeriesRoutes(const Api& api, http::Router& router) {
  if (api.deps().queryable == nullptr) return;
  auto bind = [&api](auto fn) {
    return api.Wrap([&api, fn](const http::Request& req, JsonWriter& w) { return fn(api, req, w); });
  };
  router.Get("/api/v1/series", bind(Series));
  router.Post("/api/v1/series", bind(Series));
  router.Get("/api/v1/labels", bind(LabelNames));
  router.Post("/api/v1/labels", bind(LabelNames));
  router.Get("/api/v1/label/:name/values", bind(LabelValues));
}

}  // namespace pharos::api::internal
