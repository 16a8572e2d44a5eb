#include "notifier/alertmanager_metrics.h"

#include <limits>

namespace pharos::notifier {

AlertmanagerMetrics::AlertmanagerMetrics() : bounds_(metrics::DefaultBuckets()) {}

std::shared_ptr<AlertmanagerMetrics::Series> AlertmanagerMetrics::Get(const std::string& url) {
  std::lock_guard<std::mutex> l(mu_);
  auto& s = series_[url];
  if (!s) s = std::make_shared<Series>(&bounds_);
  return s;
}

void AlertmanagerMetrics::Ensure(const std::vector<std::string>& urls) {
  for (const auto& u : urls) Get(u);
}

void AlertmanagerMetrics::Retain(const std::set<std::string>& urls) {
  std::lock_guard<std::mutex> l(mu_);
  std::erase_if(series_, [&](const auto& kv) { return !urls.contains(kv.first); });
}

void AlertmanagerMetrics::Record(const std::string& url, size_t count, bool ok, double seconds) {
  std::shared_ptr<Series> s = Get(url);
  s->sent.Inc(count);
  if (!ok) s->errors.Inc();
  s->latency.Observe(seconds);
}

void AlertmanagerMetrics::Collect(std::vector<metrics::FamilySnapshot>* out) const {
  metrics::FamilySnapshot sent{"prometheus_notifications_sent_total", "Total number of alerts sent.",
                               metrics::MetricType::kCounter, {}};
  metrics::FamilySnapshot errors{"prometheus_notifications_errors_total",
                                 "Total number of errors sending alert notifications.",
                                 metrics::MetricType::kCounter, {}};
  metrics::FamilySnapshot latency{"prometheus_notifications_latency_seconds",
                                  "Latency for sending alert notifications.", metrics::MetricType::kHistogram, {}};
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [url, s] : series_) {
    std::vector<std::pair<std::string, std::string>> labels{{"alertmanager", url}};
    metrics::MetricSnapshot m;
    m.labels = labels;
    m.value = s->sent.Value();
    sent.metrics.push_back(m);
    m.value = s->errors.Value();
    errors.metrics.push_back(m);
    metrics::MetricSnapshot h;
    h.labels = labels;
    metrics::Histogram::Snapshot snap = s->latency.Snap();
    for (size_t i = 0; i < bounds_.size(); ++i) h.buckets.emplace_back(bounds_[i], snap.cumulative[i]);
    h.buckets.emplace_back(std::numeric_limits<double>::infinity(), snap.cumulative.back());
    h.count = snap.count;
    h.sum = snap.sum;
    latency.metrics.push_back(std::move(h));
  }
  if (series_.empty()) return;  // as client_golang, a vector without children is not exposed
  out->push_back(std::move(sent));
  out->push_back(std::move(errors));
  out->push_back(std::move(latency));
}

}  // namespace pharos::notifier
