// alertmanager.yml in Alertmanager 0.25's format: global, route tree,
// inhibit_rules, time_intervals (and the older mute_time_intervals),
// templates and receivers (webhook, Slack, PagerDuty, email).
//
// The loader is strict like Alertmanager's: unknown keys, wrong types, bad
// URLs, unknown receiver or time interval names, duplicate receivers and
// missing required settings are refused with "FILE:LINE:COL: message" (the
// message names the key). Defaults come from `global` as 0.25 fills them in,
// so a loaded Config is complete: notifiers never look at `global`.
//
// Receiver types that Pharos does not implement (opsgenie, wechat, pushover,
// victorops, sns, telegram, webex, discord) are refused by name.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "alertmanager/types.h"
#include "common/matcher.h"
#include "config/http_client_config.h"

namespace pharos::config {
class YamlNode;
}

namespace pharos::am {

// ---- time intervals -------------------------------------------------------

struct TimeRange {  // minutes of the day, [start, end)
  int start_minute = 0;
  int end_minute = 0;
};
struct InclusiveRange {  // e.g. weekdays 1..5 (Sunday = 0), days_of_month -1..-7, months 1..12
  int begin = 0;
  int end = 0;
};
struct TimeInterval {
  std::vector<TimeRange> times;
  std::vector<InclusiveRange> weekdays;
  std::vector<InclusiveRange> days_of_month;
  std::vector<InclusiveRange> months;
  std::vector<InclusiveRange> years;
  std::string location = "UTC";  // IANA name; "Local" is the server's zone
  // True when `t` falls in this interval (every non-empty field matches).
  bool Contains(absl::Time t) const;
};
struct NamedTimeInterval {
  std::string name;
  std::vector<TimeInterval> intervals;  // any of them
  bool Contains(absl::Time t) const;
};

// ---- route tree -----------------------------------------------------------

struct Route {
  std::string receiver;
  // group_by as written; group_by_all is true for ['...'].
  std::vector<std::string> group_by;
  bool group_by_all = false;
  bool continue_matching = false;  // `continue`
  // match, match_re and matchers, all converted to matchers (match_re values
  // anchored as Alertmanager anchors them).
  Matchers matchers;
  absl::Duration group_wait = absl::Seconds(30);
  absl::Duration group_interval = absl::Minutes(5);
  absl::Duration repeat_interval = absl::Hours(4);
  std::vector<std::string> mute_time_intervals;
  std::vector<std::string> active_time_intervals;
  std::vector<std::unique_ptr<Route>> routes;

  Route() = default;
  Route(const Route&) = delete;
  Route& operator=(const Route&) = delete;
  Route(Route&&) = default;
  Route& operator=(Route&&) = default;
};

struct InhibitRule {
  Matchers source_matchers;  // source_match, source_match_re, source_matchers
  Matchers target_matchers;  // target_match, target_match_re, target_matchers
  std::vector<std::string> equal;
};

// ---- receivers ------------------------------------------------------------

// Settings shared by every notifier.
struct NotifierCommon {
  bool send_resolved = false;
  config::HttpClientConfig http_config;  // from global.http_config unless set
};

struct WebhookConfig {
  NotifierCommon common;  // send_resolved defaults to true
  std::string url;        // url or url_file (read at load time)
  uint64_t max_alerts = 0;  // 0: all
};

struct SlackField {
  std::string title;
  std::string value;
  bool short_field = false;  // `short`
  bool has_short = false;
};
struct SlackAction {
  std::string type, text, url, style, name, value;
  // confirm: {title, text, ok_text, dismiss_text}
  std::string confirm_title, confirm_text, confirm_ok_text, confirm_dismiss_text;
  bool has_confirm = false;
};
struct SlackConfig {
  NotifierCommon common;  // send_resolved defaults to false
  std::string api_url;    // api_url / api_url_file or global.slack_api_url(_file)
  // Templated strings, defaults as in 0.25 ("{{ template \"slack.default.title\" . }}" …).
  std::string channel, username, color, title, title_link, pretext, text, footer, fallback,
      callback_id, icon_emoji, icon_url, image_url, thumb_url;
  bool short_fields = false;
  bool link_names = false;
  std::vector<std::string> mrkdwn_in;  // default ["fallback","pretext","text"]
  std::vector<SlackField> fields;
  std::vector<SlackAction> actions;
};

struct PagerdutyImage { std::string src, alt, href; };
struct PagerdutyLink { std::string href, text; };
struct PagerdutyConfig {
  NotifierCommon common;  // send_resolved defaults to true
  std::string service_key;  // Events API v1 (service_key / service_key_file)
  std::string routing_key;  // Events API v2 (routing_key / routing_key_file)
  // Explicit `url`, else global.pagerduty_url for v2. For v1 the notifier
  // uses `url` when it was written in the file and PagerDuty's v1 endpoint
  // otherwise; url_set says which.
  std::string url;
  bool url_set = false;
  std::string client, client_url, description, severity, clazz /* class */, component, group, source;
  std::vector<std::pair<std::string, std::string>> details;  // templated values, in key order
  std::vector<PagerdutyImage> images;
  std::vector<PagerdutyLink> links;
};

struct EmailConfig {
  NotifierCommon common;  // send_resolved defaults to false
  std::string to, from, hello, smarthost /* host:port */;
  std::string auth_username, auth_password, auth_secret, auth_identity;
  bool require_tls = true;
  config::TlsConfig tls_config;  // tls_config for STARTTLS / implicit TLS
  std::vector<std::pair<std::string, std::string>> headers;  // To/From/Subject defaulted, templated
  std::string html = "{{ template \"email.default.html\" . }}";
  std::string text;
};

struct Receiver {
  std::string name;
  std::vector<WebhookConfig> webhook_configs;
  std::vector<SlackConfig> slack_configs;
  std::vector<PagerdutyConfig> pagerduty_configs;
  std::vector<EmailConfig> email_configs;
};

// ---- the whole file -------------------------------------------------------

struct GlobalConfig {
  absl::Duration resolve_timeout = absl::Minutes(5);
  // The rest only feed the receivers' defaults during loading; kept for
  // /api/v2/status.
  std::string slack_api_url, pagerduty_url = "https://events.pagerduty.com/v2/enqueue";
  std::string smtp_from, smtp_hello = "localhost", smtp_smarthost;
  std::string smtp_auth_username, smtp_auth_password, smtp_auth_secret, smtp_auth_identity;
  bool smtp_require_tls = true;
  config::HttpClientConfig http_config;
};

struct Config {
  GlobalConfig global;
  std::unique_ptr<Route> route;  // always set after loading
  std::vector<InhibitRule> inhibit_rules;
  std::vector<NamedTimeInterval> time_intervals;  // time_intervals + mute_time_intervals
  std::vector<std::string> templates;             // resolved file paths (globs expanded at load)
  std::vector<Receiver> receivers;
  // The text the config was loaded from (for /api/v2/status "original"),
  // with secrets as written; Dump() masks them.
  std::string original;

  const Receiver* FindReceiver(std::string_view name) const;
  const NamedTimeInterval* FindTimeInterval(std::string_view name) const;
};

// Parses an alertmanager.yml document. `filename` is used in messages and to
// resolve relative paths (templates, *_file keys) against its folder.
absl::StatusOr<Config> LoadConfig(std::string_view text, std::string_view filename);
absl::StatusOr<Config> LoadConfigFile(const std::string& path);
// The same from a mapping node, for the config nested under `alertmanager:`
// in pharos' own config file; `dir` resolves relative paths.
absl::StatusOr<Config> LoadConfigNode(const config::YamlNode& node, std::string_view dir);

// The config as YAML in Alertmanager's layout with secrets shown as
// <secret>, for GET /api/v2/status.
std::string DumpConfig(const Config& c);

}  // namespace pharos::am
