#include "notifier/manager.h"

#include <atomic>
#include <chrono>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "notifier/alertmanager_metrics.h"
#include "notifier/alertmanager_set.h"

namespace pharos::notifier {

struct Manager::Metrics {
  explicit Metrics(metrics::Registry* r) : registry(r) {
    if (registry == nullptr) {
      own = std::make_unique<metrics::Registry>();
      registry = own.get();
    }
    dropped = registry->NewCounter("prometheus_notifications_dropped_total",
                                   "Total number of alerts dropped due to errors when sending to Alertmanager.");
  }
  std::unique_ptr<metrics::Registry> own;
  metrics::Registry* registry;
  metrics::Counter* dropped;
  AlertmanagerMetrics per_am;
};

Manager::Manager(ManagerOptions opts) : opts_(std::move(opts)), metrics_(std::make_unique<Metrics>(opts_.registry)) {
  collector_id_ = metrics_->registry->AddCollector([this](std::vector<metrics::FamilySnapshot>* out) {
    metrics_->per_am.Collect(out);
    auto gauge = [out](const char* name, const char* help, double v) {
      metrics::FamilySnapshot f{name, help, metrics::MetricType::kGauge, {}};
      metrics::MetricSnapshot m;
      m.value = v;
      f.metrics.push_back(std::move(m));
      out->push_back(std::move(f));
    };
    gauge("prometheus_notifications_queue_length", "The number of alert notifications in the queue.",
          static_cast<double>(QueueLength()));
    gauge("prometheus_notifications_queue_capacity", "The capacity of the alert notifications queue.",
          static_cast<double>(opts_.queue_capacity));
    gauge("prometheus_notifications_alertmanagers_discovered", "The number of alertmanagers discovered and active.",
          static_cast<double>(ActiveAlertmanagers().size()));
  });
  send_thread_ = std::thread([this] { SendLoop(); });
  discovery_thread_ = std::thread([this] { DiscoveryLoop(); });
}

Manager::~Manager() {
  Stop();
  metrics_->registry->RemoveCollector(collector_id_);
}

void Manager::ApplyConfig(const Labels& external_labels, const config::AlertingConfig& cfg) {
  std::vector<std::shared_ptr<AlertmanagerSet>> sets;
  for (const auto& am : cfg.alertmanagers) {
    auto set = std::make_shared<AlertmanagerSet>(am, opts_.user_agent);
    set->Refresh(true);
    sets.push_back(std::move(set));
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    sets_ = std::move(sets);
    external_labels_ = external_labels;
    relabel_ = cfg.alert_relabel_configs;
  }
  SyncMetrics();
}

void Manager::SyncMetrics() {
  std::lock_guard<std::mutex> sync(metrics_sync_mu_);
  std::vector<std::shared_ptr<AlertmanagerSet>> sets;
  {
    std::lock_guard<std::mutex> l(mu_);
    sets = sets_;
  }
  std::set<std::string> all;
  for (const auto& set : sets) {
    std::vector<std::string> urls = set->Active();
    metrics_->per_am.Ensure(urls);
    all.insert(urls.begin(), urls.end());
  }
  metrics_->per_am.Retain(all);
}

void Manager::Send(std::vector<Alert> alerts) {
  std::lock_guard<std::mutex> l(mu_);
  alerts = RelabelAlerts(relabel_, external_labels_, std::move(alerts));
  if (alerts.empty()) return;
  const size_t cap = opts_.queue_capacity;
  size_t skip = 0;
  if (alerts.size() > cap) {
    skip = alerts.size() - cap;
    log::Warn("notifier", "alert batch larger than queue capacity, dropping alerts", {{"num_dropped", skip}});
    metrics_->dropped->Inc(skip);
  }
  size_t incoming = alerts.size() - skip;
  if (queue_.size() + incoming > cap) {
    size_t d = queue_.size() + incoming - cap;
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(d));
    log::Warn("notifier", "alert notification queue full, dropping alerts", {{"num_dropped", d}});
    metrics_->dropped->Inc(d);
  }
  for (size_t i = skip; i < alerts.size(); ++i) queue_.push_back(std::move(alerts[i]));
  cv_.notify_all();
}

std::vector<Alert> Manager::NextBatch() {
  // mu_ held by the caller.
  size_t n = std::min(queue_.size(), opts_.max_batch_size);
  std::vector<Alert> batch(std::make_move_iterator(queue_.begin()),
                           std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  return batch;
}

bool Manager::SendAll(const std::vector<Alert>& alerts) {
  if (alerts.empty()) return true;
  const auto begin = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<AlertmanagerSet>> sets;
  {
    std::lock_guard<std::mutex> l(mu_);
    sets = sets_;
  }
  std::atomic<int> successes{0};
  std::vector<std::thread> requests;
  // Each request thread holds its body (the client does not copy it).
  std::shared_ptr<const std::string> plain;
  for (const auto& set : sets) {
    std::vector<std::string> urls = set->Active();
    if (urls.empty()) continue;
    std::shared_ptr<const std::string> payload;
    size_t count = alerts.size();
    if (!set->config().alert_relabel_configs.empty()) {
      std::vector<Alert> mine = RelabelAlerts(set->config().alert_relabel_configs, Labels(), alerts);
      if (mine.empty()) continue;
      count = mine.size();
      payload = std::make_shared<const std::string>(rules::NotifierAlertsJson(mine));
    } else {
      if (!plain) plain = std::make_shared<const std::string>(rules::NotifierAlertsJson(alerts));
      payload = plain;
    }
    for (const auto& url : urls) {
      requests.emplace_back([this, set, url, payload, count, begin, &successes] {
        absl::Status st = set->Post(url, *payload);
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        if (!st.ok()) {
          log::Error("notifier", "error sending alerts",
                     {{"alertmanager", url}, {"count", count}, {"err", st}});
        } else {
          successes.fetch_add(1);
        }
        metrics_->per_am.Record(url, count, st.ok(), secs);
      });
    }
  }
  for (auto& t : requests) t.join();
  return successes.load() > 0;
}

void Manager::SendLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    std::vector<Alert> batch = NextBatch();
    lock.unlock();
    if (!SendAll(batch)) metrics_->dropped->Inc(batch.size());
    lock.lock();
  }
  // Stopping: what is still queued is sent or counted as dropped.
  if (!opts_.drain_on_shutdown) {
    if (!queue_.empty()) {
      log::Warn("notifier", "draining notifications on shutdown is disabled; dropping them",
                {{"count", queue_.size()}});
      metrics_->dropped->Inc(queue_.size());
      queue_.clear();
    }
    return;
  }
  while (!queue_.empty()) {
    std::vector<Alert> batch = NextBatch();
    lock.unlock();
    if (!SendAll(batch)) metrics_->dropped->Inc(batch.size());
    lock.lock();
  }
}

void Manager::DiscoveryLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    auto poll = absl::ToChronoMilliseconds(opts_.discovery_poll);
    if (cv_.wait_for(lock, poll, [this] { return stopping_; })) return;
    std::vector<std::shared_ptr<AlertmanagerSet>> sets = sets_;
    lock.unlock();
    bool changed = false;
    for (const auto& set : sets) {
      if (!set->config().file_sd_configs.empty() && set->Refresh(false)) changed = true;
    }
    if (changed) SyncMetrics();
    lock.lock();
  }
}

void Manager::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  cv_.notify_all();
  if (discovery_thread_.joinable()) discovery_thread_.join();
  if (send_thread_.joinable()) send_thread_.join();
  log::Info("notifier", "notification manager stopped");
}

std::vector<std::string> Manager::Urls(bool active) const {
  std::vector<std::shared_ptr<AlertmanagerSet>> sets;
  {
    std::lock_guard<std::mutex> l(mu_);
    sets = sets_;
  }
  std::vector<std::string> out;
  for (const auto& s : sets) {
    for (auto& u : active ? s->Active() : s->Dropped()) out.push_back(std::move(u));
  }
  return out;
}

std::vector<std::string> Manager::ActiveAlertmanagers() const { return Urls(true); }

std::vector<std::string> Manager::DroppedAlertmanagers() const { return Urls(false); }

size_t Manager::QueueLength() const {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.size();
}

}  // namespace pharos::notifier
