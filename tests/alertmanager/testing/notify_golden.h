// The fixtures of tests/alertmanager/testdata/notify (captured from the real
// Alertmanager 0.25 by capture.py): the alerts the script posts, the group
// they form, and readers for the captured HTTP bodies and e-mails.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "alertmanager/types.h"

namespace pharos::am::testing {

std::string NotifyTestdataPath(std::string_view rel);
// The file's bytes; aborts the test binary when it is missing.
std::string ReadNotifyTestdata(std::string_view rel);

// capture.py's alerts. `now` is the time of the notification: firing alerts
// end at now + 5m (Alertmanager's resolve_timeout), resolved ones at
// 2024-01-02T04:00:00Z.
std::vector<Alert> LatencyAlerts(absl::Time now, bool resolved);
std::vector<Alert> DiskAlerts(absl::Time now);
// The "mixed" notification: C resolved (2024-01-02T04:00:00Z), D firing.
std::vector<Alert> MixedAlerts(absl::Time now);
// The group labels (alertname, job) and group key of capture.py's route.
LabelSet GroupLabelsOf(const Alert& a);
std::string GroupKeyOf(const Alert& a);  // {}:{alertname="…", job="…"}
constexpr std::string_view kCaptureReceiver = "team.ops+1";
constexpr std::string_view kCaptureExternalUrl = "http://am.example:9093";

// An RFC 5322 message with a multipart body, as the notifier writes it.
struct MailPart {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // as transferred (quoted-printable), CRLF line ends
};
struct MailMessage {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string boundary;
  std::vector<MailPart> parts;
  std::string Header(std::string_view name) const;  // "" when absent
};
absl::StatusOr<MailMessage> ParseMail(std::string_view data);
// The DATA of a capture.py email.txt (after "----- DATA -----\n").
std::string CapturedMailData(std::string_view rel);
// Decodes quoted-printable (soft breaks, =XX); CRLF becomes LF.
std::string QpDecode(std::string_view s);

}  // namespace pharos::am::testing
