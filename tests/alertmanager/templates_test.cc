#include "alertmanager/templates.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "alertmanager/testing/notify_golden.h"
#include "gtest/gtest.h"

namespace pharos::am {
namespace {

using testing::CapturedMailData;
using testing::DiskAlerts;
using testing::GroupLabelsOf;
using testing::kCaptureExternalUrl;
using testing::kCaptureReceiver;
using testing::LatencyAlerts;
using testing::ParseMail;
using testing::QpDecode;

std::shared_ptr<const Templates> CaptureTemplates() {
  auto t = Templates::Load({testing::NotifyTestdataPath("custom.tmpl")}, std::string(kCaptureExternalUrl));
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : nullptr;
}

struct MailCase {
  const char* file;
  bool disk;
  bool resolved;
  bool mixed = false;
};

class DefaultEmailTemplates : public ::testing::TestWithParam<MailCase> {};

// email.default.subject and email.default.html render the same bytes as
// Alertmanager 0.25 did for the same alerts (the captured mail's HTML part,
// quoted-printable decoded), and __text_alert_list the text part.
TEST_P(DefaultEmailTemplates, MatchAlertmanager025) {
  const MailCase& c = GetParam();
  absl::Time now = absl::Now();
  auto alerts = c.mixed ? testing::MixedAlerts(now) : c.disk ? DiskAlerts(now) : LatencyAlerts(now, c.resolved);
  auto t = CaptureTemplates();
  ASSERT_NE(t, nullptr);
  tmpl::Value dot = tmpl::AlertmanagerData(t->Data(kCaptureReceiver, GroupLabelsOf(alerts[0]), alerts, now));

  auto mail = ParseMail(CapturedMailData(c.file));
  ASSERT_TRUE(mail.ok()) << mail.status();
  ASSERT_EQ(mail->parts.size(), 2u);

  auto subject = t->ExecuteText("{{ template \"email.default.subject\" . }}", dot);
  ASSERT_TRUE(subject.ok()) << subject.status();
  EXPECT_EQ(*subject, mail->Header("Subject"));

  auto text = t->ExecuteText("{{ template \"__text_alert_list\" .Alerts }}", dot);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, QpDecode(mail->parts[0].body));

  auto html = t->ExecuteHtml("{{ template \"email.default.html\" . }}", dot);
  ASSERT_TRUE(html.ok()) << html.status();
  std::string want = QpDecode(mail->parts[1].body);
  EXPECT_EQ(*html, want);
  if (*html != want) {
    // Show where they part, which the long strings hide.
    size_t i = 0;
    while (i < html->size() && i < want.size() && (*html)[i] == want[i]) ++i;
    ADD_FAILURE() << "first difference at byte " << i << ":\n got: " << html->substr(i, 120)
                  << "\nwant: " << want.substr(i, 120);
  }
}

INSTANTIATE_TEST_SUITE_P(Captured, DefaultEmailTemplates,
                         ::testing::Values(MailCase{"firing/email.txt", false, false},
                                           MailCase{"firing/email_disk.txt", true, false},
                                           MailCase{"resolved/email.txt", false, true},
                                           MailCase{"mixed/email.txt", false, false, true}));

TEST(Templates, DataFollowsAlertmanager) {
  absl::Time now = absl::Now();
  auto t = CaptureTemplates();
  ASSERT_NE(t, nullptr);
  auto alerts = LatencyAlerts(now, false);
  tmpl::AmData d = t->Data("a.b+c", GroupLabelsOf(alerts[0]), alerts, now);
  EXPECT_EQ(d.receiver, "a\\.b\\+c");
  EXPECT_EQ(d.status, "firing");
  EXPECT_EQ(d.external_url, "http://am.example:9093");
  EXPECT_EQ(d.common_labels, (LabelSet{{"alertname", "HighLatency"}, {"job", "api"}, {"severity", "page"}}));
  EXPECT_EQ(d.common_annotations, (LabelSet{{"summary", "Latency <high> & rising"}}));
  ASSERT_EQ(d.alerts.size(), 2u);
  EXPECT_EQ(d.alerts[0].status, "firing");
  EXPECT_EQ(d.alerts[0].ends_at, absl::InfinitePast());  // not exposed while firing
  EXPECT_EQ(d.alerts[0].fingerprint, "2af643073fe6b399");  // as the capture shows

  // One alert still firing keeps the group firing; all resolved resolves it.
  alerts[0].ends_at = now - absl::Seconds(1);
  d = t->Data("r", {}, alerts, now);
  EXPECT_EQ(d.status, "firing");
  EXPECT_EQ(d.alerts[0].status, "resolved");
  EXPECT_EQ(d.alerts[0].ends_at, now - absl::Seconds(1));
  alerts[1].ends_at = now;
  EXPECT_EQ(t->Data("r", {}, alerts, now).status, "resolved");
}

TEST(Templates, RegexpQuoteMeta) {
  EXPECT_EQ(RegexpQuoteMeta("plain-name_1"), "plain-name_1");
  EXPECT_EQ(RegexpQuoteMeta(R"(\.+*?()|[]{}^$)"), R"(\\\.\+\*\?\(\)\|\[\]\{\}\^\$)");
}

TEST(Templates, SubjectWithoutExtraCommonLabelsKeepsTrailingSpace) {
  auto t = Templates::FromTexts({}, "http://x/");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->external_url(), "http://x");
  Alert a;
  a.labels = {{"alertname", "A"}};
  absl::Time now = absl::Now();
  tmpl::Value dot = tmpl::AlertmanagerData((*t)->Data("r", a.labels, {a}, now));
  auto s = (*t)->ExecuteText("{{ template \"__subject\" . }}", dot);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, "[FIRING:1] A ");
  a.ends_at = now;
  dot = tmpl::AlertmanagerData((*t)->Data("r", a.labels, {a}, now));
  EXPECT_EQ(*(*t)->ExecuteText("{{ template \"__subject\" . }}", dot), "[RESOLVED] A ");
  EXPECT_EQ(*(*t)->ExecuteText("", dot), "");
}

TEST(Templates, ConfigFilesOverrideDefinitionsAndErrorsNameTheFile) {
  auto t = Templates::FromTexts({{"mine.tmpl", "{{ define \"__alertmanager\" }}Pharos{{ end }}"}}, "http://x");
  ASSERT_TRUE(t.ok()) << t.status();
  tmpl::Value dot = tmpl::AlertmanagerData((*t)->Data("r", {}, {}, absl::Now()));
  EXPECT_EQ(*(*t)->ExecuteText("{{ template \"slack.default.username\" . }}", dot), "Pharos");

  auto bad = Templates::FromTexts({{"broken.tmpl", "{{ define \"x\" }}{{ .Foo "}}, "http://x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("broken.tmpl"), std::string::npos) << bad.status();

  auto missing = Templates::Load({"/nonexistent/pharos.tmpl"}, "http://x");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/pharos.tmpl"), std::string::npos);

  auto exec = (*t)->ExecuteText("{{ .Nope.Deeper }}", dot);
  EXPECT_FALSE(exec.ok());
}

}  // namespace
}  // namespace pharos::am
