// The notifiers of the built-in Alertmanager: webhook, Slack, PagerDuty
// (Events API v2 with routing_key, v1 with service_key) and e-mail (SMTP),
// each an Integration (interfaces.h) that sends Alertmanager 0.25's exact
// payloads, rendered with the config's Templates.
//
// Usage:
//   ASSIGN_OR_RETURN(auto templates, Templates::Load(cfg.templates, external_url));
//   ASSIGN_OR_RETURN(auto integrations, BuildIntegrations(receiver, templates));
//   auto result = integrations[0]->Notify(ctx, alerts);   // {status, retry}
//
// Every Notify is bounded by NotifierOptions::timeout (an HTTP request, or a
// whole SMTP session): a receiver that hangs yields DeadlineExceeded with
// retry=true. Transport errors, 5xx (and 429 for PagerDuty v2, 403 for
// PagerDuty v1) are retryable; other HTTP statuses (Slack's 429 included, as
// in 0.25), template errors and bad addresses are not.
//
// Thread-safety: Notify may be called concurrently on one integration.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "alertmanager/config.h"
#include "alertmanager/interfaces.h"
#include "alertmanager/templates.h"

namespace pharos::am {

struct NotifierOptions {
  // Per HTTP request, or per SMTP session (connect to QUIT).
  absl::Duration timeout = absl::Seconds(30);
  // The domain of e-mail Message-Ids; empty: this host's name.
  std::string hostname;
};

// One integration per config of the receiver, in 0.25's order: webhook,
// email, pagerduty, slack (ReceiverKey.idx counts within each type).
// Errors: settings that cannot work (an unsupported http_config feature, an
// unreadable secret file).
absl::StatusOr<std::vector<std::unique_ptr<Integration>>> BuildIntegrations(
    const Receiver& receiver, std::shared_ptr<const Templates> templates, const NotifierOptions& options = {});

absl::StatusOr<std::unique_ptr<Integration>> NewWebhookNotifier(const WebhookConfig& cfg, ReceiverKey key,
                                                                 std::shared_ptr<const Templates> templates,
                                                                 const NotifierOptions& options);
absl::StatusOr<std::unique_ptr<Integration>> NewSlackNotifier(const SlackConfig& cfg, ReceiverKey key,
                                                               std::shared_ptr<const Templates> templates,
                                                               const NotifierOptions& options);
// v1 when service_key is set (posting to `url` when url_set, else to
// PagerDuty's public v1 endpoint), v2 otherwise.
absl::StatusOr<std::unique_ptr<Integration>> NewPagerdutyNotifier(const PagerdutyConfig& cfg, ReceiverKey key,
                                                                   std::shared_ptr<const Templates> templates,
                                                                   const NotifierOptions& options);
absl::StatusOr<std::unique_ptr<Integration>> NewEmailNotifier(const EmailConfig& cfg, ReceiverKey key,
                                                               std::shared_ptr<const Templates> templates,
                                                               const NotifierOptions& options);

// 0.25's defaults for each config type, as the loader fills them in (for
// configs built in code): templated titles, texts and details, send_resolved.
WebhookConfig DefaultWebhookConfig();
SlackConfig DefaultSlackConfig();
PagerdutyConfig DefaultPagerdutyConfig();  // details: firing, resolved, num_firing, num_resolved
EmailConfig DefaultEmailConfig();          // headers: Subject; html: email.default.html

inline constexpr std::string_view kPagerdutyV1Url =
    "https://events.pagerduty.com/generic/2010-04-15/create_event.json";
inline constexpr std::string_view kPagerdutyV2Url = "https://events.pagerduty.com/v2/enqueue";

}  // namespace pharos::am
