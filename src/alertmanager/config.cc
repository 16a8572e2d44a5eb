// alertmanager.yml loading: the top level, global, the route tree, inhibit
// rules and Alertmanager 0.25's cross-checks (config.Config.UnmarshalYAML),
// in its order so the first error reported is the one Alertmanager reports.
// Receivers are in config_receivers.cc, time intervals in time_interval.cc.
#include "alertmanager/config.h"

#include <glob.h>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "alertmanager/config_matchers.h"
#include "alertmanager/config_parse.h"
#include "common/go_quote.h"
#include "common/label_names.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/http_client_config.h"
#include "config/paths.h"
#include "config/yaml_map.h"
#include "config/yaml_scalar.h"

namespace pharos::am {

using config::ReadMap;
using config::YamlEntry;
using config::YamlNode;

namespace internal {

namespace {

bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

// Go's unescape() validation: every '%' starts a two-digit hex escape.
std::string BadEscape(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2])) {
      i += 2;
      continue;
    }
    return std::string(s.substr(i, 3));
  }
  return "";
}

// Go's validOptionalPort: "" or ":" followed by digits.
bool ValidOptionalPort(std::string_view p) {
  if (p.empty()) return true;
  if (p[0] != ':') return false;
  for (char c : p.substr(1)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

// Follows Go's url.Parse closely enough for its errors on the URLs people
// write, then Alertmanager's scheme and host rule.
absl::Status CheckUrl(std::string_view url) {
  auto parse_error = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("parse ", GoQuote(url), ": ", AV(why)));
  };
  std::string_view rest = url, fragment;
  if (size_t hash = url.find('#'); hash != std::string_view::npos) {
    rest = url.substr(0, hash);
    fragment = url.substr(hash + 1);
  }
  for (char c : rest) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return parse_error("net/url: invalid control character in URL");
  }
  // Go's getScheme: letters, then letters, digits, + - . up to ':'.
  std::string scheme;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (absl::ascii_isalpha(static_cast<unsigned char>(c))) continue;
    if (absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) return parse_error("missing protocol scheme");
      scheme = absl::AsciiStrToLower(AV(rest.substr(0, i)));
      rest = rest.substr(i + 1);
    }
    break;
  }
  rest = rest.substr(0, rest.find('?'));
  std::string host;
  bool opaque = false;
  if (!rest.starts_with("/")) {
    if (!scheme.empty()) {
      opaque = true;
    } else if (rest.substr(0, rest.find('/')).find(':') != std::string_view::npos) {
      return parse_error("first path segment in URL cannot contain colon");
    }
  }
  if (!opaque && rest.starts_with("//") && (!scheme.empty() || !rest.starts_with("///"))) {
    std::string_view authority = rest.substr(2);
    size_t slash = authority.find('/');
    std::string_view path = slash == std::string_view::npos ? std::string_view() : authority.substr(slash);
    authority = authority.substr(0, slash);
    size_t at = authority.rfind('@');
    std::string_view h = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (h.starts_with("[")) {
      size_t close = h.rfind(']');
      if (close == std::string_view::npos) return parse_error("missing ']' in host");
      if (!ValidOptionalPort(h.substr(close + 1))) {
        return parse_error(absl::StrCat("invalid port ", GoQuote(h.substr(close + 1)), " after host"));
      }
    } else if (size_t colon = h.rfind(':'); colon != std::string_view::npos) {
      if (!ValidOptionalPort(h.substr(colon))) {
        return parse_error(absl::StrCat("invalid port ", GoQuote(h.substr(colon)), " after host"));
      }
    }
    for (char c : h) {
      if (c == ' ' || c == '{' || c == '}' || c == '|' || c == '\\' || c == '^' || c == '`') {
        return parse_error(absl::StrCat("invalid character ", GoQuote(std::string(1, c)), " in host name"));
      }
    }
    if (std::string bad = BadEscape(h); !bad.empty()) {
      return parse_error(absl::StrCat("invalid URL escape ", GoQuote(bad)));
    }
    host = std::string(h);
    rest = path;
  }
  if (!opaque) {
    if (std::string bad = BadEscape(rest); !bad.empty()) {
      return parse_error(absl::StrCat("invalid URL escape ", GoQuote(bad)));
    }
  }
  if (std::string bad = BadEscape(fragment); !bad.empty()) {
    return parse_error(absl::StrCat("invalid URL escape ", GoQuote(bad)));
  }
  if (scheme != "http" && scheme != "https") {
    return absl::InvalidArgumentError(absl::StrCat("unsupported scheme ", GoQuote(scheme), " for URL"));
  }
  if (host.empty()) return absl::InvalidArgumentError("missing host for URL");
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadUrl(const YamlNode& v, std::string_view key, bool secret) {
  ASSIGN_OR_RETURN(std::string s, config::ReadString(v));
  if (secret && s == "<secret>") return s;
  if (absl::Status st = CheckUrl(s); !st.ok()) return v.Error(absl::StrCat(AV(key), ": ", st.message()));
  return s;
}

absl::StatusOr<std::string> ReadSecretFile(const YamlNode& v, std::string_view key, std::string_view dir) {
  ASSIGN_OR_RETURN(std::string name, config::ReadString(v));
  if (name.empty()) return std::string();
  std::string path = config::JoinDir(dir, name);
  auto content = config::ReadBoundedFile(path, 64 << 10, "file");
  if (!content.ok()) return v.Error(absl::StrCat(AV(key), ": ", content.status().message()));
  return std::string(absl::StripAsciiWhitespace(*content));
}

absl::StatusOr<config::HttpClientConfig> ParseHttpConfig(const YamlNode& node, std::string_view dir) {
  config::HttpClientConfig c;
  config::LegacyBearer bearer;
  RETURN_IF_ERROR(ReadMap(node, "http_config", {}, [&](const YamlEntry& e) -> absl::Status {
    if (!config::IsHttpClientKey(e.name())) return absl::NotFoundError("");
    return config::ParseHttpClientField(e, &c, &bearer);
  }));
  RETURN_IF_ERROR(config::FinishHttpClientConfig(node, &c, std::move(bearer)));
  config::ResolveHttpClientPaths(dir, &c);
  return c;
}

}  // namespace internal

namespace {

using internal::GlobalMeta;
using internal::ParsedReceiver;

// ---- global -----------------------------------------------------------------

struct GlobalParse {
  GlobalMeta meta;
  bool slack_file_set = false;
  bool opsgenie_key_set = false, opsgenie_key_file_set = false;
  bool smtp_password_set = false, smtp_password_file_set = false;
};

absl::Status ParseGlobal(const YamlNode& node, std::string_view dir, GlobalConfig* g, GlobalParse* p) {
  auto ignored_url = [](std::string_view key) {
    return [key](const YamlNode& v) { return internal::ReadUrl(v, key, true).status(); };
  };
  auto ignored_string = [](const YamlNode& v) { return config::ReadString(v).status(); };
  auto smarthost = [&](const YamlNode& v) -> absl::Status {
    ASSIGN_OR_RETURN(std::string s, config::ReadString(v));
    RETURN_IF_ERROR(internal::CheckSmarthost(v, s));
    g->smtp_smarthost = s;
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(ReadMap(
      node, "global",
      {
          {"resolve_timeout",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(int64_t ms, config::ReadDurationMs(v));
             g->resolve_timeout = absl::Milliseconds(ms);
             return absl::OkStatus();
           }},
          {"http_config",
           config::IntoParsed(&g->http_config, [&](const YamlNode& v) { return internal::ParseHttpConfig(v, dir); })},
          {"smtp_from", config::Into(&g->smtp_from)},
          {"smtp_hello", config::Into(&g->smtp_hello)},
          {"smtp_smarthost", smarthost},
          {"smtp_auth_username", config::Into(&g->smtp_auth_username)},
          {"smtp_auth_password",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(g->smtp_auth_password, config::ReadString(v));
             p->smtp_password_set = !g->smtp_auth_password.empty();
             return absl::OkStatus();
           }},
          {"smtp_auth_password_file",
           [&](const YamlNode& v) -> absl::Status {
             if (p->smtp_password_set) {
               return v.Error("at most one of smtp_auth_password and smtp_auth_password_file must be configured");
             }
             ASSIGN_OR_RETURN(g->smtp_auth_password, internal::ReadSecretFile(v, "smtp_auth_password_file", dir));
             p->smtp_password_file_set = true;
             return absl::OkStatus();
           }},
          {"smtp_auth_secret", config::Into(&g->smtp_auth_secret)},
          {"smtp_auth_identity", config::Into(&g->smtp_auth_identity)},
          {"smtp_require_tls", config::Into(&g->smtp_require_tls)},
          {"slack_api_url",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(g->slack_api_url, internal::ReadUrl(v, "slack_api_url", true));
             p->meta.slack_api_url_set = true;
             return absl::OkStatus();
           }},
          {"slack_api_url_file",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsNull()) return absl::OkStatus();
             if (p->meta.slack_api_url_set) {
               return v.Error("at most one of slack_api_url & slack_api_url_file must be configured");
             }
             ASSIGN_OR_RETURN(std::string s, internal::ReadSecretFile(v, "slack_api_url_file", dir));
             if (absl::Status st = internal::CheckUrl(s); !st.ok()) {
               return v.Error(absl::StrCat("slack_api_url_file: ", st.message()));
             }
             g->slack_api_url = s;
             p->slack_file_set = true;
             return absl::OkStatus();
           }},
          {"pagerduty_url",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(g->pagerduty_url, internal::ReadUrl(v, "pagerduty_url", false));
             return absl::OkStatus();
           }},
          // Settings of receiver types Pharos refuses: checked, then unused.
          {"opsgenie_api_url", ignored_url("opsgenie_api_url")},
          {"opsgenie_api_key",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(std::string s, config::ReadString(v));
             p->opsgenie_key_set = !s.empty();
             return absl::OkStatus();
           }},
          {"opsgenie_api_key_file",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(std::string s, config::ReadString(v));
             p->opsgenie_key_file_set = !s.empty();
             return absl::OkStatus();
           }},
          {"wechat_api_url", ignored_url("wechat_api_url")},
          {"wechat_api_secret", ignored_string},
          {"wechat_api_corp_id", ignored_string},
          {"victorops_api_url", ignored_url("victorops_api_url")},
          {"victorops_api_key", ignored_string},
          {"victorops_api_key_file", ignored_string},
          {"telegram_api_url", ignored_url("telegram_api_url")},
          {"webex_api_url", ignored_url("webex_api_url")},
      }));
  if (p->slack_file_set && p->meta.slack_api_url_set) {
    return node.Error("at most one of slack_api_url & slack_api_url_file must be configured");
  }
  if (p->opsgenie_key_set && p->opsgenie_key_file_set) {
    return node.Error("at most one of opsgenie_api_key & opsgenie_api_key_file must be configured");
  }
  if (p->smtp_password_set && p->smtp_password_file_set) {
    return node.Error("at most one of smtp_auth_password and smtp_auth_password_file must be configured");
  }
  // slack_api_url_file counts as a global Slack URL for the receivers.
  if (p->slack_file_set) p->meta.slack_api_url_set = true;
  return absl::OkStatus();
}

// ---- matchers -----------------------------------------------------------------

// match / source_match / target_match: label name -> value.
config::YamlReadFn IntoEqualMatchers(Matchers* out) {
  return [out](const YamlNode& v) -> absl::Status {
    if (v.IsScalar() || v.IsSequence()) return v.TypeError("map[string]string");
    ASSIGN_OR_RETURN(auto entries, v.Entries());
    for (const YamlEntry& e : entries) {
      if (!IsValidLabelName(e.name())) return e.key.Error(absl::StrCat("invalid label name ", GoQuote(e.name())));
      ASSIGN_OR_RETURN(std::string value, config::ReadString(e.value));
      auto m = Matcher::Make(MatchType::kEqual, e.name(), value);
      if (!m.ok()) return e.value.Error(SV(m.status().message()));
      out->push_back(*std::move(m));
    }
    return absl::OkStatus();
  };
}

// match_re / source_match_re / target_match_re: label name -> regex.
config::YamlReadFn IntoRegexMatchers(Matchers* out) {
  return [out](const YamlNode& v) -> absl::Status {
    if (v.IsScalar() || v.IsSequence()) return v.TypeError("config.MatchRegexps");
    ASSIGN_OR_RETURN(auto entries, v.Entries());
    for (const YamlEntry& e : entries) {
      if (!IsValidLabelName(e.name())) return e.key.Error(absl::StrCat("invalid label name ", GoQuote(e.name())));
      if (e.value.IsNull()) return e.value.Error(absl::StrCat("invalid regexp value for ", GoQuote(e.name())));
      ASSIGN_OR_RETURN(std::string value, config::ReadString(e.value));
      auto m = Matcher::Make(MatchType::kRegexMatch, e.name(), value);
      if (!m.ok()) return e.value.Error(SV(m.status().message()));
      out->push_back(*std::move(m));
    }
    return absl::OkStatus();
  };
}

// matchers / source_matchers / target_matchers: strings in matcher syntax.
config::YamlReadFn IntoParsedMatchers(Matchers* out) {
  return [out](const YamlNode& v) -> absl::Status {
    return internal::ForEachItem(v, "[]string", [&](const YamlNode& item) -> absl::Status {
      ASSIGN_OR_RETURN(std::string s, config::ReadString(item));
      auto ms = ParseAmMatchers(s);
      if (!ms.ok()) return item.Error(SV(ms.status().message()));
      for (Matcher& m : *ms) out->push_back(std::move(m));
      return absl::OkStatus();
    });
  };
}

// ---- routes -------------------------------------------------------------------

// What a route set itself (the rest is inherited) and where its names are.
struct RouteMeta {
  YamlNode where;
  std::optional<YamlNode> receiver;
  bool has_matchers = false;
  std::optional<YamlNode> mute_key, active_key;
  std::vector<std::pair<std::string, YamlNode>> interval_refs;  // both lists, in document order
  bool group_by_set = false;                                    // labels or '...'
  bool group_wait_set = false, group_interval_set = false, repeat_interval_set = false;
  std::vector<RouteMeta> children;
};

config::YamlReadFn IntoRouteDuration(absl::Duration* out, bool* set, const char* zero_error) {
  return [out, set, zero_error](const YamlNode& v) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t ms, config::ReadDurationMs(v));
    if (zero_error != nullptr && ms == 0) return v.Error(zero_error);
    *out = absl::Milliseconds(ms);
    *set = true;
    return absl::OkStatus();
  };
}

absl::Status ParseRoute(const YamlNode& node, Route* r, RouteMeta* meta) {
  auto interval_list = [&](std::vector<std::string>* out, std::optional<YamlNode>* key_pos) {
    return [=](const YamlNode& v) -> absl::Status {
      if (v.IsScalar() || v.IsMap()) return v.TypeError("[]string");
      ASSIGN_OR_RETURN(auto items, v.Items());
      for (const YamlNode& item : items) {
        ASSIGN_OR_RETURN(std::string s, config::ReadString(item));
        out->push_back(s);
        meta->interval_refs.emplace_back(s, item);
      }
      if (!items.empty()) *key_pos = v;
      return absl::OkStatus();
    };
  };
  Matchers matchers;
  RETURN_IF_ERROR(ReadMap(
      node, "route",
      {
          {"receiver",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(r->receiver, config::ReadString(v));
             if (!r->receiver.empty()) meta->receiver = v;
             return absl::OkStatus();
           }},
          {"group_by",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsScalar() || v.IsMap()) return v.TypeError("[]string");
             ASSIGN_OR_RETURN(auto items, v.Items());
             std::set<std::string> seen;
             for (const YamlNode& item : items) {
               ASSIGN_OR_RETURN(std::string l, config::ReadString(item));
               if (l == "...") {
                 r->group_by_all = true;
               } else {
                 if (!IsValidLabelName(l)) {
                   return item.Error(absl::StrCat("invalid label name ", GoQuote(l), " in group_by list"));
                 }
                 if (!seen.insert(l).second)
                   return item.Error(absl::StrCat("duplicated label ", GoQuote(l), " in group_by"));
                 r->group_by.push_back(l);
               }
               if (r->group_by_all && !r->group_by.empty()) {
                 return item.Error("cannot have wildcard group_by (`...`) and other other labels at the same time");
               }
             }
             meta->group_by_set = !items.empty();
             return absl::OkStatus();
           }},
          {"continue", config::Into(&r->continue_matching)},
          {"match", IntoEqualMatchers(&matchers)},
          {"match_re", IntoRegexMatchers(&matchers)},
          {"matchers", IntoParsedMatchers(&matchers)},
          {"mute_time_intervals", interval_list(&r->mute_time_intervals, &meta->mute_key)},
          {"active_time_intervals", interval_list(&r->active_time_intervals, &meta->active_key)},
          {"group_wait", IntoRouteDuration(&r->group_wait, &meta->group_wait_set, nullptr)},
          {"group_interval",
           IntoRouteDuration(&r->group_interval, &meta->group_interval_set, "group_interval cannot be zero")},
          {"repeat_interval",
           IntoRouteDuration(&r->repeat_interval, &meta->repeat_interval_set, "repeat_interval cannot be zero")},
          {"routes",
           [&](const YamlNode& v) -> absl::Status {
             return internal::ForEachItem(v, "[]*config.Route", [&](const YamlNode& item) -> absl::Status {
               if (item.IsNull()) return item.Error("empty route");
               auto child = std::make_unique<Route>();
               meta->children.push_back(RouteMeta{item});
               RETURN_IF_ERROR(ParseRoute(item, child.get(), &meta->children.back()));
               r->routes.push_back(std::move(child));
               return absl::OkStatus();
             });
           }},
      }));
  meta->has_matchers = !matchers.empty();
  SortAmMatchers(&matchers);
  r->matchers = std::move(matchers);
  return absl::OkStatus();
}

// dispatch.NewRoute's inheritance: receiver, group_by and the three timings
// come from the parent unless the route sets them.
void Inherit(const Route& parent, Route* r, const RouteMeta& meta) {
  if (!meta.receiver) r->receiver = parent.receiver;
  if (!meta.group_by_set) {
    r->group_by = parent.group_by;
    r->group_by_all = parent.group_by_all;
  }
  if (!meta.group_wait_set) r->group_wait = parent.group_wait;
  if (!meta.group_interval_set) r->group_interval = parent.group_interval;
  if (!meta.repeat_interval_set) r->repeat_interval = parent.repeat_interval;
  for (size_t i = 0; i < r->routes.size(); ++i) Inherit(*r, r->routes[i].get(), meta.children[i]);
}

absl::Status CheckReceivers(const RouteMeta& meta, const Route& r, const std::set<std::string>& names) {
  for (size_t i = 0; i < r.routes.size(); ++i) RETURN_IF_ERROR(CheckReceivers(meta.children[i], *r.routes[i], names));
  if (meta.receiver && !names.contains(r.receiver)) {
    return meta.receiver->Error(absl::StrCat("undefined receiver ", GoQuote(r.receiver), " used in route"));
  }
  return absl::OkStatus();
}

absl::Status CheckTimeIntervals(const RouteMeta& meta, const std::set<std::string>& names) {
  for (const RouteMeta& c : meta.children) RETURN_IF_ERROR(CheckTimeIntervals(c, names));
  for (const auto& [name, node] : meta.interval_refs) {
    if (!names.contains(name))
      return node.Error(absl::StrCat("undefined time interval ", GoQuote(name), " used in route"));
  }
  return absl::OkStatus();
}

// ---- inhibit rules ------------------------------------------------------------

absl::StatusOr<InhibitRule> ParseInhibitRule(const YamlNode& node) {
  InhibitRule r;
  RETURN_IF_ERROR(ReadMap(node, "inhibit_rule",
                          {
                              {"source_match", IntoEqualMatchers(&r.source_matchers)},
                              {"source_match_re", IntoRegexMatchers(&r.source_matchers)},
                              {"source_matchers", IntoParsedMatchers(&r.source_matchers)},
                              {"target_match", IntoEqualMatchers(&r.target_matchers)},
                              {"target_match_re", IntoRegexMatchers(&r.target_matchers)},
                              {"target_matchers", IntoParsedMatchers(&r.target_matchers)},
                              {"equal",
                               [&](const YamlNode& v) -> absl::Status {
                                 return internal::ForEachItem(
                                     v, "model.LabelNames", [&](const YamlNode& item) -> absl::Status {
                                       ASSIGN_OR_RETURN(std::string l, config::ReadString(item));
                                       if (!IsValidLabelName(l)) {
                                         return item.Error(absl::StrCat(GoQuote(l), " is not a valid label name"));
                                       }
                                       r.equal.push_back(l);
                                       return absl::OkStatus();
                                     });
                               }},
                          }));
  return r;
}

// ---- templates ------------------------------------------------------------------

constexpr int kMaxWildSegments = 2;

absl::Status ExpandTemplates(const YamlNode& v, std::string_view dir, std::vector<std::string>* out) {
  return internal::ForEachItem(v, "[]string", [&](const YamlNode& item) -> absl::Status {
    ASSIGN_OR_RETURN(std::string pattern, config::ReadString(item));
    if (pattern.empty()) return absl::OkStatus();
    std::string path = config::JoinDir(dir, pattern);
    // Bounded: glob(3) walks every directory a wildcard segment matches.
    int wild_segments = 0;
    for (absl::string_view seg : absl::StrSplit(path, '/')) {
      if (seg.find_first_of("*?[") != std::string_view::npos) ++wild_segments;
    }
    if (wild_segments > kMaxWildSegments) {
      return item.Error(absl::StrCat("template glob ", GoQuote(path), " has more than ", kMaxWildSegments,
                                     " path segments with wildcards"));
    }
    glob_t g{};
    int rc = glob(path.c_str(), GLOB_NOSORT | GLOB_NOESCAPE, nullptr, &g);
    std::vector<std::string> found;
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc && found.size() < 10000; ++i) found.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) return item.Error(absl::StrCat("cannot expand template glob ", GoQuote(path)));
    std::sort(found.begin(), found.end());
    for (std::string& f : found) out->push_back(std::move(f));
    return absl::OkStatus();
  });
}

// ---- the whole file -------------------------------------------------------------

absl::StatusOr<Config> Load(const YamlNode& root, std::string_view dir) {
  Config c;
  if (root.IsNull()) return root.Error("no route provided in config");
  GlobalParse gp;
  std::optional<YamlNode> route_key;
  RouteMeta route_meta{root};
  std::vector<ParsedReceiver> receivers;
  std::vector<YamlNode> mute_nodes, ti_nodes;
  std::vector<NamedTimeInterval> mute_intervals, time_intervals;
  RETURN_IF_ERROR(ReadMap(
      root, "config",
      {
          {"global", [&](const YamlNode& v) { return ParseGlobal(v, dir, &c.global, &gp); }},
          {"route",
           [&](const YamlNode& v) -> absl::Status {
             route_key = v;
             if (v.IsNull()) return absl::OkStatus();
             c.route = std::make_unique<Route>();
             route_meta.where = v;
             return ParseRoute(v, c.route.get(), &route_meta);
           }},
          {"inhibit_rules",
           [&](const YamlNode& v) -> absl::Status {
             return internal::ForEachItem(v, "[]config.InhibitRule", [&](const YamlNode& item) -> absl::Status {
               ASSIGN_OR_RETURN(InhibitRule r, ParseInhibitRule(item));
               c.inhibit_rules.push_back(std::move(r));
               return absl::OkStatus();
             });
           }},
          {"receivers",
           [&](const YamlNode& v) -> absl::Status {
             return internal::ForEachItem(v, "[]config.Receiver", [&](const YamlNode& item) -> absl::Status {
               ASSIGN_OR_RETURN(ParsedReceiver r, internal::ParseReceiver(item, dir));
               receivers.push_back(std::move(r));
               return absl::OkStatus();
             });
           }},
          {"templates", [&](const YamlNode& v) { return ExpandTemplates(v, dir, &c.templates); }},
          {"mute_time_intervals",
           [&](const YamlNode& v) -> absl::Status {
             return internal::ForEachItem(v, "[]config.MuteTimeInterval", [&](const YamlNode& item) -> absl::Status {
               ASSIGN_OR_RETURN(NamedTimeInterval t, internal::ParseNamedTimeInterval(item, true));
               mute_intervals.push_back(std::move(t));
               mute_nodes.push_back(item);
               return absl::OkStatus();
             });
           }},
          {"time_intervals",
           [&](const YamlNode& v) -> absl::Status {
             return internal::ForEachItem(v, "[]config.TimeInterval", [&](const YamlNode& item) -> absl::Status {
               ASSIGN_OR_RETURN(NamedTimeInterval t, internal::ParseNamedTimeInterval(item, false));
               time_intervals.push_back(std::move(t));
               ti_nodes.push_back(item);
               return absl::OkStatus();
             });
           }},
      }));

  // Receivers: unique names, then each notifier's defaults from global.
  std::set<std::string> names;
  for (ParsedReceiver& r : receivers) {
    if (names.contains(r.receiver.name)) {
      return r.name_node.Error(absl::StrCat("notification config name ", GoQuote(r.receiver.name), " is not unique"));
    }
    RETURN_IF_ERROR(internal::ApplyGlobalDefaults(c.global, gp.meta, &r));
    names.insert(r.receiver.name);
  }

  // The root route is the fallback for every alert.
  if (!c.route) {
    return (route_key ? *route_key : root).Error("no routes provided");
  }
  if (!route_meta.receiver) return route_meta.where.Error("root route must specify a default receiver");
  if (route_meta.has_matchers) return route_meta.where.Error("root route must not have any matchers");
  if (c.route->continue_matching) return route_meta.where.Error("cannot have continue in root route");
  if (route_meta.mute_key) return route_meta.mute_key->Error("root route must not have any mute time intervals");
  if (route_meta.active_key) {
    return route_meta.active_key->Error("root route must not have any active time intervals");
  }
  RETURN_IF_ERROR(CheckReceivers(route_meta, *c.route, names));

  std::set<std::string> interval_names;
  for (size_t i = 0; i < mute_intervals.size(); ++i) {
    if (!interval_names.insert(mute_intervals[i].name).second) {
      return mute_nodes[i].Error(
          absl::StrCat("mute time interval ", GoQuote(mute_intervals[i].name), " is not unique"));
    }
  }
  for (size_t i = 0; i < time_intervals.size(); ++i) {
    if (!interval_names.insert(time_intervals[i].name).second) {
      return ti_nodes[i].Error(absl::StrCat("time interval ", GoQuote(time_intervals[i].name), " is not unique"));
    }
  }
  RETURN_IF_ERROR(CheckTimeIntervals(route_meta, interval_names));

  for (size_t i = 0; i < c.route->routes.size(); ++i) {
    Inherit(*c.route, c.route->routes[i].get(), route_meta.children[i]);
  }
  for (ParsedReceiver& r : receivers) c.receivers.push_back(std::move(r.receiver));
  for (NamedTimeInterval& t : time_intervals) c.time_intervals.push_back(std::move(t));
  for (NamedTimeInterval& t : mute_intervals) c.time_intervals.push_back(std::move(t));
  return c;
}

}  // namespace

absl::StatusOr<Config> LoadConfigNode(const config::YamlNode& node, std::string_view dir) {
  ASSIGN_OR_RETURN(Config c, Load(node, dir));
  c.original = DumpConfig(c);
  return c;
}

absl::StatusOr<Config> LoadConfig(std::string_view text, std::string_view filename) {
  ASSIGN_OR_RETURN(config::YamlDocument doc, config::YamlDocument::Parse(text, filename));
  ASSIGN_OR_RETURN(Config c, Load(doc.root(), config::DirName(filename)));
  c.original = std::string(text);
  return c;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, config::ReadBoundedFile(path, 16u << 20, "config file"));
  return LoadConfig(text, path);
}

const Receiver* Config::FindReceiver(std::string_view name) const {
  for (const Receiver& r : receivers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

const NamedTimeInterval* Config::FindTimeInterval(std::string_view name) const {
  for (const NamedTimeInterval& t : time_intervals) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace pharos::am
