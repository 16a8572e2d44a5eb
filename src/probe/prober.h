// Running one probe: a module (config/probe_config.h) against a target.
//
//   probe::ProbeResult r = probe::RunProbe(module, "127.0.0.1:6379", absl::Seconds(5));
//   r.success(); r.failure(); probe::RenderText(r);
//
// Targets by prober: http — a URL ("http://" is added when no scheme is
// given); tcp, postgres, redis, mongodb — "host:port"; dns — the server,
// "host[:port]" (port 53 by default). A probe never fails the caller: every
// problem (refused connection, garbage, timeout) is a failed result with a
// reason, within the timeout. Thread-safe: probes share no state.
#pragma once

#include <string_view>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "config/probe_config.h"
#include "probe/result.h"

namespace pharos::probe {

ProbeResult RunProbe(const config::ProbeModule& module, std::string_view target, absl::Duration timeout);

// The timeout blackbox_exporter would use: the module's when set and shorter
// than the scrape's, else the scrape timeout less 0.5s (`scrape_timeout` is
// X-Prometheus-Scrape-Timeout-Seconds; zero when absent, meaning 120s).
absl::Duration EffectiveTimeout(const config::ProbeModule& module, absl::Duration scrape_timeout);

}  // namespace pharos::probe
