#include "http/router.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_join.h"
#include "common/strings.h"

namespace pharos::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "router: %s\n", what.c_str());
  std::abort();
}

}  // namespace

void Router::Handle(std::string_view method, std::string_view pattern, Handler handler, RouteOptions options) {
  if (pattern.empty() || pattern.front() != '/') Die("pattern must start with '/': " + std::string(pattern));
  Route r;
  r.method = std::string(method);
  r.pattern = std::string(pattern);
  r.handler = std::move(handler);
  r.options = std::move(options);
  if (r.options.metric_name.empty()) r.options.metric_name = r.pattern;
  bool has_params = false;
  auto segs = Split(pattern);
  for (size_t i = 0; i < segs.size(); ++i) {
    if (!segs[i].empty() && (segs[i][0] == ':' || segs[i][0] == '*')) {
      if (segs[i].size() == 1) Die("unnamed parameter in " + r.pattern);
      if (segs[i][0] == '*' && i + 1 != segs.size()) Die("catch-all must be last in " + r.pattern);
      has_params = true;
    }
    r.segments.emplace_back(segs[i]);
  }
  for (const auto& other : routes_) {
    if (other.method == r.method && other.pattern == r.pattern) Die("duplicate route " + r.method + " " + r.pattern);
  }
  r.index = routes_.size();
  if (has_params) {
    patterned_.push_back(r.index);
  } else {
    exact_[r.pattern].push_back(r.index);
  }
  routes_.push_back(std::move(r));
}

bool Router::MatchPattern(const Route& r, const std::vector<std::string_view>& segs, Pairs* params) const {
  params->clear();
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const std::string& p = r.segments[i];
    if (!p.empty() && p[0] == '*') {
      // The rest of the path, with its leading slash as httprouter gives it.
      std::string rest;
      for (size_t k = i; k < segs.size(); ++k) {
        rest.push_back('/');
        rest.append(segs[k]);
      }
      params->emplace_back(p.substr(1), std::move(rest));
      return true;
    }
    if (i >= segs.size()) return false;
    if (!p.empty() && p[0] == ':') {
      if (segs[i].empty()) return false;
      params->emplace_back(p.substr(1), std::string(segs[i]));
    } else if (p != segs[i]) {
      return false;
    }
  }
  return r.segments.size() == segs.size();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  std::vector<const Route*> candidates;  // every route matching the path, any method
  std::vector<Pairs> candidate_params;
  auto it = exact_.find(AV(path));
  if (it != exact_.end()) {
    for (size_t i : it->second) {
      // An exact route of the method wins over every pattern: no need to
      // split the path and try them (the common case, /api/v1/query).
      if (routes_[i].method == method) {
        m.route = &routes_[i];
        return m;
      }
      candidates.push_back(&routes_[i]);
      candidate_params.emplace_back();
    }
  }
  {
    auto segs = Split(path);
    Pairs params;
    for (size_t i : patterned_) {
      if (MatchPattern(routes_[i], segs, &params)) {
        candidates.push_back(&routes_[i]);
        candidate_params.push_back(params);
      }
    }
  }
  if (candidates.empty()) {
    m.status = 404;
    return m;
  }
  for (int pass = 0; pass < 2; ++pass) {
    std::string_view want = pass == 0 ? method : (method == "HEAD" ? "GET" : "");
    if (want.empty()) break;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (candidates[i]->method == want) {
        m.route = candidates[i];
        m.params = std::move(candidate_params[i]);
        return m;
      }
    }
  }
  // As httprouter: OPTIONS routes (CORS catch-alls) do not make a path
  // "exist" for other methods, but are listed last in Allow.
  std::vector<std::string> allow;
  bool options = false;
  for (const Route* r : candidates) {
    if (r->method == "OPTIONS") {
      options = true;
      continue;
    }
    bool seen = false;
    for (const auto& a : allow) seen |= a == r->method;
    if (!seen) allow.push_back(r->method);
  }
  if (allow.empty()) {
    m.status = 404;
    return m;
  }
  if (options) allow.push_back("OPTIONS");
  m.status = 405;
  m.allow = absl::StrJoin(allow, ", ");
  return m;
}

}  // namespace pharos::http
