// The per-Alertmanager metrics of the notifier:
// prometheus_notifications_sent_total, _errors_total and _latency_seconds,
// labelled alertmanager=<URL>. As in Prometheus, the series of an
// Alertmanager start at 0 when it is discovered and disappear when it is no
// longer discovered (so they are kept here and rendered by a registry
// collector, not as registry families, which never forget a child).
//
// Thread-safety: every method is thread-safe (mu_ guards the map; the
// metrics themselves are atomic).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/metrics/metric.h"
#include "common/metrics/snapshot.h"

namespace pharos::notifier {

class AlertmanagerMetrics {
 public:
  AlertmanagerMetrics();

  // Creates the series of these URLs (at 0) where missing.
  void Ensure(const std::vector<std::string>& urls);
  // Deletes the series of every URL not in `urls`.
  void Retain(const std::set<std::string>& urls);
  // One request of `count` alerts to `url` finished after `seconds`
  // (counted in sent_total whether it succeeded or not, as in 2.53).
  void Record(const std::string& url, size_t count, bool ok, double seconds);
  // Appends the three families.
  void Collect(std::vector<metrics::FamilySnapshot>* out) const;

 private:
  struct Series {
    explicit Series(const std::vector<double>* bounds) : latency(bounds) {}
    metrics::Counter sent;
    metrics::Counter errors;
    metrics::Histogram latency;
  };
  std::shared_ptr<Series> Get(const std::string& url);

  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Series>> series_;  // guarded by mu_
};

}  // namespace pharos::notifier
