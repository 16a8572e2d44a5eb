#include "alertmanager/notifiers/notifiers.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "alertmanager/notifiers/mime.h"
#include "alertmanager/notifiers/notify_util.h"
#include "alertmanager/testing/http_recorder.h"
#include "alertmanager/testing/notify_golden.h"
#include "alertmanager/testing/smtp_server.h"
#include "gtest/gtest.h"

namespace pharos::am {
namespace {

using testing::HttpRecorder;
using testing::ReadNotifyTestdata;

// ---- the captured scenarios ------------------------------------------------

enum class Group { kLatency, kDisk, kLong };

struct Scenario {
  const char* dir;  // "firing" or "resolved"
  Group group;
  std::string Suffix() const { return group == Group::kDisk ? "_disk" : group == Group::kLong ? "_long" : ""; }
  std::vector<Alert> Alerts(absl::Time now) const {
    switch (group) {
      case Group::kDisk:
        return testing::DiskAlerts(now);
      case Group::kLong: {
        Alert a;
        std::string e;
        for (int i = 0; i < 1100; ++i) e += "\u00e9";
        a.labels = {{"alertname", "LongSubject"}, {"job", "x"}, {"detail", e}};
        absl::ParseTime(absl::RFC3339_full, "2024-01-02T03:00:00Z", &a.starts_at, nullptr);
        a.ends_at = now + absl::Minutes(5);
        return {a};
      }
      case Group::kLatency:
        break;
    }
    return testing::LatencyAlerts(now, std::string(dir) == "resolved");
  }
};

std::string Name(const ::testing::TestParamInfo<Scenario>& i) {
  return absl::StrCat(i.param.dir, i.param.group == Group::kDisk ? "Disk" : i.param.group == Group::kLong ? "Long" : "Latency");
}

std::shared_ptr<const Templates> CaptureTemplates() {
  auto t = Templates::Load({testing::NotifyTestdataPath("custom.tmpl")}, std::string(testing::kCaptureExternalUrl));
  if (!t.ok()) {
    ADD_FAILURE() << t.status();
    return nullptr;
  }
  return *t;
}

NotifierOptions FastOptions() {
  NotifierOptions o;
  o.timeout = absl::Seconds(5);
  o.hostname = "pharos.test";
  return o;
}

// Runs `integration` on the scenario's alerts as capture.py's route would.
Integration::Result RunScenario(Integration& integration, const Scenario& sc) {
  absl::Time now = absl::Now();
  auto alerts = sc.Alerts(now);
  NotifyContext ctx;
  ctx.receiver = std::string(testing::kCaptureReceiver);
  ctx.group_labels = testing::GroupLabelsOf(alerts[0]);
  ctx.group_key = testing::GroupKeyOf(alerts[0]);
  ctx.now = now;
  return integration.Notify(ctx, alerts);
}

// The captured configs of config.yml.in, built as the loader would.
WebhookConfig CapturedWebhook(const std::string& url, uint64_t max_alerts) {
  WebhookConfig c = DefaultWebhookConfig();
  c.url = url;
  c.max_alerts = max_alerts;
  return c;
}

SlackConfig CapturedSlack(const std::string& url) {
  SlackConfig c = DefaultSlackConfig();
  c.api_url = url;
  c.channel = "#alerts";
  return c;
}

SlackConfig CapturedSlackCustom(const std::string& url) {
  SlackConfig c = DefaultSlackConfig();
  c.api_url = url;
  c.common.send_resolved = true;
  c.channel = "#ops";
  c.username = "pharos-bot";
  c.color = "{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}";
  c.title = "{{ template \"custom.title\" . }}";
  c.text = "{{ template \"custom.text\" . }}";
  c.pretext = "pre {{ .CommonLabels.severity }}";
  c.footer = "foot";
  c.fallback = "fb {{ .Status }}";
  c.callback_id = "cb-1";
  c.icon_emoji = ":fire:";
  c.image_url = "http://img.example/a.png";
  c.thumb_url = "http://img.example/t.png";
  c.short_fields = true;
  c.link_names = true;
  c.mrkdwn_in = {"text", "title"};
  c.fields = {{"Severity", "{{ .CommonLabels.severity }}", false, false},
              {"Job", "{{ .CommonLabels.job }}", false, true}};
  SlackAction runbook;
  runbook.type = "button";
  runbook.text = "Runbook {{ .CommonLabels.alertname }}";
  runbook.url = "http://runbook.example/{{ .CommonLabels.alertname }}";
  runbook.style = "primary";
  SlackAction ack;
  ack.type = "button";
  ack.text = "Ack";
  ack.name = "ack";
  ack.value = "yes";
  ack.has_confirm = true;
  ack.confirm_title = "Sure?";
  ack.confirm_text = "Really ack {{ .CommonLabels.alertname }}";
  ack.confirm_ok_text = "Yes";
  ack.confirm_dismiss_text = "No";
  c.actions = {runbook, ack};
  return c;
}

PagerdutyConfig CapturedPagerdutyV2(const std::string& url) {
  PagerdutyConfig c = DefaultPagerdutyConfig();
  c.routing_key = "rk-0123456789";
  c.url = url;
  c.url_set = true;
  c.severity = "{{ .CommonLabels.severity }}";
  c.clazz = "latency";
  c.component = "api-server";
  c.group = "backend";
  for (auto& [k, v] : c.details) {
    if (k == "firing") v = "{{ template \"pagerduty.default.instances\" .Alerts.Firing }}";
  }
  c.details.emplace_back("extra", "x {{ .CommonLabels.job }}");
  c.images = {{"http://img.example/{{ .CommonLabels.alertname }}.png", "graph", "http://graph.example/"},
              {"http://img.example/second.png", "", ""}};
  c.links = {{"http://runbook.example/{{ .CommonLabels.alertname }}", "runbook"}, {"http://second.example/", ""}};
  return c;
}

PagerdutyConfig CapturedPagerdutyV1(const std::string& url) {
  PagerdutyConfig c = DefaultPagerdutyConfig();
  c.service_key = "sk-abcdef";
  c.url = url;  // 0.25 ignores it for v1; Pharos honours it (tests never reach PagerDuty)
  c.url_set = true;
  return c;
}

// ---- golden payloads -------------------------------------------------------

struct HttpCase {
  const char* golden;  // file stem in testdata/notify/<dir>/
  std::function<absl::StatusOr<std::unique_ptr<Integration>>(const std::string& url,
                                                             std::shared_ptr<const Templates>)>
      make;
};

std::vector<HttpCase> HttpCases() {
  auto opts = FastOptions();
  return {
      {"webhook", [opts](const std::string& u, auto t) {
         return NewWebhookNotifier(CapturedWebhook(u, 0), {"r", "webhook", 0}, t, opts);
       }},
      {"webhook-max", [opts](const std::string& u, auto t) {
         return NewWebhookNotifier(CapturedWebhook(u, 1), {"r", "webhook", 1}, t, opts);
       }},
      {"slack", [opts](const std::string& u, auto t) {
         return NewSlackNotifier(CapturedSlack(u), {"r", "slack", 0}, t, opts);
       }},
      {"slack-custom", [opts](const std::string& u, auto t) {
         return NewSlackNotifier(CapturedSlackCustom(u), {"r", "slack", 1}, t, opts);
       }},
      {"pd2", [opts](const std::string& u, auto t) {
         return NewPagerdutyNotifier(CapturedPagerdutyV2(u), {"r", "pagerduty", 0}, t, opts);
       }},
      {"pd1", [opts](const std::string& u, auto t) {
         return NewPagerdutyNotifier(CapturedPagerdutyV1(u), {"r", "pagerduty", 1}, t, opts);
       }},
  };
}

class CapturedHttpPayloads : public ::testing::TestWithParam<Scenario> {};

// Each HTTP notifier sends, byte for byte, the body the real Alertmanager
// 0.25 sent for the same alerts and config (none of these bodies depends on
// the time of sending), with its Content-Type and User-Agent.
TEST_P(CapturedHttpPayloads, MatchAlertmanager025) {
  const Scenario& sc = GetParam();
  auto templates = CaptureTemplates();
  ASSERT_NE(templates, nullptr);
  int compared = 0;
  for (const auto& hc : HttpCases()) {
    std::string rel = absl::StrCat(sc.dir, "/", hc.golden, sc.Suffix(), ".body");
    if (!std::ifstream(testing::NotifyTestdataPath(rel)).good()) continue;  // not sent (send_resolved: false)
    SCOPED_TRACE(rel);
    HttpRecorder rec;
    auto n = hc.make(rec.Url("/" + std::string(hc.golden)), templates);
    ASSERT_TRUE(n.ok()) << n.status();
    auto r = RunScenario(**n, sc);
    ASSERT_TRUE(r.status.ok()) << r.status;
    auto reqs = rec.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "POST");
    EXPECT_EQ(reqs[0].Header("Content-Type"), "application/json");
    EXPECT_EQ(reqs[0].Header("User-Agent"), "Alertmanager/0.25.0");
    EXPECT_EQ(reqs[0].body, ReadNotifyTestdata(rel));
    ++compared;
  }
  EXPECT_GE(compared, 4);
}

INSTANTIATE_TEST_SUITE_P(Captured, CapturedHttpPayloads,
                         ::testing::Values(Scenario{"firing", Group::kLatency}, Scenario{"firing", Group::kDisk},
                                           Scenario{"firing", Group::kLong},
                                           Scenario{"resolved", Group::kLatency}),
                         Name);

// ---- e-mail against the captured message -----------------------------------

EmailConfig CapturedEmail(const std::string& smarthost) {
  EmailConfig c = DefaultEmailConfig();
  c.to = "ops@example.org, oncall@example.org";
  c.from = "am@example.org";
  c.hello = "am.example";
  c.smarthost = smarthost;
  c.require_tls = false;
  c.common.send_resolved = true;
  c.auth_username = "user";
  c.auth_password = "secret-pw";
  c.headers.emplace_back("X-Custom", "group {{ .GroupLabels.alertname }}");
  c.text = "{{ template \"__text_alert_list\" .Alerts }}";
  return c;
}

class CapturedEmails : public ::testing::TestWithParam<Scenario> {};

// The SMTP conversation and the message match 0.25's, except what depends
// on the moment (Date, Message-Id, the boundary): same commands (EHLO name,
// AUTH PLAIN, MAIL with BODY=8BITMIME, one RCPT per address), same headers
// (Q-encoded when needed), same quoted-printable text and HTML parts.
TEST_P(CapturedEmails, MatchAlertmanager025) {
  const Scenario& sc = GetParam();
  auto templates = CaptureTemplates();
  ASSERT_NE(templates, nullptr);
  testing::SmtpServerOptions so;
  so.auth_mechs = "PLAIN LOGIN CRAM-MD5";
  so.username = "user";
  so.password = "secret-pw";
  testing::SmtpTestServer smtp(so);
  auto n = NewEmailNotifier(CapturedEmail(smtp.Address()), {"r", "email", 0}, templates, FastOptions());
  ASSERT_TRUE(n.ok()) << n.status();
  auto r = RunScenario(**n, sc);
  ASSERT_TRUE(r.status.ok()) << r.status;
  auto sessions = smtp.sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions[0].authenticated);

  std::string rel = absl::StrCat(sc.dir, "/email", sc.Suffix(), ".txt");
  std::string golden = ReadNotifyTestdata(rel);
  std::vector<std::string> want_cmds;
  for (absl::string_view line : absl::StrSplit(golden.substr(0, golden.find("----- DATA -----")), '\n')) {
    if (absl::StartsWith(line, "C: ")) want_cmds.emplace_back(line.substr(3));
  }
  EXPECT_EQ(sessions[0].commands, want_cmds);

  auto got = testing::ParseMail(sessions[0].message);
  ASSERT_TRUE(got.ok()) << got.status() << "\n" << sessions[0].message;
  auto want = testing::ParseMail(testing::CapturedMailData(rel));
  ASSERT_TRUE(want.ok()) << want.status();
  std::vector<std::pair<std::string, std::string>> got_h, want_h;
  for (const auto* m : {&*got, &*want}) {
    auto& out = m == &*got ? got_h : want_h;
    for (const auto& [k, v] : m->headers) {
      if (k == "Date" || k == "Message-Id") continue;
      out.emplace_back(k, k == "Content-Type" ? v.substr(0, v.find("boundary=")) : v);
    }
    std::sort(out.begin(), out.end());  // Go writes its header map in random order
  }
  EXPECT_EQ(got_h, want_h);
  EXPECT_TRUE(absl::StartsWith(got->Header("Message-Id"), "<")) << got->Header("Message-Id");
  EXPECT_TRUE(absl::EndsWith(got->Header("Message-Id"), "@pharos.test>"));
  EXPECT_EQ(got->boundary.size(), 60u);
  ASSERT_EQ(got->parts.size(), want->parts.size());
  for (size_t i = 0; i < got->parts.size(); ++i) {
    EXPECT_EQ(got->parts[i].headers, want->parts[i].headers);
    EXPECT_EQ(got->parts[i].body, want->parts[i].body) << "part " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Captured, CapturedEmails,
                         ::testing::Values(Scenario{"firing", Group::kLatency}, Scenario{"firing", Group::kDisk},
                                           Scenario{"firing", Group::kLong},
                                           Scenario{"resolved", Group::kLatency}),
                         Name);

}  // namespace
}  // namespace pharos::am
