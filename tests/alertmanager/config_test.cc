// alertmanager.yml loading: Alertmanager 0.25's defaults, inheritance and
// checks (messages as amtool check-config prints them, at FILE:LINE:COL),
// the guide's example, time intervals, matcher syntax and DumpConfig.
#include "alertmanager/config.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/time/civil_time.h"
#include "alertmanager/config_matchers.h"
#include "common/strings.h"
#include "config/yaml_node.h"

namespace pharos::am {
namespace {

const std::string kTestdata = std::string(PHAROS_SOURCE_DIR) + "/tests/alertmanager/testdata/config/";

// A minimal valid head for cases that test one part.
constexpr char kHead[] = "route: {receiver: a}\nreceivers: [{name: a}]\n";

Config MustLoad(std::string_view yaml) {
  auto c = LoadConfig(yaml, "t.yml");
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return Config{};
  return *std::move(c);
}

std::string LoadError(std::string_view yaml) {
  auto c = LoadConfig(yaml, "t.yml");
  if (c.ok()) return "loaded";
  return std::string(SV(c.status().message()));
}

std::string Str(const Matcher& m) { return m.ToString(); }

// ---- the guide ------------------------------------------------------------------

TEST(AmConfigGuide, AsPrintedIsRefusedAtSlackApiUrl) {
  auto c = LoadConfigFile(kTestdata + "guide.yml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(std::string(SV(c.status().message())),
            kTestdata + "guide.yml:4:18: slack_api_url: unsupported scheme \"\" for URL");
}

TEST(AmConfigGuide, FilledInLoadsWithItsRouteTree) {
  auto c = LoadConfigFile(kTestdata + "guide_filled.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->global.resolve_timeout, absl::Minutes(5));
  const Route& root = *c->route;
  EXPECT_EQ(root.receiver, "default");
  EXPECT_EQ(root.group_by, (std::vector<std::string>{"alertname", "severity"}));
  EXPECT_EQ(root.group_wait, absl::Seconds(10));
  EXPECT_EQ(root.group_interval, absl::Seconds(10));
  EXPECT_EQ(root.repeat_interval, absl::Hours(12));
  EXPECT_TRUE(root.matchers.empty());
  ASSERT_EQ(root.routes.size(), 2u);
  const Route& critical = *root.routes[0];
  const Route& warning = *root.routes[1];
  EXPECT_EQ(critical.receiver, "pagerduty");
  ASSERT_EQ(critical.matchers.size(), 1u);
  EXPECT_EQ(Str(critical.matchers[0]), "severity=\"critical\"");
  EXPECT_EQ(warning.receiver, "slack");
  ASSERT_EQ(warning.matchers.size(), 1u);
  EXPECT_EQ(Str(warning.matchers[0]), "severity=\"warning\"");
  for (const Route* r : {&critical, &warning}) {
    // Children inherit grouping and timing; they do not continue.
    EXPECT_EQ(r->group_by, root.group_by);
    EXPECT_EQ(r->group_wait, absl::Seconds(10));
    EXPECT_EQ(r->repeat_interval, absl::Hours(12));
    EXPECT_FALSE(r->continue_matching);
    EXPECT_TRUE(r->routes.empty());
  }
  ASSERT_EQ(c->receivers.size(), 3u);
  const Receiver* def = c->FindReceiver("default");
  ASSERT_NE(def, nullptr);
  ASSERT_EQ(def->slack_configs.size(), 1u);
  EXPECT_EQ(def->slack_configs[0].api_url, "https://hooks.slack.com/services/T000/B000/XXXX");
  EXPECT_EQ(def->slack_configs[0].channel, "#alerts");
  EXPECT_EQ(def->slack_configs[0].title, "AutoDealGenie Alert");
  const Receiver* pd = c->FindReceiver("pagerduty");
  ASSERT_NE(pd, nullptr);
  ASSERT_EQ(pd->pagerduty_configs.size(), 1u);
  EXPECT_EQ(pd->pagerduty_configs[0].service_key, "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(pd->pagerduty_configs[0].routing_key.empty());
  EXPECT_FALSE(pd->pagerduty_configs[0].url_set);
  EXPECT_EQ(c->FindReceiver("slack")->slack_configs[0].channel, "#warnings");
  EXPECT_EQ(c->FindReceiver("nope"), nullptr);
}

// ---- errors -----------------------------------------------------------------------

struct ErrorCase {
  const char* name;
  std::string yaml;
  const char* error;
};

std::string WithHead(std::string_view rest) { return std::string(kHead) + std::string(rest); }
std::string Receivers(std::string_view items) {
  return "global: {slack_api_url: 'http://s', smtp_smarthost: 'a:25', smtp_from: f}\n"
         "route: {receiver: a}\nreceivers:\n- name: a\n  " +
         std::string(items) + "\n";
}
std::string Interval(std::string_view spec) {
  return WithHead("time_intervals:\n- name: x\n  time_intervals:\n  - " + std::string(spec) + "\n");
}

class AmConfigErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(AmConfigErrors, Message) { EXPECT_EQ(LoadError(GetParam().yaml), GetParam().error) << GetParam().yaml; }

const ErrorCase kErrors[] = {
    // top level and route
    {"empty", "", "t.yml:1:1: no route provided in config"},
    {"unknown top key", WithHead("routes: []\n"), "t.yml:3:1: field routes not found in type config"},
    {"no route", "receivers: [{name: a}]\n", "t.yml:1:1: no routes provided"},
    {"root without receiver", "route:\n  group_by: [a]\nreceivers: [{name: a}]\n",
     "t.yml:2:3: root route must specify a default receiver"},
    {"root with matchers", "route: {receiver: a, matchers: [a=b]}\nreceivers: [{name: a}]\n",
     "t.yml:1:8: root route must not have any matchers"},
    {"root with match", "route:\n  receiver: a\n  match: {a: b}\nreceivers: [{name: a}]\n",
     "t.yml:2:3: root route must not have any matchers"},
    {"root continue", "route: {receiver: a, continue: true}\nreceivers: [{name: a}]\n",
     "t.yml:1:8: cannot have continue in root route"},
    {"root mute", "route:\n  receiver: a\n  mute_time_intervals: [x]\nreceivers: [{name: a}]\n",
     "t.yml:3:24: root route must not have any mute time intervals"},
    {"root active", "route:\n  receiver: a\n  active_time_intervals: [x]\nreceivers: [{name: a}]\n",
     "t.yml:3:26: root route must not have any active time intervals"},
    {"unknown receiver", "route:\n  receiver: a\n  routes:\n  - receiver: b\nreceivers: [{name: a}]\n",
     "t.yml:4:15: undefined receiver \"b\" used in route"},
    {"unknown root receiver", "route: {receiver: x}\nreceivers: [{name: a}]\n",
     "t.yml:1:19: undefined receiver \"x\" used in route"},
    {"duplicate receiver", "route: {receiver: a}\nreceivers:\n- name: a\n- name: a\n",
     "t.yml:4:9: notification config name \"a\" is not unique"},
    {"receiver without name", "route: {receiver: a}\nreceivers:\n- name: a\n- webhook_configs: []\n",
     "t.yml:4:3: missing name in receiver"},
    {"unknown route key", "route:\n  receiver: a\n  group: [a]\nreceivers: [{name: a}]\n",
     "t.yml:3:3: field group not found in type route"},
    {"undefined time interval",
     "route:\n  receiver: a\n  routes:\n  - mute_time_intervals: [x]\nreceivers: [{name: a}]\n",
     "t.yml:4:27: undefined time interval \"x\" used in route"},
    {"undefined active interval",
     "route:\n  receiver: a\n  routes:\n  - active_time_intervals: [y]\nreceivers: [{name: a}]\ntime_intervals: "
     "[{name: x}]\n",
     "t.yml:4:29: undefined time interval \"y\" used in route"},
    {"group_by mixing ...", "route:\n  receiver: a\n  group_by: [a, '...']\nreceivers: [{name: a}]\n",
     "t.yml:3:17: cannot have wildcard group_by (`...`) and other other labels at the same time"},
    {"group_by duplicate", "route:\n  receiver: a\n  group_by: [a, a]\nreceivers: [{name: a}]\n",
     "t.yml:3:17: duplicated label \"a\" in group_by"},
    {"group_by bad name", "route:\n  receiver: a\n  group_by: [a-b]\nreceivers: [{name: a}]\n",
     "t.yml:3:14: invalid label name \"a-b\" in group_by list"},
    {"zero group_interval", "route:\n  receiver: a\n  group_interval: 0s\nreceivers: [{name: a}]\n",
     "t.yml:3:19: group_interval cannot be zero"},
    {"zero repeat_interval", "route:\n  receiver: a\n  repeat_interval: 0s\nreceivers: [{name: a}]\n",
     "t.yml:3:20: repeat_interval cannot be zero"},
    {"bad duration", "route:\n  receiver: a\n  group_wait: soon\nreceivers: [{name: a}]\n",
     "t.yml:3:15: not a valid duration string: \"soon\""},
    {"match bad label", "route:\n  receiver: a\n  routes:\n  - match: {a-b: x}\n",
     "t.yml:4:13: invalid label name \"a-b\""},
    {"match_re null", "route:\n  receiver: a\n  routes:\n  - match_re: {foo: }\n",
     "t.yml:4:16: invalid regexp value for \"foo\""},
    {"match_re bad regex", "route:\n  receiver: a\n  routes:\n  - match_re: {foo: '('}\n",
     "t.yml:4:21: invalid regular expression \"(\": missing ): ^(?:()$"},
    {"matchers bad format", "route:\n  receiver: a\n  routes:\n  - matchers: ['a b']\n",
     "t.yml:4:16: bad matcher format: a b"},
    {"matchers unescaped quote", "route:\n  receiver: a\n  routes:\n  - matchers: ['a=\"b']\n",
     "t.yml:4:16: matcher value contains unescaped double quote: \"b"},
    {"continue not bool", "route:\n  receiver: a\n  routes:\n  - continue: maybe\n",
     "t.yml:4:15: cannot unmarshal !!str `maybe` into bool"},
    // inhibit rules
    {"inhibit equal bad", WithHead("inhibit_rules:\n- equal: [a-b]\n"),
     "t.yml:4:11: \"a-b\" is not a valid label name"},
    {"inhibit source bad label", WithHead("inhibit_rules:\n- source_match: {a-b: x}\n"),
     "t.yml:4:18: invalid label name \"a-b\""},
    {"inhibit source_re null", WithHead("inhibit_rules:\n- target_match_re: {a: }\n"),
     "t.yml:4:21: invalid regexp value for \"a\""},
    {"inhibit unknown key", WithHead("inhibit_rules:\n- source: {a: b}\n"),
     "t.yml:4:3: field source not found in type inhibit_rule"},
    // global
    {"unknown global key", "global:\n  discord_api_url: http://x\n" + std::string(kHead),
     "t.yml:2:3: field discord_api_url not found in type global"},
    {"global slack url and file",
     "global:\n  slack_api_url: 'http://s'\n  slack_api_url_file: /x\n" + std::string(kHead),
     "t.yml:3:23: at most one of slack_api_url & slack_api_url_file must be configured"},
    {"global smarthost without port", "global:\n  smtp_smarthost: a\n" + std::string(kHead),
     "t.yml:2:19: address a: missing port in address"},
    {"global pagerduty_url bad", "global:\n  pagerduty_url: x\n" + std::string(kHead),
     "t.yml:2:18: pagerduty_url: unsupported scheme \"\" for URL"},
    {"global http_config bad", "global:\n  http_config: {foo: 1}\n" + std::string(kHead),
     "t.yml:2:17: field foo not found in type http_config"},
    // receivers
    {"email without smarthost", "route: {receiver: a}\nreceivers:\n- name: a\n  email_configs:\n  - to: x\n",
     "t.yml:5:5: no global SMTP smarthost set"},
    {"email without from",
     "global: {smtp_smarthost: 'a:25'}\nroute: {receiver: a}\nreceivers:\n- name: a\n  email_configs:\n  - to: x\n",
     "t.yml:6:5: no global SMTP from set"},
    {"email without to", Receivers("email_configs: [{from: x}]"), "t.yml:5:19: missing to address in email config"},
    {"email duplicate header", Receivers("email_configs: [{to: x, headers: {subject: a, Subject: b}}]"),
     "t.yml:5:19: duplicate header \"Subject\" in email config"},
    {"email smarthost empty port", Receivers("email_configs: [{to: x, smarthost: 'foo:'}]"),
     "t.yml:5:38: address \"foo:\": port cannot be empty"},
    {"email smarthost colons", Receivers("email_configs: [{to: x, smarthost: 'a:b:c'}]"),
     "t.yml:5:38: address a:b:c: too many colons in address"},
    {"email http_config refused", Receivers("email_configs: [{to: x, http_config: {}}]"),
     "t.yml:5:27: field http_config not found in type email_config"},
    {"slack without any api url", "route: {receiver: a}\nreceivers:\n- name: a\n  slack_configs:\n  - channel: x\n",
     "t.yml:5:5: no global Slack API URL set either inline or in a file"},
    {"slack api_url and file", Receivers("slack_configs: [{api_url: 'http://x', api_url_file: secrets/x}]"),
     "t.yml:5:19: at most one of api_url & api_url_file must be configured"},
    {"slack bad api_url", Receivers("slack_configs: [{api_url: 'ftp://x'}]"),
     "t.yml:5:29: api_url: unsupported scheme \"ftp\" for URL"},
    {"slack action without type", Receivers("slack_configs: [{actions: [{text: x}]}]"),
     "t.yml:5:30: missing type in Slack action configuration"},
    {"slack action without text", Receivers("slack_configs: [{actions: [{type: x}]}]"),
     "t.yml:5:30: missing text in Slack action configuration"},
    {"slack action without name or url", Receivers("slack_configs: [{actions: [{type: x, text: y}]}]"),
     "t.yml:5:30: missing name or url in Slack action configuration"},
    {"slack confirm without text",
     Receivers("slack_configs: [{actions: [{type: x, text: y, name: z, confirm: {title: t}}]}]"),
     "t.yml:5:67: missing text in Slack confirmation configuration"},
    {"slack field without title", Receivers("slack_configs: [{fields: [{value: x}]}]"),
     "t.yml:5:29: missing title in Slack field configuration"},
    {"slack field without value", Receivers("slack_configs: [{fields: [{title: x}]}]"),
     "t.yml:5:29: missing value in Slack field configuration"},
    {"pagerduty without key", Receivers("pagerduty_configs: [{}]"),
     "t.yml:5:23: missing service or routing key in PagerDuty config"},
    {"pagerduty routing key twice",
     Receivers("pagerduty_configs: [{routing_key: x, routing_key_file: secrets/pd_key}]"),
     "t.yml:5:23: at most one of routing_key & routing_key_file must be configured"},
    {"pagerduty bad url", Receivers("pagerduty_configs: [{routing_key: x, url: 'http://'}]"),
     "t.yml:5:45: url: missing host for URL"},
    {"pagerduty image unknown key", Receivers("pagerduty_configs: [{routing_key: x, images: [{src: a, foo: b}]}]"),
     "t.yml:5:58: field foo not found in type pagerduty_image"},
    {"webhook without url", Receivers("webhook_configs: [{}]"), "t.yml:5:21: missing URL in webhook config"},
    {"webhook bad url", Receivers("webhook_configs: [{url: x}]"), "t.yml:5:27: url: unsupported scheme \"\" for URL"},
    {"webhook host with space", Receivers("webhook_configs: [{url: 'http://a b'}]"),
     "t.yml:5:27: url: parse \"http://a b\": invalid character \" \" in host name"},
    {"webhook url bad escape", Receivers("webhook_configs: [{url: 'http://x%zz/'}]"),
     "t.yml:5:27: url: parse \"http://x%zz/\": invalid URL escape \"%zz\""},
    {"webhook url colon in first segment", Receivers("webhook_configs: [{url: '1http://x'}]"),
     "t.yml:5:27: url: parse \"1http://x\": first path segment in URL cannot contain colon"},
    {"webhook url missing bracket", Receivers("webhook_configs: [{url: 'http://[::1/'}]"),
     "t.yml:5:27: url: parse \"http://[::1/\": missing ']' in host"},
    {"webhook url bad port", Receivers("webhook_configs: [{url: 'http://x:abc/'}]"),
     "t.yml:5:27: url: parse \"http://x:abc/\": invalid port \":abc\" after host"},
    {"webhook url missing scheme", Receivers("webhook_configs: [{url: ':foo'}]"),
     "t.yml:5:27: url: parse \":foo\": missing protocol scheme"},
    {"webhook url without host", Receivers("webhook_configs: [{url: 'http:/x'}]"),
     "t.yml:5:27: url: missing host for URL"},
    {"webhook negative max_alerts", Receivers("webhook_configs: [{url: 'http://x', max_alerts: -1}]"),
     "t.yml:5:51: cannot unmarshal !!int `-1` into uint"},
    {"refused receiver type", Receivers("opsgenie_configs: [{api_key: x}]"),
     "t.yml:5:3: opsgenie_configs is not supported by pharos: use webhook_configs, slack_configs, pagerduty_configs or "
     "email_configs"},
    {"unknown receiver key", Receivers("foo_configs: []"), "t.yml:5:3: field foo_configs not found in type receiver"},
    // time intervals
    {"time interval without name", WithHead("time_intervals:\n- time_intervals: []\n"),
     "t.yml:4:3: missing name in time interval"},
    {"mute time interval without name", WithHead("mute_time_intervals:\n- time_intervals: []\n"),
     "t.yml:4:3: missing name in mute time interval"},
    {"time interval twice", WithHead("time_intervals:\n- name: x\n- name: x\n"),
     "t.yml:5:3: time interval \"x\" is not unique"},
    {"mute and time interval share a name", WithHead("mute_time_intervals:\n- name: x\ntime_intervals:\n- name: x\n"),
     "t.yml:6:3: time interval \"x\" is not unique"},
    {"mute interval twice", WithHead("mute_time_intervals:\n- name: x\n- name: x\n"),
     "t.yml:5:3: mute time interval \"x\" is not unique"},
    {"times without end", Interval("times: [{start_time: '10:00'}]"),
     "t.yml:6:13: both start and end times must be provided"},
    {"times reversed", Interval("times: [{start_time: '10:00', end_time: '09:00'}]"),
     "t.yml:6:13: start time cannot be equal or greater than end time"},
    {"times bad format", Interval("times: [{start_time: '1:00', end_time: '24:00'}]"),
     "t.yml:6:13: couldn't parse timestamp 1:00, invalid format"},
    {"times 24:01", Interval("times: [{start_time: '00:00', end_time: '24:01'}]"),
     "t.yml:6:13: couldn't parse timestamp 24:01, invalid format"},
    {"times unknown key", Interval("times: [{start_time: '10:00', end_time: '11:00', foo: 1}]"),
     "t.yml:6:54: field foo not found in type time_range"},
    {"weekday abbreviation", Interval("weekdays: [mon]"), "t.yml:6:16: mon is not a valid weekday"},
    {"weekday reversed", Interval("weekdays: ['friday:monday']"), "t.yml:6:16: start day cannot be before end day"},
    {"weekday three parts", Interval("weekdays: ['monday:tuesday:friday']"),
     "t.yml:6:16: couldn't parse range monday:tuesday:friday, invalid format"},
    {"day of month zero", Interval("days_of_month: ['0']"),
     "t.yml:6:21: 0 is not a valid day of the month: out of range"},
    {"day of month 40", Interval("days_of_month: ['40']"),
     "t.yml:6:21: 40 is not a valid day of the month: out of range"},
    {"day of month -32", Interval("days_of_month: ['-31:-30', '-32']"),
     "t.yml:6:32: -32 is not a valid day of the month: out of range"},
    {"day of month sign mix", Interval("days_of_month: ['-1:5']"),
     "t.yml:6:21: end day must be negative if start day is negative"},
    {"day of month reversed", Interval("days_of_month: ['20:10']"),
     "t.yml:6:21: end day 10 is always before start day 20"},
    {"day of month reversed negative", Interval("days_of_month: ['28:-1']"),
     "t.yml:6:21: end day -1 is always before start day 28"},
    {"day of month not a number", Interval("days_of_month: [x]"),
     "t.yml:6:21: strconv.Atoi: parsing \"x\": invalid syntax"},
    {"month abbreviation", Interval("months: ['dec:jan']"), "t.yml:6:14: dec is not a valid month"},
    {"month reversed", Interval("months: ['december:january']"),
     "t.yml:6:14: end month january is before start month december"},
    {"month number reversed", Interval("months: ['13:1']"), "t.yml:6:14: end month january is before start month "},
    {"year reversed", Interval("years: ['2021:2020']"), "t.yml:6:13: end year 2020 is before start year 2021"},
    {"unknown zone", Interval("location: 'Nowhere/Zone'"), "t.yml:6:15: unknown time zone Nowhere/Zone"},
    // templates
    {"template glob too wide", WithHead("templates: ['/*/*/*.tmpl']\n"),
     "t.yml:3:13: template glob \"/*/*/*.tmpl\" has more than 2 path segments with wildcards"},
    // YAML level
    {"duplicate key", "route: {receiver: a}\nroute: {receiver: a}\n",
     "t.yml:2:1: mapping key \"route\" already defined at line 1"},
    {"scalar receivers", "route: {receiver: a}\nreceivers: 3\n",
     "t.yml:2:12: cannot unmarshal !!int `3` into []config.Receiver"},
};

INSTANTIATE_TEST_SUITE_P(All, AmConfigErrors, testing::ValuesIn(kErrors), [](const auto& info) {
  std::string n = info.param.name;
  for (char& c : n) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
});

// ---- defaults and inheritance ---------------------------------------------------------

TEST(AmConfigDefaults, MinimalConfigGetsAlertmanagerDefaults) {
  Config c = MustLoad(
      "route: {receiver: r}\n"
      "receivers:\n"
      "- name: r\n"
      "  webhook_configs: [{url: 'http://127.0.0.1:9/'}]\n"
      "  slack_configs: [{api_url: 'https://hooks.example/x'}]\n"
      "  pagerduty_configs: [{routing_key: k}]\n"
      "  email_configs: [{to: a@b, from: c@d, smarthost: 'smtp:25'}]\n");
  EXPECT_EQ(c.global.resolve_timeout, absl::Minutes(5));
  EXPECT_EQ(c.global.smtp_hello, "localhost");
  EXPECT_TRUE(c.global.smtp_require_tls);
  EXPECT_EQ(c.route->group_wait, absl::Seconds(30));
  EXPECT_EQ(c.route->group_interval, absl::Minutes(5));
  EXPECT_EQ(c.route->repeat_interval, absl::Hours(4));
  EXPECT_TRUE(c.route->group_by.empty());
  EXPECT_FALSE(c.route->group_by_all);
  const Receiver& r = c.receivers.at(0);

  const WebhookConfig& w = r.webhook_configs.at(0);
  EXPECT_TRUE(w.common.send_resolved);
  EXPECT_EQ(w.max_alerts, 0u);
  EXPECT_TRUE(w.common.http_config.follow_redirects);

  const SlackConfig& s = r.slack_configs.at(0);
  EXPECT_FALSE(s.common.send_resolved);
  EXPECT_EQ(s.color, R"({{ if eq .Status "firing" }}danger{{ else }}good{{ end }})");
  EXPECT_EQ(s.username, R"({{ template "slack.default.username" . }})");
  EXPECT_EQ(s.title, R"({{ template "slack.default.title" . }})");
  EXPECT_EQ(s.title_link, R"({{ template "slack.default.titlelink" . }})");
  EXPECT_EQ(s.icon_emoji, R"({{ template "slack.default.iconemoji" . }})");
  EXPECT_EQ(s.icon_url, R"({{ template "slack.default.iconurl" . }})");
  EXPECT_EQ(s.pretext, R"({{ template "slack.default.pretext" . }})");
  EXPECT_EQ(s.text, R"({{ template "slack.default.text" . }})");
  EXPECT_EQ(s.fallback, R"({{ template "slack.default.fallback" . }})");
  EXPECT_EQ(s.callback_id, R"({{ template "slack.default.callbackid" . }})");
  EXPECT_EQ(s.footer, R"({{ template "slack.default.footer" . }})");
  EXPECT_EQ(s.channel, "");
  EXPECT_EQ(s.image_url, "");
  EXPECT_EQ(s.mrkdwn_in, (std::vector<std::string>{"fallback", "pretext", "text"}));

  const PagerdutyConfig& p = r.pagerduty_configs.at(0);
  EXPECT_TRUE(p.common.send_resolved);
  EXPECT_EQ(p.url, "https://events.pagerduty.com/v2/enqueue");
  EXPECT_FALSE(p.url_set);
  EXPECT_EQ(p.description, R"({{ template "pagerduty.default.description" .}})");
  EXPECT_EQ(p.client, R"({{ template "pagerduty.default.client" . }})");
  EXPECT_EQ(p.client_url, R"({{ template "pagerduty.default.clientURL" . }})");
  EXPECT_EQ(p.source, p.client);
  EXPECT_EQ(p.severity, "error");
  std::vector<std::pair<std::string, std::string>> details = {
      {"firing", R"({{ template "pagerduty.default.instances" .Alerts.Firing }})"},
      {"num_firing", "{{ .Alerts.Firing | len }}"},
      {"num_resolved", "{{ .Alerts.Resolved | len }}"},
      {"resolved", R"({{ template "pagerduty.default.instances" .Alerts.Resolved }})"},
  };
  EXPECT_EQ(p.details, details);

  const EmailConfig& e = r.email_configs.at(0);
  EXPECT_FALSE(e.common.send_resolved);
  EXPECT_EQ(e.hello, "localhost");
  EXPECT_TRUE(e.require_tls);
  EXPECT_EQ(e.html, R"({{ template "email.default.html" . }})");
  EXPECT_EQ(e.text, "");
  std::vector<std::pair<std::string, std::string>> headers = {
      {"To", "a@b"}, {"From", "c@d"}, {"Subject", R"({{ template "email.default.subject" . }})"}};
  EXPECT_EQ(e.headers, headers);
}

TEST(AmConfigDefaults, ChildrenInheritReceiverGroupingAndTimings) {
  Config c = MustLoad(
      "route:\n"
      "  receiver: a\n"
      "  group_by: ['...']\n"
      "  group_wait: 1s\n"
      "  routes:\n"
      "  - match: {x: '1'}\n"
      "    group_by: [x]\n"
      "    routes:\n"
      "    - match: {y: '2'}\n"
      "      receiver: b\n"
      "      group_interval: 7m\n"
      "  - match: {x: '2'}\n"
      "    group_by: []\n"
      "receivers: [{name: a}, {name: b}]\n");
  const Route& r1 = *c.route->routes.at(0);
  EXPECT_EQ(r1.receiver, "a");
  EXPECT_FALSE(r1.group_by_all);  // explicit labels replace '...'
  EXPECT_EQ(r1.group_by, (std::vector<std::string>{"x"}));
  EXPECT_EQ(r1.group_wait, absl::Seconds(1));
  const Route& r11 = *r1.routes.at(0);
  EXPECT_EQ(r11.receiver, "b");
  EXPECT_EQ(r11.group_by, (std::vector<std::string>{"x"}));
  EXPECT_EQ(r11.group_wait, absl::Seconds(1));
  EXPECT_EQ(r11.group_interval, absl::Minutes(7));
  EXPECT_EQ(r11.repeat_interval, absl::Hours(4));
  const Route& r2 = *c.route->routes.at(1);
  EXPECT_TRUE(r2.group_by_all);  // an empty list inherits, as in Alertmanager
}

TEST(AmConfigFull, EveryPartLoads) {
  auto loaded = LoadConfigFile(kTestdata + "full.yml");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Config& c = *loaded;
  EXPECT_EQ(c.global.resolve_timeout, absl::Minutes(2));
  EXPECT_EQ(c.global.smtp_auth_password, "smtp-pass");
  EXPECT_EQ(c.templates, (std::vector<std::string>{kTestdata + "templates/a.tmpl", kTestdata + "templates/b.tmpl"}));

  const Route& root = *c.route;
  EXPECT_EQ(root.receiver, "team-email");
  EXPECT_EQ(root.group_by, (std::vector<std::string>{"alertname", "cluster"}));
  ASSERT_EQ(root.routes.size(), 3u);
  const Route& db = *root.routes[0];
  EXPECT_EQ(db.receiver, "team-pager");
  EXPECT_TRUE(db.group_by_all);
  EXPECT_TRUE(db.group_by.empty());
  EXPECT_TRUE(db.continue_matching);
  ASSERT_EQ(db.matchers.size(), 2u);
  EXPECT_EQ(Str(db.matchers[0]), "env!=\"dev\"");  // sorted by name as Alertmanager sorts them
  EXPECT_EQ(Str(db.matchers[1]), "service=~\"db|cache\"");
  EXPECT_EQ(db.group_wait, absl::Seconds(20));
  const Route& crit = *db.routes.at(0);
  EXPECT_EQ(crit.receiver, "team-pager");
  EXPECT_TRUE(crit.group_by_all);
  EXPECT_EQ(crit.group_wait, absl::Seconds(5));
  EXPECT_EQ(crit.group_interval, absl::Minutes(2));
  EXPECT_EQ(crit.mute_time_intervals, (std::vector<std::string>{"weekends"}));
  ASSERT_EQ(crit.matchers.size(), 1u);
  EXPECT_TRUE(crit.matchers[0].Matches("critical"));
  EXPECT_FALSE(crit.matchers[0].Matches("subcritical"));  // match_re is anchored
  const Route& fe = *root.routes[1];
  EXPECT_EQ(fe.receiver, "team-slack");
  EXPECT_EQ(fe.active_time_intervals, (std::vector<std::string>{"business-hours"}));
  EXPECT_EQ(fe.repeat_interval, absl::Hours(1));
  EXPECT_EQ(fe.group_by, root.group_by);
  EXPECT_EQ(Str(root.routes[2]->matchers.at(0)), "alertname=\"Watchdog\"");

  ASSERT_EQ(c.inhibit_rules.size(), 2u);
  EXPECT_EQ(Str(c.inhibit_rules[0].source_matchers.at(0)), "severity=\"critical\"");
  EXPECT_EQ(Str(c.inhibit_rules[0].target_matchers.at(0)), "severity=~\"warning|info\"");
  EXPECT_FALSE(c.inhibit_rules[0].target_matchers[0].Matches("warning2"));
  EXPECT_EQ(c.inhibit_rules[0].equal, (std::vector<std::string>{"alertname", "cluster"}));
  EXPECT_EQ(Str(c.inhibit_rules[1].source_matchers.at(0)), "alertname=\"NodeDown\"");
  ASSERT_EQ(c.inhibit_rules[1].target_matchers.size(), 2u);
  EXPECT_EQ(Str(c.inhibit_rules[1].target_matchers[1]), "severity!=\"critical\"");

  ASSERT_NE(c.FindTimeInterval("business-hours"), nullptr);
  ASSERT_NE(c.FindTimeInterval("weekends"), nullptr);
  EXPECT_EQ(c.FindTimeInterval("business-hours")->intervals.at(0).location, "Europe/Berlin");
  EXPECT_EQ(c.FindTimeInterval("holidays"), nullptr);

  ASSERT_EQ(c.receivers.size(), 5u);
  const Receiver& email = *c.FindReceiver("team-email");
  const EmailConfig& e0 = email.email_configs.at(0);
  EXPECT_EQ(e0.from, "alertmanager@example.org");
  EXPECT_EQ(e0.smarthost, "smtp.example.org:587");
  EXPECT_EQ(e0.hello, "pharos.example.org");
  EXPECT_EQ(e0.auth_username, "am");
  EXPECT_EQ(e0.auth_password, "smtp-pass");
  EXPECT_FALSE(e0.require_tls);  // from global
  std::vector<std::pair<std::string, std::string>> headers = {{"To", "team@example.org"},
                                                              {"From", "alertmanager@example.org"},
                                                              {"Subject", "Custom {{ .GroupLabels.alertname }}"},
                                                              {"X-Priority", "1"}};
  EXPECT_EQ(e0.headers, headers);
  const EmailConfig& e1 = email.email_configs.at(1);
  EXPECT_EQ(e1.from, "boss-alerts@example.org");
  EXPECT_EQ(e1.smarthost, "mail.example.org:25");
  EXPECT_TRUE(e1.require_tls);
  EXPECT_TRUE(e1.common.send_resolved);
  EXPECT_EQ(e1.html, "");
  EXPECT_EQ(e1.text, R"({{ template "email.default.text" . }})");
  EXPECT_TRUE(e1.tls_config.insecure_skip_verify);

  const Receiver& pager = *c.FindReceiver("team-pager");
  const PagerdutyConfig& p0 = pager.pagerduty_configs.at(0);
  EXPECT_EQ(p0.routing_key, "routing-key-from-file");
  EXPECT_EQ(p0.url, "https://pd.example.org/v2/enqueue");
  EXPECT_FALSE(p0.url_set);
  EXPECT_EQ(p0.severity, "critical");
  EXPECT_EQ(p0.clazz, "db");
  EXPECT_EQ(p0.component, "postgres");
  EXPECT_EQ(p0.group, "storage");
  EXPECT_FALSE(p0.common.http_config.follow_redirects);  // global http_config
  ASSERT_EQ(p0.details.size(), 5u);
  EXPECT_EQ(p0.details[0], (std::pair<std::string, std::string>{"extra", "{{ .CommonLabels.cluster }}"}));
  EXPECT_EQ(p0.details[1], (std::pair<std::string, std::string>{"firing", "custom"}));
  EXPECT_EQ(p0.details[2].first, "num_firing");
  ASSERT_EQ(p0.images.size(), 1u);
  EXPECT_EQ(p0.images[0].alt, "graph");
  ASSERT_EQ(p0.links.size(), 1u);
  EXPECT_EQ(p0.links[0].text, "runbook");
  const PagerdutyConfig& p1 = pager.pagerduty_configs.at(1);
  EXPECT_EQ(p1.service_key, "v1-service-key");
  EXPECT_TRUE(p1.url_set);
  EXPECT_EQ(p1.url, "https://events.pagerduty.com/generic/2010-04-15/create_event.json");

  const Receiver& slack = *c.FindReceiver("team-slack");
  const SlackConfig& s0 = slack.slack_configs.at(0);
  EXPECT_EQ(s0.api_url, "https://hooks.slack.com/services/GLOBAL");
  EXPECT_TRUE(s0.common.send_resolved);
  EXPECT_FALSE(s0.common.http_config.follow_redirects);
  ASSERT_EQ(s0.fields.size(), 1u);
  EXPECT_TRUE(s0.fields[0].has_short);
  EXPECT_TRUE(s0.fields[0].short_field);
  ASSERT_EQ(s0.actions.size(), 2u);
  EXPECT_EQ(s0.actions[0].url, "https://example.org/runbook");
  EXPECT_FALSE(s0.actions[0].has_confirm);
  EXPECT_EQ(s0.actions[1].name, "ack");
  EXPECT_TRUE(s0.actions[1].has_confirm);
  EXPECT_EQ(s0.actions[1].confirm_text, "Sure?");
  EXPECT_EQ(s0.actions[1].confirm_ok_text, "Yes");
  const SlackConfig& s1 = slack.slack_configs.at(1);
  EXPECT_EQ(s1.api_url, "https://hooks.slack.com/services/OWN");
  EXPECT_EQ(s1.mrkdwn_in, (std::vector<std::string>{"text"}));
  ASSERT_TRUE(s1.common.http_config.basic_auth.has_value());
  EXPECT_EQ(s1.common.http_config.basic_auth->username, "u");
  EXPECT_TRUE(s1.common.http_config.follow_redirects);  // its own http_config replaces global's

  const Receiver& hook = *c.FindReceiver("hook");
  EXPECT_EQ(hook.webhook_configs.at(0).url, "http://127.0.0.1:5001/");
  EXPECT_EQ(hook.webhook_configs.at(0).max_alerts, 10u);
  EXPECT_EQ(hook.webhook_configs.at(1).url, "https://hooks.example.com/secret/123");  // url_file, trimmed
  EXPECT_FALSE(hook.webhook_configs.at(1).common.send_resolved);
  EXPECT_NE(c.FindReceiver("unused"), nullptr);
  EXPECT_NE(c.original.find("team-pager"), std::string::npos);
}

TEST(AmConfigFull, MissingSecretFileIsNamed) {
  auto c = LoadConfig(Receivers("webhook_configs: [{url_file: no/such/file}]"), kTestdata + "x.yml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(std::string(SV(c.status().message())),
            kTestdata + "x.yml:5:32: url_file: " + kTestdata + "no/such/file: cannot open file");
}

TEST(AmConfigFull, NestedNodeLoads) {
  auto doc = config::YamlDocument::Parse(
      "alertmanager:\n  route: {receiver: a}\n  receivers: [{name: a, webhook_configs: [{url_file: "
      "secrets/webhook_url}]}]\n",
      "pharos.yml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  auto entries = doc->root().Entries();
  ASSERT_TRUE(entries.ok());
  auto c = LoadConfigNode(entries->at(0).value, kTestdata);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->receivers.at(0).webhook_configs.at(0).url, "https://hooks.example.com/secret/123");
  EXPECT_NE(c->original.find("receiver: a"), std::string::npos);

  auto bad = config::YamlDocument::Parse("alertmanager:\n  route: {}\n", "pharos.yml");
  ASSERT_TRUE(bad.ok());
  auto e = LoadConfigNode(bad->root().Entries()->at(0).value, kTestdata);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(std::string(SV(e.status().message())), "pharos.yml:2:10: root route must specify a default receiver");
}

// ---- time intervals -------------------------------------------------------------------

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

TEST(AmTimeInterval, BusinessHoursInBerlin) {
  Config c = MustLoad(
      WithHead("time_intervals:\n- name: bh\n  time_intervals:\n  - times: [{start_time: '09:00', end_time: '17:30'}]\n"
               "    weekdays: ['monday:friday']\n    location: Europe/Berlin\n"));
  const NamedTimeInterval& bh = *c.FindTimeInterval("bh");
  // 2026-11-27 is a Friday; Berlin is UTC+1 in winter.
  EXPECT_TRUE(bh.Contains(Utc(2026, 11, 27, 8, 0)));     // 09:00 Berlin
  EXPECT_FALSE(bh.Contains(Utc(2026, 11, 27, 7, 59)));   // 08:59
  EXPECT_TRUE(bh.Contains(Utc(2026, 11, 27, 16, 29)));   // 17:29
  EXPECT_FALSE(bh.Contains(Utc(2026, 11, 27, 16, 30)));  // 17:30, the end is exclusive
  EXPECT_FALSE(bh.Contains(Utc(2026, 11, 28, 10, 0)));   // Saturday
  EXPECT_TRUE(bh.Contains(Utc(2026, 7, 1, 7, 30)));      // 09:30 in summer (UTC+2)
  EXPECT_FALSE(bh.Contains(Utc(2026, 11, 29, 23, 30)));  // Monday 00:30 Berlin, before nine
}

TEST(AmTimeInterval, DaysOfMonthMonthsYearsWeekdays) {
  Config c = MustLoad(WithHead(
      "time_intervals:\n"
      "- name: last-day-dec\n  time_intervals:\n  - {days_of_month: ['-1'], months: [december], years: ['2025:2030']}\n"
      "- name: late-feb\n  time_intervals:\n  - {days_of_month: ['25:31'], months: ['2']}\n"
      "- name: last3\n  time_intervals:\n  - {days_of_month: ['-3:-1']}\n"
      "- name: sundays-or-noon\n  time_intervals:\n  - {weekdays: [Sunday]}\n  - {times: [{start_time: '12:00', "
      "end_time: '13:00'}]}\n"
      "- name: all\n  time_intervals:\n  - {}\n"
      "- name: none\n  time_intervals: []\n"));
  const NamedTimeInterval& dec = *c.FindTimeInterval("last-day-dec");
  EXPECT_TRUE(dec.Contains(Utc(2026, 12, 31, 12, 0)));
  EXPECT_FALSE(dec.Contains(Utc(2026, 12, 30, 12, 0)));
  EXPECT_FALSE(dec.Contains(Utc(2026, 11, 30, 12, 0)));
  EXPECT_FALSE(dec.Contains(Utc(2031, 12, 31, 12, 0)));
  const NamedTimeInterval& feb = *c.FindTimeInterval("late-feb");
  EXPECT_TRUE(feb.Contains(Utc(2026, 2, 28, 0, 0)));  // 31 clamped to the month's end
  EXPECT_FALSE(feb.Contains(Utc(2026, 2, 24, 0, 0)));
  EXPECT_FALSE(feb.Contains(Utc(2026, 3, 26, 0, 0)));
  const NamedTimeInterval& last3 = *c.FindTimeInterval("last3");
  EXPECT_TRUE(last3.Contains(Utc(2024, 2, 27, 0, 0)));  // leap year: 27..29
  EXPECT_FALSE(last3.Contains(Utc(2024, 2, 26, 0, 0)));
  EXPECT_TRUE(last3.Contains(Utc(2026, 4, 28, 0, 0)));   // 30-day month: 28..30
  EXPECT_FALSE(last3.Contains(Utc(2026, 5, 28, 0, 0)));  // 31-day month: 29..31
  const NamedTimeInterval& sun = *c.FindTimeInterval("sundays-or-noon");
  EXPECT_TRUE(sun.Contains(Utc(2026, 11, 29, 3, 0)));    // Sunday
  EXPECT_TRUE(sun.Contains(Utc(2026, 11, 27, 12, 30)));  // Friday noon
  EXPECT_FALSE(sun.Contains(Utc(2026, 11, 27, 13, 0)));
  EXPECT_TRUE(c.FindTimeInterval("all")->Contains(Utc(2000, 1, 1, 0, 0)));
  EXPECT_FALSE(c.FindTimeInterval("none")->Contains(Utc(2000, 1, 1, 0, 0)));
}

TEST(AmTimeInterval, MuteTimeIntervalsAreUsableByRoutes) {
  Config c = MustLoad(
      "route:\n  receiver: a\n  routes:\n  - {receiver: a, mute_time_intervals: [old], active_time_intervals: [new]}\n"
      "receivers: [{name: a}]\n"
      "mute_time_intervals: [{name: old, time_intervals: [{times: [{start_time: '00:00', end_time: '24:00'}]}]}]\n"
      "time_intervals: [{name: new}]\n");
  ASSERT_NE(c.FindTimeInterval("old"), nullptr);
  EXPECT_TRUE(c.FindTimeInterval("old")->Contains(Utc(2026, 1, 1, 23, 59)));
  ASSERT_NE(c.FindTimeInterval("new"), nullptr);
}

// ---- matcher syntax -------------------------------------------------------------------

std::vector<std::string> ParsedStrings(std::string_view s) {
  auto ms = ParseAmMatchers(s);
  if (!ms.ok()) return {std::string("error: ") + std::string(SV(ms.status().message()))};
  std::vector<std::string> out;
  for (const Matcher& m : *ms) out.push_back(m.ToString());
  return out;
}

TEST(AmMatchers, Syntax) {
  using V = std::vector<std::string>;
  EXPECT_EQ(ParsedStrings(R"(foo="bar")"), V{R"(foo="bar")"});
  EXPECT_EQ(ParsedStrings("foo=bar"), V{R"(foo="bar")"});
  EXPECT_EQ(ParsedStrings("  foo  !=  bar baz  "), V{R"(foo!="bar baz")"});
  EXPECT_EQ(ParsedStrings(R"(foo=~"a|b")"), V{R"(foo=~"a|b")"});
  EXPECT_EQ(ParsedStrings("foo!~x.*"), V{R"(foo!~"x.*")"});
  EXPECT_EQ(ParsedStrings(R"({a="1", b=~"2.*"})"), (V{R"(a="1")", R"(b=~"2.*")"}));
  EXPECT_EQ(ParsedStrings(R"(a="x,y",b=c)"), (V{R"(a="x,y")", R"(b="c")"}));
  EXPECT_EQ(ParsedStrings(R"(a="b\"c")"), V{R"(a="b\"c")"});
  EXPECT_EQ(ParsedStrings(R"(a="b\\c")"), V{R"(a="b\\c")"});
  EXPECT_EQ(ParsedStrings(R"(a="x\ny")"), V{R"(a="x\ny")"});
  EXPECT_EQ(ParsedStrings(R"(a=~"\d+")"), V{R"(a=~"\\d+")"});  // a spurious escape stays
  EXPECT_EQ(ParsedStrings("ns:name=v"), V{R"(ns:name="v")"});
  EXPECT_EQ(ParsedStrings(R"(a="")"), V{R"(a="")"});
  EXPECT_EQ(ParsedStrings("a="), V{R"(a="")"});
  EXPECT_EQ(ParsedStrings(""), V{});
  EXPECT_EQ(ParsedStrings("{}"), V{});
  EXPECT_EQ(ParsedStrings("a=b,,c=d"), V{"error: bad matcher format: "});
  EXPECT_EQ(ParsedStrings("1a=b"), V{"error: bad matcher format: 1a=b"});
  EXPECT_EQ(ParsedStrings("a==b"), V{R"(a="=b")"});  // the value is everything after the operator
  EXPECT_EQ(ParsedStrings(R"(a="b)"), V{R"(error: matcher value contains unescaped double quote: "b)"});
  EXPECT_EQ(ParsedStrings(R"(a=b"c)"), V{R"(error: matcher value contains unescaped double quote: b"c)"});
  EXPECT_EQ(ParsedStrings("a=~(").at(0).rfind("error: invalid regular expression", 0), 0u);
}

TEST(AmMatchers, RegexIsAnchored) {
  auto ms = ParseAmMatchers(R"(job=~"node|db")");
  ASSERT_TRUE(ms.ok());
  EXPECT_TRUE(ms->at(0).Matches("node"));
  EXPECT_FALSE(ms->at(0).Matches("xnode"));
  EXPECT_FALSE(ms->at(0).Matches("node2"));
}

// ---- dump -------------------------------------------------------------------------------

TEST(AmConfigDump, SecretsHiddenAndReloadable) {
  auto c = LoadConfigFile(kTestdata + "full.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  std::string dump = DumpConfig(*c);
  for (const char* secret : {"smtp-pass", "routing-key-from-file", "v1-service-key", "GLOBAL", "OWN",
                             "hooks.example.com/secret", "127.0.0.1:5001"}) {
    EXPECT_EQ(dump.find(secret), std::string::npos) << secret << "\n" << dump;
  }
  EXPECT_NE(dump.find("<secret>"), std::string::npos);
  EXPECT_NE(dump.find("resolve_timeout: 2m"), std::string::npos) << dump;
  EXPECT_NE(dump.find("receiver: team-pager"), std::string::npos);
  EXPECT_NE(dump.find("- service=~\"db|cache\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("start_time: 09:00\n      end_time: 17:30"), std::string::npos) << dump;
  EXPECT_NE(dump.find("- monday:friday"), std::string::npos) << dump;
  // The printout loads back to the same tree and prints the same.
  auto again = LoadConfig(dump, kTestdata + "dump.yml");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << dump;
  EXPECT_EQ(DumpConfig(*again), dump);
  const Route& crit = *again->route->routes.at(0)->routes.at(0);
  EXPECT_EQ(crit.receiver, "team-pager");
  EXPECT_TRUE(crit.group_by_all);
  EXPECT_EQ(crit.group_wait, absl::Seconds(5));
}

TEST(AmConfigDump, GuideLayout) {
  auto c = LoadConfigFile(kTestdata + "guide_filled.yml");
  ASSERT_TRUE(c.ok());
  std::string dump = DumpConfig(*c);
  EXPECT_EQ(dump.rfind("global:\n  resolve_timeout: 5m\n", 0), 0u) << dump;
  EXPECT_NE(dump.find("route:\n  receiver: default\n  group_by:\n  - alertname\n  - severity\n  routes:\n"
                      "  - receiver: pagerduty\n    matchers:\n    - severity=\"critical\"\n"),
            std::string::npos)
      << dump;
  EXPECT_NE(dump.find("  group_wait: 10s\n  group_interval: 10s\n  repeat_interval: 12h\n"), std::string::npos) << dump;
  EXPECT_NE(dump.find("receivers:\n- name: default\n  slack_configs:\n  - send_resolved: false\n"), std::string::npos)
      << dump;
}

}  // namespace
}  // namespace pharos::am
