#include "alertmanager/notifiers/notifiers.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::am {

WebhookConfig DefaultWebhookConfig() {
  WebhookConfig c;
  c.common.send_resolved = true;
  return c;
}

SlackConfig DefaultSlackConfig() {
  SlackConfig c;
  c.common.send_resolved = false;
  c.username = "{{ template \"slack.default.username\" . }}";
  c.color = "{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}";
  c.title = "{{ template \"slack.default.title\" . }}";
  c.title_link = "{{ template \"slack.default.titlelink\" . }}";
  c.icon_emoji = "{{ template \"slack.default.iconemoji\" . }}";
  c.icon_url = "{{ template \"slack.default.iconurl\" . }}";
  c.pretext = "{{ template \"slack.default.pretext\" . }}";
  c.text = "{{ template \"slack.default.text\" . }}";
  c.fallback = "{{ template \"slack.default.fallback\" . }}";
  c.callback_id = "{{ template \"slack.default.callbackid\" . }}";
  c.footer = "{{ template \"slack.default.footer\" . }}";
  return c;
}

PagerdutyConfig DefaultPagerdutyConfig() {
  PagerdutyConfig c;
  c.common.send_resolved = true;
  c.description = "{{ template \"pagerduty.default.description\" .}}";
  c.client = "{{ template \"pagerduty.default.client\" . }}";
  c.client_url = "{{ template \"pagerduty.default.clientURL\" . }}";
  c.source = c.client;
  c.details = {
      {"firing", "{{ template \"pagerduty.default.instances\" .Alerts.Firing }}"},
      {"num_firing", "{{ .Alerts.Firing | len }}"},
      {"num_resolved", "{{ .Alerts.Resolved | len }}"},
      {"resolved", "{{ template \"pagerduty.default.instances\" .Alerts.Resolved }}"},
  };
  return c;
}

EmailConfig DefaultEmailConfig() {
  EmailConfig c;
  c.common.send_resolved = false;
  c.headers = {{"Subject", "{{ template \"email.default.subject\" . }}"}};
  c.html = "{{ template \"email.default.html\" . }}";
  return c;
}

absl::StatusOr<std::vector<std::unique_ptr<Integration>>> BuildIntegrations(
    const Receiver& receiver, std::shared_ptr<const Templates> templates, const NotifierOptions& options) {
  std::vector<std::unique_ptr<Integration>> out;
  auto add = [&](absl::StatusOr<std::unique_ptr<Integration>> i, std::string_view type, size_t idx) -> absl::Status {
    if (!i.ok()) {
      return absl::Status(i.status().code(), absl::StrCat("receiver ", receiver.name, ": ", AV(type), "[", idx,
                                                          "]: ", i.status().message()));
    }
    out.push_back(*std::move(i));
    return absl::OkStatus();
  };
  auto key = [&](const char* type, size_t idx) { return ReceiverKey{receiver.name, type, static_cast<uint32_t>(idx)}; };
  for (size_t i = 0; i < receiver.webhook_configs.size(); ++i) {
    auto s = add(NewWebhookNotifier(receiver.webhook_configs[i], key("webhook", i), templates, options), "webhook", i);
    if (!s.ok()) return s;
  }
  for (size_t i = 0; i < receiver.email_configs.size(); ++i) {
    auto s = add(NewEmailNotifier(receiver.email_configs[i], key("email", i), templates, options), "email", i);
    if (!s.ok()) return s;
  }
  for (size_t i = 0; i < receiver.pagerduty_configs.size(); ++i) {
    auto s = add(NewPagerdutyNotifier(receiver.pagerduty_configs[i], key("pagerduty", i), templates, options),
                 "pagerduty", i);
    if (!s.ok()) return s;
  }
  for (size_t i = 0; i < receiver.slack_configs.size(); ++i) {
    auto s = add(NewSlackNotifier(receiver.slack_configs[i], key("slack", i), templates, options), "slack", i);
    if (!s.ok()) return s;
  }
  return out;
}

}  // namespace pharos::am
