// DumpConfig: the loaded alertmanager.yml in Alertmanager's layout (key order
// of its config structs), secrets as <secret>. Route children show only what
// they set themselves (what differs from the parent), so the printout loads
// back to the same tree. Matchers of every kind print as `matchers` strings.
#include "absl/strings/str_cat.h"
#include "alertmanager/config.h"
#include "alertmanager/config_parse.h"
#include "common/duration.h"
#include "common/strings.h"
#include "config/yaml_writer.h"

namespace pharos::am {
namespace {

using config::AddIf;
using config::AddSecret;
using config::StrList;
using config::YamlOut;

YamlOut Str(std::string_view s) { return YamlOut::Str(s); }
YamlOut Dur(absl::Duration d) { return Str(FormatDurationMs(absl::ToInt64Milliseconds(d))); }

// For settings with a non-empty default: an explicit "" must print too.
void AddAlways(YamlOut& m, std::string_view key, const std::string& v) { m.Add(key, Str(v)); }

// The inverse of ParseAmMatcher's unescaping.
std::string MatcherString(const Matcher& m) {
  std::string v;
  for (char c : m.value()) {
    if (c == '\\' || c == '"') {
      v.push_back('\\');
      v.push_back(c);
    } else if (c == '\n') {
      v += "\\n";
    } else {
      v.push_back(c);
    }
  }
  return absl::StrCat(m.name(), AV(MatchTypeString(m.type())), "\"", v, "\"");
}

YamlOut MatcherList(const Matchers& ms) {
  YamlOut s = YamlOut::Seq();
  for (const Matcher& m : ms) s.Push(Str(MatcherString(m)));
  return s;
}

YamlOut Tls(const config::TlsConfig& t) { return config::DumpTlsConfig(t); }

YamlOut Http(const config::HttpClientConfig& c) {
  YamlOut m = YamlOut::Map();
  config::DumpHttpClientConfig(m, c);
  return m;
}

YamlOut Common(const NotifierCommon& c, bool http) {
  YamlOut m = YamlOut::Map();
  m.Add("send_resolved", YamlOut::Bool(c.send_resolved));
  if (http) m.Add("http_config", Http(c.http_config));
  return m;
}

YamlOut GlobalOut(const GlobalConfig& g) {
  YamlOut m = YamlOut::Map();
  m.Add("resolve_timeout", Dur(g.resolve_timeout));
  m.Add("http_config", Http(g.http_config));
  AddIf(m, "smtp_from", g.smtp_from);
  AddIf(m, "smtp_hello", g.smtp_hello);
  AddIf(m, "smtp_smarthost", g.smtp_smarthost);
  AddIf(m, "smtp_auth_username", g.smtp_auth_username);
  AddSecret(m, "smtp_auth_password", g.smtp_auth_password);
  AddSecret(m, "smtp_auth_secret", g.smtp_auth_secret);
  AddIf(m, "smtp_auth_identity", g.smtp_auth_identity);
  m.Add("smtp_require_tls", YamlOut::Bool(g.smtp_require_tls));
  AddSecret(m, "slack_api_url", g.slack_api_url);
  AddIf(m, "pagerduty_url", g.pagerduty_url);
  return m;
}

YamlOut GroupBy(const Route& r) {
  if (r.group_by_all) return StrList({"..."});
  return StrList(r.group_by);
}

YamlOut RouteOut(const Route& r, const Route* parent) {
  YamlOut m = YamlOut::Map();
  if (parent == nullptr || r.receiver != parent->receiver) m.Add("receiver", Str(r.receiver));
  bool group_by_differs = parent == nullptr || r.group_by_all != parent->group_by_all || r.group_by != parent->group_by;
  if (group_by_differs && (r.group_by_all || !r.group_by.empty())) m.Add("group_by", GroupBy(r));
  if (r.continue_matching) m.Add("continue", YamlOut::Bool(true));
  if (!r.matchers.empty()) m.Add("matchers", MatcherList(r.matchers));
  if (!r.mute_time_intervals.empty()) m.Add("mute_time_intervals", StrList(r.mute_time_intervals));
  if (!r.active_time_intervals.empty()) m.Add("active_time_intervals", StrList(r.active_time_intervals));
  if (!r.routes.empty()) {
    YamlOut s = YamlOut::Seq();
    for (const auto& c : r.routes) s.Push(RouteOut(*c, &r));
    m.Add("routes", std::move(s));
  }
  if (parent == nullptr || r.group_wait != parent->group_wait) m.Add("group_wait", Dur(r.group_wait));
  if (parent == nullptr || r.group_interval != parent->group_interval) m.Add("group_interval", Dur(r.group_interval));
  if (parent == nullptr || r.repeat_interval != parent->repeat_interval) {
    m.Add("repeat_interval", Dur(r.repeat_interval));
  }
  return m;
}

YamlOut EmailOut(const EmailConfig& e) {
  YamlOut m = Common(e.common, false);
  m.Add("to", Str(e.to));
  m.Add("from", Str(e.from));
  AddIf(m, "hello", e.hello);
  m.Add("smarthost", Str(e.smarthost));
  AddIf(m, "auth_username", e.auth_username);
  AddSecret(m, "auth_password", e.auth_password);
  AddSecret(m, "auth_secret", e.auth_secret);
  AddIf(m, "auth_identity", e.auth_identity);
  YamlOut h = YamlOut::Map();
  for (const auto& [k, v] : e.headers) h.Add(k, Str(v));
  m.Add("headers", std::move(h));
  AddAlways(m, "html", e.html);
  AddIf(m, "text", e.text);
  m.Add("require_tls", YamlOut::Bool(e.require_tls));
  if (!e.tls_config.IsZero()) m.Add("tls_config", Tls(e.tls_config));
  return m;
}

YamlOut PagerdutyOut(const PagerdutyConfig& p) {
  YamlOut m = Common(p.common, true);
  AddSecret(m, "service_key", p.service_key);
  AddSecret(m, "routing_key", p.routing_key);
  AddIf(m, "url", p.url);
  AddAlways(m, "client", p.client);
  AddAlways(m, "client_url", p.client_url);
  AddAlways(m, "description", p.description);
  YamlOut d = YamlOut::Map();
  for (const auto& [k, v] : p.details) d.Add(k, Str(v));
  m.Add("details", std::move(d));
  if (!p.images.empty()) {
    YamlOut s = YamlOut::Seq();
    for (const PagerdutyImage& im : p.images) {
      YamlOut o = YamlOut::Map();
      AddIf(o, "src", im.src);
      AddIf(o, "alt", im.alt);
      AddIf(o, "href", im.href);
      s.Push(std::move(o));
    }
    m.Add("images", std::move(s));
  }
  if (!p.links.empty()) {
    YamlOut s = YamlOut::Seq();
    for (const PagerdutyLink& l : p.links) {
      YamlOut o = YamlOut::Map();
      AddIf(o, "href", l.href);
      AddIf(o, "text", l.text);
      s.Push(std::move(o));
    }
    m.Add("links", std::move(s));
  }
  AddIf(m, "source", p.source);
  AddIf(m, "severity", p.severity);
  AddIf(m, "class", p.clazz);
  AddIf(m, "component", p.component);
  AddIf(m, "group", p.group);
  return m;
}

YamlOut SlackOut(const SlackConfig& s) {
  YamlOut m = Common(s.common, true);
  AddSecret(m, "api_url", s.api_url);
  AddIf(m, "channel", s.channel);
  AddAlways(m, "username", s.username);
  AddAlways(m, "color", s.color);
  AddAlways(m, "title", s.title);
  AddAlways(m, "title_link", s.title_link);
  AddAlways(m, "pretext", s.pretext);
  AddAlways(m, "text", s.text);
  if (!s.fields.empty()) {
    YamlOut l = YamlOut::Seq();
    for (const SlackField& f : s.fields) {
      YamlOut o = YamlOut::Map();
      o.Add("title", Str(f.title));
      o.Add("value", Str(f.value));
      if (f.has_short) o.Add("short", YamlOut::Bool(f.short_field));
      l.Push(std::move(o));
    }
    m.Add("fields", std::move(l));
  }
  m.Add("short_fields", YamlOut::Bool(s.short_fields));
  AddAlways(m, "footer", s.footer);
  AddAlways(m, "fallback", s.fallback);
  AddAlways(m, "callback_id", s.callback_id);
  AddAlways(m, "icon_emoji", s.icon_emoji);
  AddAlways(m, "icon_url", s.icon_url);
  AddIf(m, "image_url", s.image_url);
  AddIf(m, "thumb_url", s.thumb_url);
  m.Add("link_names", YamlOut::Bool(s.link_names));
  if (!s.mrkdwn_in.empty()) m.Add("mrkdwn_in", StrList(s.mrkdwn_in));
  if (!s.actions.empty()) {
    YamlOut l = YamlOut::Seq();
    for (const SlackAction& a : s.actions) {
      YamlOut o = YamlOut::Map();
      AddIf(o, "type", a.type);
      AddIf(o, "text", a.text);
      AddIf(o, "url", a.url);
      AddIf(o, "style", a.style);
      AddIf(o, "name", a.name);
      AddIf(o, "value", a.value);
      if (a.has_confirm) {
        YamlOut c = YamlOut::Map();
        AddIf(c, "text", a.confirm_text);
        AddIf(c, "title", a.confirm_title);
        AddIf(c, "ok_text", a.confirm_ok_text);
        AddIf(c, "dismiss_text", a.confirm_dismiss_text);
        o.Add("confirm", std::move(c));
      }
      l.Push(std::move(o));
    }
    m.Add("actions", std::move(l));
  }
  return m;
}

YamlOut WebhookOut(const WebhookConfig& w) {
  YamlOut m = Common(w.common, true);
  AddSecret(m, "url", w.url);
  m.Add("max_alerts", YamlOut::Raw(absl::StrCat(w.max_alerts)));
  return m;
}

template <typename T, typename F>
void AddList(YamlOut& m, std::string_view key, const std::vector<T>& v, F f) {
  if (v.empty()) return;
  YamlOut s = YamlOut::Seq();
  for (const T& x : v) s.Push(f(x));
  m.Add(key, std::move(s));
}

YamlOut Ranges(const std::vector<InclusiveRange>& v, std::string (*format)(const InclusiveRange&)) {
  YamlOut s = YamlOut::Seq();
  for (const InclusiveRange& r : v) s.Push(Str(format(r)));
  return s;
}

YamlOut TimeIntervalOut(const TimeInterval& t) {
  YamlOut m = YamlOut::Map();
  if (!t.times.empty()) {
    YamlOut s = YamlOut::Seq();
    for (const TimeRange& r : t.times) {
      YamlOut o = YamlOut::Map();
      o.Add("start_time", Str(internal::FormatMinute(r.start_minute)));
      o.Add("end_time", Str(internal::FormatMinute(r.end_minute)));
      s.Push(std::move(o));
    }
    m.Add("times", std::move(s));
  }
  if (!t.weekdays.empty()) m.Add("weekdays", Ranges(t.weekdays, internal::FormatWeekdayRange));
  if (!t.days_of_month.empty()) m.Add("days_of_month", Ranges(t.days_of_month, internal::FormatNumberRange));
  if (!t.months.empty()) m.Add("months", Ranges(t.months, internal::FormatMonthRange));
  if (!t.years.empty()) m.Add("years", Ranges(t.years, internal::FormatNumberRange));
  if (t.location != "UTC") m.Add("location", Str(t.location));
  return m;
}

}  // namespace

std::string DumpConfig(const Config& c) {
  YamlOut root = YamlOut::Map();
  root.Add("global", GlobalOut(c.global));
  if (c.route) root.Add("route", RouteOut(*c.route, nullptr));
  AddList(root, "inhibit_rules", c.inhibit_rules, [](const InhibitRule& r) {
    YamlOut m = YamlOut::Map();
    if (!r.source_matchers.empty()) m.Add("source_matchers", MatcherList(r.source_matchers));
    if (!r.target_matchers.empty()) m.Add("target_matchers", MatcherList(r.target_matchers));
    if (!r.equal.empty()) m.Add("equal", StrList(r.equal));
    return m;
  });
  AddList(root, "receivers", c.receivers, [](const Receiver& r) {
    YamlOut m = YamlOut::Map();
    m.Add("name", Str(r.name));
    AddList(m, "email_configs", r.email_configs, EmailOut);
    AddList(m, "pagerduty_configs", r.pagerduty_configs, PagerdutyOut);
    AddList(m, "slack_configs", r.slack_configs, SlackOut);
    AddList(m, "webhook_configs", r.webhook_configs, WebhookOut);
    return m;
  });
  root.Add("templates", StrList(c.templates));
  AddList(root, "time_intervals", c.time_intervals, [](const NamedTimeInterval& t) {
    YamlOut m = YamlOut::Map();
    m.Add("name", Str(t.name));
    AddList(m, "time_intervals", t.intervals, TimeIntervalOut);
    return m;
  });
  return root.Print();
}

}  // namespace pharos::am
