// /api/v1/metadata as Prometheus 2.53 answers it: the metadata of the metric
// families the active targets expose, merged across targets, as an object
// {"<metric>": [{"type": …, "help": …, "unit": …}, …]}.
//
// Parameters: metric (only that family), limit (at most that many families;
// negative: all), limit_per_metric (at most that many distinct metadata per
// family). Go marshals the map with sorted keys; the entries of one family,
// which Prometheus lists in map order, are sorted here so answers are stable.
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "api/internal/routes.h"
#include "common/strings.h"

namespace pharos::api::internal {
namespace {

// Go's strconv.Atoi on an optional parameter: `dflt` when absent.
bool ParseIntParam(const http::Request& req, std::string_view name, int64_t dflt, int64_t* out) {
  std::string_view s = req.Param(name);
  if (s.empty()) {
    *out = dflt;
    return true;
  }
  return absl::SimpleAtoi(AV(s), out);
}

using Entry = std::tuple<std::string, std::string, std::string>;  // type, help, unit

ApiResult Metadata(const Api& api, const http::Request& req, JsonWriter& w) {
  int64_t limit = -1;
  if (!ParseIntParam(req, "limit", -1, &limit)) return ApiResult::BadData("limit must be a number");
  int64_t per_metric = -1;
  if (!ParseIntParam(req, "limit_per_metric", -1, &per_metric)) {
    return ApiResult::BadData("limit_per_metric must be a number");
  }
  std::string_view metric = req.Param("metric");
  std::map<std::string, std::set<Entry>> families;
  for (auto& md : api.deps().metadata->TargetsMetadata()) {
    if (!metric.empty() && md.metric != metric) continue;
    auto& set = families[md.metric];
    if (per_metric > 0 && static_cast<int64_t>(set.size()) >= per_metric) continue;
    set.emplace(std::move(md.type), std::move(md.help), std::move(md.unit));
  }
  w.BeginObject();
  int64_t n = 0;
  for (const auto& [name, set] : families) {
    if (limit >= 0 && n >= limit) break;
    ++n;
    w.Key(name).BeginArray();
    for (const auto& [type, help, unit] : set) {
      w.BeginObject();
      w.Key("type").String(type);
      w.Key("help").String(help);
      w.Key("unit").String(unit);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return ApiResult::Ok();
}

}  // namespace

void RegisterMetadataRoute(const Api& api, http::Router& router) {
  if (api.deps().metadata == nullptr) return;
  auto fn = api.Wrap([&api](const http::Request& req, JsonWriter& w) { return Metadata(api, req, w); });
  router.Get("/api/v1/metadata", fn);  // GET only, as in Prometheus
}

}  // namespace pharos::api::internal
