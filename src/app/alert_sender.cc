#include "app/alert_sender.h"

namespace pharos::app {

AlertSender::AlertSender(const Flags& flags, metrics::Registry* registry)
    : manager_(notifier::ManagerOptions{
          .queue_capacity = static_cast<size_t>(flags.notification_queue_capacity),
          .drain_on_shutdown = flags.drain_notification_queue,
          .registry = registry,
      }) {}

void AlertSender::Apply(const config::Config& cfg) { manager_.ApplyConfig(cfg.global.external_labels, cfg.alerting); }

rules::NotifyFunc AlertSender::NotifyFunc() {
  return [this](const std::vector<rules::NotifierAlert>& alerts) { manager_.Send(alerts); };
}

api::AlertmanagerUrls AlertSender::Urls() const {
  return api::AlertmanagerUrls{.active = manager_.ActiveAlertmanagers(), .dropped = manager_.DroppedAlertmanagers()};
}

void AlertSender::Stop() { manager_.Stop(); }

}  // namespace pharos::app
