// /api/v1/targets: active and dropped targets (state= and scrapePool=
// filters), in Prometheus 2.53's shape.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "api/go_format.h"
#include "api/internal/routes.h"
#include "common/strings.h"

namespace pharos::api::internal {
namespace {

std::string_view HealthName(TargetHealth h) {
  switch (h) {
    case TargetHealth::kUp: return "up";
    case TargetHealth::kDown: return "down";
    case TargetHealth::kUnknown: return "unknown";
  }
  return "unknown";
}

ApiResult Targets(const Api& api, const http::Request& req, JsonWriter& w) {
  std::string state = absl::AsciiStrToLower(AV(req.Param("state")));
  std::string_view pool = req.Param("scrapePool");
  bool show_active = state.empty() || state == "any" || state == "active";
  bool show_dropped = state.empty() || state == "any" || state == "dropped";
  TargetsProvider* provider = api.deps().targets;

  w.BeginObject();
  w.Key("activeTargets").BeginArray();
  if (show_active) {
    auto active = provider->ActiveTargets();
    std::stable_sort(active.begin(), active.end(),
                     [](const ActiveTarget& a, const ActiveTarget& b) { return a.scrape_pool < b.scrape_pool; });
    std::string num;
    for (const auto& t : active) {
      if (!pool.empty() && t.scrape_pool != pool) continue;
      w.BeginObject();
      w.Key("discoveredLabels");
      WriteLabelsJson(w, t.discovered_labels);
      w.Key("labels");
      WriteLabelsJson(w, t.labels);
      w.Key("scrapePool").String(t.scrape_pool);
      w.Key("scrapeUrl").String(t.scrape_url);
      w.Key("globalUrl").String(GlobalUrl(t.scrape_url, api.options().global_url));
      w.Key("lastError").String(t.last_error);
      w.Key("lastScrape").String(FormatGoTime(t.last_scrape));
      num.clear();
      AppendGoJsonFloat(&num, absl::ToDoubleSeconds(t.last_scrape_duration));
      w.Key("lastScrapeDuration").Raw(num);
      w.Key("health").String(HealthName(t.health));
      w.Key("scrapeInterval").String(t.scrape_interval);
      w.Key("scrapeTimeout").String(t.scrape_timeout);
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("droppedTargets").BeginArray();
  if (show_dropped) {
    auto dropped = provider->DroppedTargets();
    std::stable_sort(dropped.begin(), dropped.end(),
                     [](const DroppedTarget& a, const DroppedTarget& b) { return a.scrape_pool < b.scrape_pool; });
    for (const auto& t : dropped) {
      if (!pool.empty() && t.scrape_pool != pool) continue;
      w.BeginObject();
      w.Key("discoveredLabels");
      WriteLabelsJson(w, t.discovered_labels);
      w.EndObject();
    }
  }
  w.EndArray();
  // A nil map in Go when dropped targets are not shown.
  w.Key("droppedTargetCounts");
  if (show_dropped) {
    w.BeginObject();
    for (const auto& [p, n] : provider->DroppedTargetCounts()) {
      if (!pool.empty() && p != pool) continue;
      w.Key(p).Int(n);
    }
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
  return ApiResult::Ok();
}

// Splits "host:port" / "[v6]:port" / "host" (Prometheus' sanitizeSplitHostPort).
bool SplitHostPort(std::string_view in, std::string* host, std::string* port) {
  if (!in.empty() && in.front() == '[') {
    size_t close = in.find(']');
    if (close == std::string_view::npos) return false;
    *host = std::string(in.substr(1, close - 1));
    std::string_view rest = in.substr(close + 1);
    if (rest.empty()) {
      port->clear();
      return true;
    }
    if (rest.front() != ':') return false;
    *port = std::string(rest.substr(1));
    return true;
  }
  size_t colon = in.rfind(':');
  if (colon == std::string_view::npos) {
    *host = std::string(in);
    port->clear();
    return true;
  }
  if (in.substr(0, colon).find(':') != std::string_view::npos) return false;
  *host = std::string(in.substr(0, colon));
  *port = std::string(in.substr(colon + 1));
  return true;
}

}  // namespace

std::string GlobalUrl(const std::string& scrape_url, const GlobalUrlOptions& opts) {
  if (opts.host.empty()) return scrape_url;
  size_t scheme_end = scrape_url.find("://");
  if (scheme_end == std::string::npos) return scrape_url;
  size_t auth_start = scheme_end + 3;
  size_t auth_end = scrape_url.find_first_of("/?#", auth_start);
  if (auth_end == std::string::npos) auth_end = scrape_url.size();
  std::string_view authority(scrape_url.data() + auth_start, auth_end - auth_start);
  std::string userinfo;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    userinfo = std::string(authority.substr(0, at + 1));
    authority.remove_prefix(at + 1);
  }
  std::string host, port;
  if (!SplitHostPort(authority, &host, &port)) return scrape_url;
  if (host != "127.0.0.1" && host != "localhost" && host != "::1") return scrape_url;
  std::string own_host, own_port;
  if (!SplitHostPort(opts.listen_address, &own_host, &own_port)) return scrape_url;
  std::string scheme = scrape_url.substr(0, scheme_end);
  std::string new_authority;
  if (port == own_port) {
    // Our own process: the external scheme, host and port.
    scheme = opts.scheme;
    new_authority = opts.host;
  } else {
    std::string ext_host, ext_port;
    if (!SplitHostPort(opts.host, &ext_host, &ext_port)) return scrape_url;
    new_authority = ext_host.find(':') != std::string::npos ? "[" + ext_host + "]" : ext_host;
    if (!port.empty()) new_authority += ":" + port;
  }
  return scheme + "://" + userinfo + new_authority + scrape_url.substr(auth_end);
}

void RegisterTargetsRoutes(const Api& api, http::Router& router) {
  if (api.deps().targets == nullptr) return;
  router.Get("/api/v1/targets",
             api.Wrap([&api](const http::Request& req, JsonWriter& w) { return Targets(api, req, w); }));
}

}  // namespace pharos::api::internal
