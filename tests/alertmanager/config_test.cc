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
    {"undefined time interval", "route:\n  receiver: a\n  routes:\n  - mute_time_intervals: [x]\nreceivers: [{name: a}]\n",
     "t.yml:4:27: undefined time interval \"x\" used in route"},
    {"undefined active interval",
     "route:\n  receiver: a\n  routes:\n  - active_time_intervals: [y]\nreceivers: [{name: a}]\ntime_intervals: [{name: x}]\n",
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
    {"inhibit equal bad", WithHead("inhibit_rules:\n- equal: [a-b]\n"), "t.yml:4:11: \"a-b\" is not a valid label name"},
    {"inhibit source bad label", WithHead("inhibit_rules:\n- source_match: {a-b: x}\n"),
     "t.yml:4:18: invalid label name \"a-b\""},
    {"inhibit source_re null", WithHead("inhibit_rules:\n- target_match_re: {a: }\n"),
     "t.yml:4:21: invalid regexp value for \"a\""},
    {"inhibit unknown key", WithHead("inhibit_rules:\n- source: {a: b}\n"),
     "t.yml:4:3: field source not found in type inhibit_rule"},
    // global
    {"unknown global key", "global:\n  discord_api_url: http://x\n" + std::string(kHead),
     "t.yml:2:3: field discord_api_url not found in type global"},
    {"global slack url and file", "global:\n  slack_api_url: 'http://s'\n  slack_api_url_file: /x\n" + std::string(kHead),
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
    {"email without from", "global: {smtp_smarthost: 'a:25'}\nroute: {receiver: a}\nreceivers:\n- name: a\n  email_configs:\n  - to: x\n",
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
    {"slack confirm without text", Receivers("slack_configs: [{actions: [{type: x, text: y, name: z, confirm: {title: t}}]}]"),
     "t.yml:5:67: missing text in Slack confirmation configuration"},
    {"slack field without title", Receivers("slack_configs: [{fields: [{value: x}]}]"),
     "t.yml:5:29: missing title in Slack field configuration"},
    {"slack field without value", Receivers("slack_configs: [{fields: [{title: x}]}]"),
     "t.yml:5:29: missing value in Slack field configuration"},
    {"pagerduty without key", Receivers("pagerduty_configs: [{}]"),
     "t.yml:5:23: missing service or routing key in PagerDuty config"},
    {"pagerduty routing key twice", Receivers("pagerduty_configs: [{routing_key: x, routing_key_file: secrets/pd_key}]"),
     "t.yml:5:23: at most one of routing_key & routing_key_file must be configured"},
    {"pagerduty bad url", Receivers("pagerduty_configs: [{routing_key: x, url: 'http://'}]"),
     "t.yml:5:45: url: missing host for URL"},
    {"pagerduty image unknown key", Receivers("pagerduty_configs: [{routing_key: x, images: [{src: a, foo: b}]}]"),
     "t.yml:5:58: field foo not found in type pagerduty_image"},
    {"webhook without url", Receivers("webhook_configs: [{}]"), "t.yml:5:21: missing URL in webhook config"},
    {"webhook bad url", Receivers("webhook_configs: [{url: x}]"), "t.yml:5:27: url: unsupported scheme \"\" for URL"},
    {"webhook host with space", Receivers("webhook_configs: [{url: 'http://a b'}]"),
     "t.yml:5:27: url: parse \"http://a b\": invalid character \" \" in host name"},
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
    {"time interval twice", WithHead("time_intervals:\n- name: x\n- name: x\n"), "t.yml:5:3: time interval \"x\" is not unique"},
    {"mute and time interval share a name", WithHead("mute_time_intervals:\n- name: x\ntime_intervals:\n- name: x\n"),
     "t.yml:6:3: time interval \"x\" is not unique"},
    {"mute interval twice", WithHead("mute_time_intervals:\n- name: x\n- name: x\n"),
     "t.yml:5:3: mute time interval \"x\" is not unique"},
    {"times without end", Interval("times: [{start_time: '10:00'}]"), "t.yml:6:13: both start and end times must be provided"},
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
    {"day of month zero", Interval("days_of_month: ['0']"), "t.yml:6:21: 0 is not a valid day of the month: out of range"},
    {"day of month 40", Interval("days_of_month: ['40']"), "t.yml:6:21: 40 is not a valid day of the month: out of range"},
    {"day of month -32", Interval("days_of_month: ['-31:-30', '-32']"),
     "t.yml:6:32: -32 is not a valid day of the month: out of range"},
    {"day of month sign mix", Interval("days_of_month: ['-1:5']"),
     "t.yml:6:21: end day must be negative if start day is negative"},
    {"day of month reversed", Interval("days_of_month: ['20:10']"), "t.yml:6:21: end day 10 is always before start day 20"},
    {"day of month reversed negative", Interval("days_of_month: ['28:-1']"),
     "t.yml:6:21: end day -1 is always before start day 28"},
    {"day of month not a number", Interval("days_of_month: [x]"),
     "t.yml:6:21: strconv.Atoi: parsing \"x\": invalid syntax"},
    {"month abbreviation", Interval("months: ['dec:jan']"), "t.yml:6:14: dec is not a valid month"},
    {"month reversed", Interval("months: ['december:january']"), "t.yml:6:14: end month january is before start month december"},
    {"year reversed", Interval("years: ['2021:2020']"), "t.yml:6:13: end year 2020 is before start year 2021"},
    {"unknown zone", Interval("location: 'Nowhere/Zone'"), "t.yml:6:15: unknown time zone Nowhere/Zone"},
    // YAML level
    {"duplicate key", "route: {receiver: a}\nroute: {receiver: a}\n", "t.yml:2:1: mapping key \"route\" already defined at line 1"},
    {"scalar receivers", "route: {receiver: a}\nreceivers: 3\n", "t.yml:2:12: cannot unmarshal !!int `3` into []config.Receiver"},
};

INSTANTIATE_TEST_SUITE_P(All, AmConfigErrors, testing::ValuesIn(kErrors), [](const auto& info) {
  std::string n = info.param.name;
  for (char& c : n) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
});

}  // namespace
}  // namespace pharos::am
