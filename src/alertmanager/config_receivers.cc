// alertmanager.yml receivers: webhook, Slack, PagerDuty and email configs
// with Alertmanager 0.25's defaults and checks (config/notifiers.go), and the
// step that fills what a notifier leaves unset from `global`.
#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "alertmanager/config_parse.h"
#include "common/go_quote.h"
#include "common/host_port.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/http_client_config.h"
#include "config/paths.h"
#include "config/yaml_map.h"
#include "config/yaml_scalar.h"

namespace pharos::am::internal {
namespace {

using config::Into;
using config::ReadMap;
using config::YamlEntry;
using config::YamlReadFn;

constexpr std::string_view kRefusedReceivers[] = {"opsgenie_configs",  "wechat_configs", "pushover_configs",
                                                  "victorops_configs", "sns_configs",    "telegram_configs",
                                                  "webex_configs",     "discord_configs"};

YamlReadFn IntoHttpConfig(NotifierCommon* common, NotifierMeta* meta, std::string_view dir) {
  return [=](const YamlNode& v) -> absl::Status {
    ASSIGN_OR_RETURN(common->http_config, ParseHttpConfig(v, dir));
    meta->http_config_set = true;
    return absl::OkStatus();
  };
}

// A list of notifier configs: each item parsed by `parse`.
template <typename T, typename Parse>
YamlReadFn IntoList(std::vector<T>* out, std::vector<NotifierMeta>* metas, const char* go_type, Parse parse) {
  return [=](const YamlNode& v) -> absl::Status {
    return ForEachItem(v, go_type, [&](const YamlNode& item) -> absl::Status {
      if (item.IsNull()) return item.Error("empty or null notifier config");
      T c;
      NotifierMeta meta{item};
      RETURN_IF_ERROR(parse(item, &c, &meta));
      out->push_back(std::move(c));
      metas->push_back(std::move(meta));
      return absl::OkStatus();
    });
  };
}

// A "<key>" / "<key>_file" pair of settings that must not both be set.
struct SecretPair {
  bool inline_set = false;
  bool file_set = false;
};

// ---- webhook --------------------------------------------------------------------

absl::Status ParseWebhook(const YamlNode& n, WebhookConfig* c, NotifierMeta* meta, std::string_view dir) {
  c->common.send_resolved = true;
  SecretPair url;
  RETURN_IF_ERROR(ReadMap(n, "webhook_config",
                          {
                              {"send_resolved", Into(&c->common.send_resolved)},
                              {"http_config", IntoHttpConfig(&c->common, meta, dir)},
                              {"url",
                               [&](const YamlNode& v) -> absl::Status {
                                 if (v.IsNull()) return absl::OkStatus();
                                 ASSIGN_OR_RETURN(c->url, ReadUrl(v, "url", true));
                                 url.inline_set = true;
                                 return absl::OkStatus();
                               }},
                              {"url_file",
                               [&](const YamlNode& v) -> absl::Status {
                                 if (v.IsNull()) return absl::OkStatus();
                                 if (url.inline_set) return n.Error("at most one of url & url_file must be configured");
                                 ASSIGN_OR_RETURN(std::string s, ReadSecretFile(v, "url_file", dir));
                                 if (absl::Status st = CheckUrl(s); !st.ok()) {
                                   return v.Error(absl::StrCat("url_file: ", st.message()));
                                 }
                                 if (!url.inline_set) c->url = s;
                                 url.file_set = true;
                                 return absl::OkStatus();
                               }},
                              {"max_alerts", Into(&c->max_alerts)},
                          }));
  if (!url.inline_set && !url.file_set) return n.Error("missing URL in webhook config");
  if (url.inline_set && url.file_set) return n.Error("at most one of url & url_file must be configured");
  return absl::OkStatus();
}

// ---- Slack ----------------------------------------------------------------------

absl::StatusOr<SlackField> ParseSlackField(const YamlNode& n) {
  SlackField f;
  RETURN_IF_ERROR(ReadMap(n, "slack_field",
                          {
                              {"title", Into(&f.title)},
                              {"value", Into(&f.value)},
                              {"short",
                               [&](const YamlNode& v) -> absl::Status {
                                 if (v.IsNull()) return absl::OkStatus();
                                 ASSIGN_OR_RETURN(f.short_field, config::ReadBool(v));
                                 f.has_short = true;
                                 return absl::OkStatus();
                               }},
                          }));
  if (f.title.empty()) return n.Error("missing title in Slack field configuration");
  if (f.value.empty()) return n.Error("missing value in Slack field configuration");
  return f;
}

absl::StatusOr<SlackAction> ParseSlackAction(const YamlNode& n) {
  SlackAction a;
  RETURN_IF_ERROR(ReadMap(n, "slack_action",
                          {
                              {"type", Into(&a.type)},
                              {"text", Into(&a.text)},
                              {"url", Into(&a.url)},
                              {"style", Into(&a.style)},
                              {"name", Into(&a.name)},
                              {"value", Into(&a.value)},
                              {"confirm",
                               [&](const YamlNode& v) -> absl::Status {
                                 if (v.IsNull()) return absl::OkStatus();
                                 RETURN_IF_ERROR(ReadMap(v, "slack_confirmation_field",
                                                         {
                                                             {"text", Into(&a.confirm_text)},
                                                             {"title", Into(&a.confirm_title)},
                                                             {"ok_text", Into(&a.confirm_ok_text)},
                                                             {"dismiss_text", Into(&a.confirm_dismiss_text)},
                                                         }));
                                 if (a.confirm_text.empty())
                                   return v.Error("missing text in Slack confirmation configuration");
                                 a.has_confirm = true;
                                 return absl::OkStatus();
                               }},
                          }));
  if (a.type.empty()) return n.Error("missing type in Slack action configuration");
  if (a.text.empty()) return n.Error("missing text in Slack action configuration");
  if (!a.url.empty()) {
    // A link button: the message-action settings do not apply.
    a.name.clear();
    a.value.clear();
    a.has_confirm = false;
    a.confirm_text.clear();
    a.confirm_title.clear();
    a.confirm_ok_text.clear();
    a.confirm_dismiss_text.clear();
  } else if (a.name.empty()) {
    return n.Error("missing name or url in Slack action configuration");
  }
  return a;
}

absl::Status ParseSlack(const YamlNode& n, SlackConfig* c, NotifierMeta* meta, std::string_view dir) {
  c->common.send_resolved = false;
  c->color = R"({{ if eq .Status "firing" }}danger{{ else }}good{{ end }})";
  c->username = R"({{ template "slack.default.username" . }})";
  c->title = R"({{ template "slack.default.title" . }})";
  c->title_link = R"({{ template "slack.default.titlelink" . }})";
  c->icon_emoji = R"({{ template "slack.default.iconemoji" . }})";
  c->icon_url = R"({{ template "slack.default.iconurl" . }})";
  c->pretext = R"({{ template "slack.default.pretext" . }})";
  c->text = R"({{ template "slack.default.text" . }})";
  c->fallback = R"({{ template "slack.default.fallback" . }})";
  c->callback_id = R"({{ template "slack.default.callbackid" . }})";
  c->footer = R"({{ template "slack.default.footer" . }})";
  SecretPair api;
  RETURN_IF_ERROR(
      ReadMap(n, "slack_config",
              {
                  {"send_resolved", Into(&c->common.send_resolved)},
                  {"http_config", IntoHttpConfig(&c->common, meta, dir)},
                  {"api_url",
                   [&](const YamlNode& v) -> absl::Status {
                     if (v.IsNull()) return absl::OkStatus();
                     ASSIGN_OR_RETURN(c->api_url, ReadUrl(v, "api_url", true));
                     api.inline_set = true;
                     return absl::OkStatus();
                   }},
                  {"api_url_file",
                   [&](const YamlNode& v) -> absl::Status {
                     if (v.IsNull()) return absl::OkStatus();
                     if (api.inline_set) return n.Error("at most one of api_url & api_url_file must be configured");
                     ASSIGN_OR_RETURN(std::string s, ReadSecretFile(v, "api_url_file", dir));
                     if (absl::Status st = CheckUrl(s); !st.ok())
                       return v.Error(absl::StrCat("api_url_file: ", st.message()));
                     if (!api.inline_set) c->api_url = s;
                     api.file_set = true;
                     return absl::OkStatus();
                   }},
                  {"channel", Into(&c->channel)},
                  {"username", Into(&c->username)},
                  {"color", Into(&c->color)},
                  {"title", Into(&c->title)},
                  {"title_link", Into(&c->title_link)},
                  {"pretext", Into(&c->pretext)},
                  {"text", Into(&c->text)},
                  {"fields",
                   [&](const YamlNode& v) -> absl::Status {
                     return ForEachItem(v, "[]*config.SlackField", [&](const YamlNode& item) -> absl::Status {
                       ASSIGN_OR_RETURN(SlackField f, ParseSlackField(item));
                       c->fields.push_back(std::move(f));
                       return absl::OkStatus();
                     });
                   }},
                  {"short_fields", Into(&c->short_fields)},
                  {"footer", Into(&c->footer)},
                  {"fallback", Into(&c->fallback)},
                  {"callback_id", Into(&c->callback_id)},
                  {"icon_emoji", Into(&c->icon_emoji)},
                  {"icon_url", Into(&c->icon_url)},
                  {"image_url", Into(&c->image_url)},
                  {"thumb_url", Into(&c->thumb_url)},
                  {"link_names", Into(&c->link_names)},
                  {"mrkdwn_in", Into(&c->mrkdwn_in)},
                  {"actions",
                   [&](const YamlNode& v) -> absl::Status {
                     return ForEachItem(v, "[]*config.SlackAction", [&](const YamlNode& item) -> absl::Status {
                       ASSIGN_OR_RETURN(SlackAction a, ParseSlackAction(item));
                       c->actions.push_back(std::move(a));
                       return absl::OkStatus();
                     });
                   }},
              }));
  if (api.inline_set && api.file_set) return n.Error("at most one of api_url & api_url_file must be configured");
  meta->url_set = api.inline_set || api.file_set;
  // The notifier's fallback when mrkdwn_in is empty, made explicit.
  if (c->mrkdwn_in.empty()) c->mrkdwn_in = {"fallback", "pretext", "text"};
  return absl::OkStatus();
}

// ---- PagerDuty --------------------------------------------------------------------

absl::Status ParsePagerduty(const YamlNode& n, PagerdutyConfig* c, NotifierMeta* meta, std::string_view dir) {
  c->common.send_resolved = true;
  c->description = R"({{ template "pagerduty.default.description" .}})";
  c->client = R"({{ template "pagerduty.default.client" . }})";
  c->client_url = R"({{ template "pagerduty.default.clientURL" . }})";
  SecretPair service, routing;
  auto key = [](std::string* out, bool* set) {
    return [=](const YamlNode& v) -> absl::Status {
      ASSIGN_OR_RETURN(*out, config::ReadString(v));
      *set = !out->empty();
      return absl::OkStatus();
    };
  };
  std::string service_from_file, routing_from_file;
  auto key_file = [&](std::string* out, bool* set, const bool* inline_set, const char* name, const char* conflict) {
    return [=](const YamlNode& v) -> absl::Status {
      ASSIGN_OR_RETURN(std::string file_name, config::ReadString(v));
      if (file_name.empty()) return absl::OkStatus();
      if (*inline_set) return n.Error(conflict);
      ASSIGN_OR_RETURN(*out, ReadSecretFile(v, name, dir));
      *set = true;
      return absl::OkStatus();
    };
  };
  RETURN_IF_ERROR(ReadMap(
      n, "pagerduty_config",
      {
          {"send_resolved", Into(&c->common.send_resolved)},
          {"http_config", IntoHttpConfig(&c->common, meta, dir)},
          {"service_key", key(&c->service_key, &service.inline_set)},
          {"service_key_file", key_file(&service_from_file, &service.file_set, &service.inline_set, "service_key_file",
                                        "at most one of service_key & service_key_file must be configured")},
          {"routing_key", key(&c->routing_key, &routing.inline_set)},
          {"routing_key_file", key_file(&routing_from_file, &routing.file_set, &routing.inline_set, "routing_key_file",
                                        "at most one of routing_key & routing_key_file must be configured")},
          {"url",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsNull()) return absl::OkStatus();
             ASSIGN_OR_RETURN(c->url, ReadUrl(v, "url", false));
             c->url_set = true;
             return absl::OkStatus();
           }},
          {"client", Into(&c->client)},
          {"client_url", Into(&c->client_url)},
          {"description", Into(&c->description)},
          {"details",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(c->details, config::ReadStringMap(v));
             return absl::OkStatus();
           }},
          {"images",
           [&](const YamlNode& v) -> absl::Status {
             return ForEachItem(v, "[]config.PagerdutyImage", [&](const YamlNode& item) -> absl::Status {
               PagerdutyImage im;
               RETURN_IF_ERROR(ReadMap(item, "pagerduty_image",
                                       {{"src", Into(&im.src)}, {"alt", Into(&im.alt)}, {"href", Into(&im.href)}}));
               c->images.push_back(std::move(im));
               return absl::OkStatus();
             });
           }},
          {"links",
           [&](const YamlNode& v) -> absl::Status {
             return ForEachItem(v, "[]config.PagerdutyLink", [&](const YamlNode& item) -> absl::Status {
               PagerdutyLink l;
               RETURN_IF_ERROR(ReadMap(item, "pagerduty_link", {{"href", Into(&l.href)}, {"text", Into(&l.text)}}));
               c->links.push_back(std::move(l));
               return absl::OkStatus();
             });
           }},
          {"source", Into(&c->source)},
          {"severity", Into(&c->severity)},
          {"class", Into(&c->clazz)},
          {"component", Into(&c->component)},
          {"group", Into(&c->group)},
      }));
  if (!service.inline_set && !service.file_set && !routing.inline_set && !routing.file_set) {
    return n.Error("missing service or routing key in PagerDuty config");
  }
  if (routing.inline_set && routing.file_set) {
    return n.Error("at most one of routing_key & routing_key_file must be configured");
  }
  if (service.inline_set && service.file_set) {
    return n.Error("at most one of service_key & service_key_file must be configured");
  }
  if (service.file_set) c->service_key = service_from_file;
  if (routing.file_set) c->routing_key = routing_from_file;
  if (c->source.empty()) c->source = c->client;
  // The notifier's default severity (Events API v2), made explicit.
  if (c->severity.empty()) c->severity = "error";
  static const std::pair<const char*, const char*> kDefaultDetails[] = {
      {"firing", R"({{ template "pagerduty.default.instances" .Alerts.Firing }})"},
      {"num_firing", "{{ .Alerts.Firing | len }}"},
      {"num_resolved", "{{ .Alerts.Resolved | len }}"},
      {"resolved", R"({{ template "pagerduty.default.instances" .Alerts.Resolved }})"},
  };
  for (const auto& def : kDefaultDetails) {
    const std::string_view key = def.first;
    bool present = std::any_of(c->details.begin(), c->details.end(), [key](const auto& d) { return d.first == key; });
    if (!present) c->details.emplace_back(def.first, def.second);
  }
  // A map in Alertmanager: its keys are in sorted order wherever it is shown.
  std::sort(c->details.begin(), c->details.end());
  meta->url_set = c->url_set;
  return absl::OkStatus();
}

// ---- email ------------------------------------------------------------------------

// Go's strings.Title: upper-case the first letter of each word (words are
// separated by anything but letters, digits and '_').
std::string TitleCase(std::string_view s) {
  std::string out(s);
  bool at_start = true;
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    bool word = absl::ascii_isalnum(u) || c == '_' || u >= 0x80;
    if (word && at_start) c = absl::ascii_toupper(u);
    at_start = !word;
  }
  return out;
}

absl::Status ParseEmail(const YamlNode& n, EmailConfig* c, NotifierMeta* meta, std::string_view dir) {
  c->common.send_resolved = false;
  SecretPair password;
  std::string password_from_file;
  RETURN_IF_ERROR(ReadMap(n, "email_config",
                          {
                              {"send_resolved", Into(&c->common.send_resolved)},
                              {"to", Into(&c->to)},
                              {"from", Into(&c->from)},
                              {"hello", Into(&c->hello)},
                              {"smarthost",
                               [&](const YamlNode& v) -> absl::Status {
                                 ASSIGN_OR_RETURN(c->smarthost, config::ReadString(v));
                                 return CheckSmarthost(v, c->smarthost);
                               }},
                              {"auth_username", Into(&c->auth_username)},
                              {"auth_password",
                               [&](const YamlNode& v) -> absl::Status {
                                 ASSIGN_OR_RETURN(c->auth_password, config::ReadString(v));
                                 password.inline_set = !c->auth_password.empty();
                                 return absl::OkStatus();
                               }},
                              {"auth_password_file",
                               [&](const YamlNode& v) -> absl::Status {
                                 ASSIGN_OR_RETURN(std::string name, config::ReadString(v));
                                 if (name.empty()) return absl::OkStatus();
                                 if (password.inline_set)
                                   return n.Error(
                                       "at most one of auth_password & auth_password_file must be configured");
                                 ASSIGN_OR_RETURN(password_from_file, ReadSecretFile(v, "auth_password_file", dir));
                                 password.file_set = true;
                                 return absl::OkStatus();
                               }},
                              {"auth_secret", Into(&c->auth_secret)},
                              {"auth_identity", Into(&c->auth_identity)},
                              {"headers", Into(&c->headers)},
                              {"html", Into(&c->html)},
                              {"text", Into(&c->text)},
                              {"require_tls",
                               [&](const YamlNode& v) -> absl::Status {
                                 if (v.IsNull()) return absl::OkStatus();
                                 ASSIGN_OR_RETURN(c->require_tls, config::ReadBool(v));
                                 meta->require_tls_set = true;
                                 return absl::OkStatus();
                               }},
                          },
                          [&](const YamlEntry& e) -> absl::Status {
                            // tls_config: the HTTP client settings' TLS reader, on its own.
                            if (e.name() != "tls_config") return absl::NotFoundError("");
                            config::HttpClientConfig tmp;
                            config::LegacyBearer bearer;
                            RETURN_IF_ERROR(config::ParseHttpClientField(e, &tmp, &bearer));
                            config::ResolveHttpClientPaths(dir, &tmp);
                            c->tls_config = tmp.tls_config;
                            return absl::OkStatus();
                          }));
  if (c->to.empty()) return n.Error("missing to address in email config");
  if (password.inline_set && password.file_set) {
    return n.Error("at most one of auth_password & auth_password_file must be configured");
  }
  if (password.file_set) c->auth_password = password_from_file;
  // Header names are case-insensitive: normalise and refuse collisions.
  std::vector<std::pair<std::string, std::string>> headers;
  for (auto& [k, v] : c->headers) {
    std::string name = TitleCase(k);
    for (const auto& h : headers) {
      if (h.first == name) return n.Error(absl::StrCat("duplicate header ", GoQuote(name), " in email config"));
    }
    headers.emplace_back(std::move(name), std::move(v));
  }
  c->headers = std::move(headers);
  return absl::OkStatus();
}

void SetHeaderDefault(EmailConfig* c, std::string_view name, std::string_view value, size_t at) {
  for (const auto& h : c->headers) {
    if (h.first == name) return;
  }
  at = std::min(at, c->headers.size());
  c->headers.insert(c->headers.begin() + static_cast<std::ptrdiff_t>(at), {std::string(name), std::string(value)});
}

}  // namespace

absl::Status CheckSmarthost(const YamlNode& v, std::string_view s) {
  if (s.empty()) return absl::OkStatus();
  std::string_view host, port;
  if (!SplitHostPort(s, &host, &port)) {
    std::string why = "missing port in address";
    const size_t colons = std::count(s.begin(), s.end(), ':');
    if (s.starts_with("[") && s.find(']') == std::string_view::npos) {
      why = "missing ']' in address";
    } else if (s.find('[') != std::string_view::npos && !s.starts_with("[")) {
      why = "unexpected '[' in address";
    } else if (s.find(']') != std::string_view::npos && !s.starts_with("[")) {
      why = "unexpected ']' in address";
    } else if (colons > 1 && !s.starts_with("[")) {
      why = "too many colons in address";
    }
    return v.Error(absl::StrCat("address ", AV(s), ": ", why));
  }
  if (port.empty()) return v.Error(absl::StrCat("address ", GoQuote(s), ": port cannot be empty"));
  return absl::OkStatus();
}

absl::StatusOr<ParsedReceiver> ParseReceiver(const YamlNode& n, std::string_view dir) {
  ParsedReceiver p{Receiver{}, n, n, {}, {}, {}, {}};
  Receiver& r = p.receiver;
  auto refused = [&](const YamlEntry& e) -> absl::Status {
    for (std::string_view k : kRefusedReceivers) {
      if (e.name() != k) continue;
      if (e.value.IsScalar() && !e.value.IsNull()) return e.value.TypeError("[]config.Config");
      ASSIGN_OR_RETURN(auto items, e.value.Items());
      if (items.empty()) return absl::OkStatus();
      return e.key.Error(absl::StrCat(
          AV(k),
          " is not supported by pharos: use webhook_configs, slack_configs, pagerduty_configs or email_configs"));
    }
    return absl::NotFoundError("");
  };
  RETURN_IF_ERROR(ReadMap(
      n, "receiver",
      {
          {"name",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(r.name, config::ReadString(v));
             p.name_node = v;
             return absl::OkStatus();
           }},
          {"webhook_configs", IntoList(&r.webhook_configs, &p.webhook, "[]*config.WebhookConfig",
                                       [dir](const YamlNode& i, WebhookConfig* c, NotifierMeta* m) {
                                         return ParseWebhook(i, c, m, dir);
                                       })},
          {"slack_configs",
           IntoList(&r.slack_configs, &p.slack, "[]*config.SlackConfig",
                    [dir](const YamlNode& i, SlackConfig* c, NotifierMeta* m) { return ParseSlack(i, c, m, dir); })},
          {"pagerduty_configs", IntoList(&r.pagerduty_configs, &p.pagerduty, "[]*config.PagerdutyConfig",
                                         [dir](const YamlNode& i, PagerdutyConfig* c, NotifierMeta* m) {
                                           return ParsePagerduty(i, c, m, dir);
                                         })},
          {"email_configs",
           IntoList(&r.email_configs, &p.email, "[]*config.EmailConfig",
                    [dir](const YamlNode& i, EmailConfig* c, NotifierMeta* m) { return ParseEmail(i, c, m, dir); })},
      },
      refused));
  if (r.name.empty()) return n.Error("missing name in receiver");
  return p;
}

absl::Status ApplyGlobalDefaults(const GlobalConfig& g, const GlobalMeta& gm, ParsedReceiver* p) {
  Receiver& r = p->receiver;
  for (size_t i = 0; i < r.webhook_configs.size(); ++i) {
    if (!p->webhook[i].http_config_set) r.webhook_configs[i].common.http_config = g.http_config;
  }
  for (size_t i = 0; i < r.email_configs.size(); ++i) {
    EmailConfig& e = r.email_configs[i];
    const NotifierMeta& m = p->email[i];
    if (e.smarthost.empty()) {
      if (g.smtp_smarthost.empty()) return m.where.Error("no global SMTP smarthost set");
      e.smarthost = g.smtp_smarthost;
    }
    if (e.from.empty()) {
      if (g.smtp_from.empty()) return m.where.Error("no global SMTP from set");
      e.from = g.smtp_from;
    }
    if (e.hello.empty()) e.hello = g.smtp_hello;
    if (e.auth_username.empty()) e.auth_username = g.smtp_auth_username;
    if (e.auth_password.empty()) e.auth_password = g.smtp_auth_password;
    if (e.auth_secret.empty()) e.auth_secret = g.smtp_auth_secret;
    if (e.auth_identity.empty()) e.auth_identity = g.smtp_auth_identity;
    if (!m.require_tls_set) e.require_tls = g.smtp_require_tls;
    // What the email notifier adds when the headers lack them, where it
    // puts them: To and From first, Subject last.
    SetHeaderDefault(&e, "To", e.to, 0);
    SetHeaderDefault(&e, "From", e.from, 1);
    SetHeaderDefault(&e, "Subject", R"({{ template "email.default.subject" . }})", e.headers.size());
  }
  for (size_t i = 0; i < r.slack_configs.size(); ++i) {
    SlackConfig& s = r.slack_configs[i];
    const NotifierMeta& m = p->slack[i];
    if (!m.http_config_set) s.common.http_config = g.http_config;
    if (!m.url_set) {
      if (!gm.slack_api_url_set) return m.where.Error("no global Slack API URL set either inline or in a file");
      s.api_url = g.slack_api_url;
    }
  }
  for (size_t i = 0; i < r.pagerduty_configs.size(); ++i) {
    PagerdutyConfig& pd = r.pagerduty_configs[i];
    const NotifierMeta& m = p->pagerduty[i];
    if (!m.http_config_set) pd.common.http_config = g.http_config;
    if (!m.url_set) pd.url = g.pagerduty_url;
  }
  return absl::OkStatus();
}

}  // namespace pharos::am::internal
