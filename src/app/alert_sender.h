// AlertSender: the app's wiring of the notifier (notifier/manager.h) to the
// rule manager, the configuration and the API. The rule manager's NotifyFunc
// queues alerts here; Apply takes each (re)loaded configuration's external
// labels and `alerting` section; Stop sends (or drops) what is queued and
// ends the notifier's threads.
//
// Thread-safety: every method is thread-safe.
#pragma once

#include "api/api.h"
#include "app/flags.h"
#include "common/metrics/registry.h"
#include "config/config.h"
#include "notifier/manager.h"
#include "rules/manager.h"

namespace pharos::app {

class AlertSender {
 public:
  AlertSender(const Flags& flags, metrics::Registry* registry);

  void Apply(const config::Config& cfg);
  // Hands alerts to the notifier; valid while this object lives.
  rules::NotifyFunc NotifyFunc();
  api::AlertmanagerUrls Urls() const;
  void Stop();

 private:
  notifier::Manager manager_;
};

}  // namespace pharos::app
