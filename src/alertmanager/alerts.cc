#include "alertmanager/alerts.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace pharos::am {

// ---- clocks -------------------------------------------------------------------

namespace {

class WallClock final : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
  void WaitUntil(absl::Mutex* mu, absl::CondVar* cv, absl::Time deadline) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    cv->WaitWithDeadline(mu, deadline);
  }
};

}  // namespace

std::shared_ptr<Clock> RealClock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<WallClock>();
  return clock;
}

absl::Time ManualClock::Now() {
  absl::MutexLock lock(&mu_);
  return now_;
}

void ManualClock::WaitUntil(absl::Mutex* mu, absl::CondVar* cv, absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (now_ >= deadline) return;
    ++waits_;
  }
  // Nobody signals *cv when the manual time moves; a short real wait makes
  // the caller look at the clock again soon.
  cv->WaitWithTimeout(mu, absl::Milliseconds(1));
}

void ManualClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
}

uint64_t ManualClock::Waits() {
  absl::MutexLock lock(&mu_);
  return waits_;
}

void ManualClock::Set(absl::Time t) {
  absl::MutexLock lock(&mu_);
  now_ = t;
}

// ---- merging ------------------------------------------------------------------

Alert MergeAlerts(const Alert& a, const Alert& b, absl::Time now) {
  // `newer` is the more recently updated version; on a tie, `b`.
  const Alert& older = b.updated_at < a.updated_at ? b : a;
  const Alert& newer = b.updated_at < a.updated_at ? a : b;
  Alert res = newer;
  if (older.starts_at < newer.starts_at) res.starts_at = older.starts_at;
  if (newer.ResolvedAt(now)) {
    // Both resolved: the latest explicit end wins.
    if (older.ResolvedAt(now) && older.ends_at > newer.ends_at) res.ends_at = older.ends_at;
  } else if (older.ends_at > newer.ends_at && !older.timeout) {
    // A later end that the client gave explicitly beats a timeout.
    res.ends_at = older.ends_at;
  }
  return res;
}

void PrepareReceivedAlert(Alert* a, absl::Time now, absl::Duration resolve_timeout) {
  a->updated_at = now;
  if (a->starts_at == absl::InfinitePast()) {
    a->starts_at = a->ends_at == absl::InfinitePast() ? now : a->ends_at;
  }
  if (a->ends_at == absl::InfinitePast()) {
    a->timeout = true;
    a->ends_at = now + resolve_timeout;
  }
}

// ---- the store ------------------------------------------------------------------

AlertStore::AlertStore(std::shared_ptr<Clock> clock, Marker* marker, size_t max_alerts)
    : clock_(std::move(clock)), marker_(marker), max_alerts_(max_alerts) {}

AlertStore::~AlertStore() {
  Stop();
  if (registry_ != nullptr) registry_->RemoveCollector(collector_);
}

void AlertStore::RegisterMetrics(metrics::Registry* registry) {
  if (marker_ == nullptr || registry_ != nullptr) return;
  registry_ = registry;
  collector_ = registry->AddCollector([this](std::vector<metrics::FamilySnapshot>* out) {
    size_t counts[3] = {0, 0, 0};  // by AlertState
    const absl::Time now = clock_->Now();
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [fp, a] : alerts_) {
        if (a.ResolvedAt(now)) continue;
        ++counts[static_cast<int>(marker_->Status(fp).state)];
      }
    }
    metrics::FamilySnapshot f;
    f.name = "alertmanager_alerts";
    f.help = "How many alerts by state.";
    f.type = metrics::MetricType::kGauge;
    for (AlertState s : {AlertState::kActive, AlertState::kSuppressed, AlertState::kUnprocessed}) {
      metrics::MetricSnapshot m;
      m.labels = {{"state", std::string(AlertStateName(s))}};
      m.value = static_cast<double>(counts[static_cast<int>(s)]);
      f.metrics.push_back(std::move(m));
    }
    out->push_back(std::move(f));
  });
}

absl::Status AlertStore::Put(const std::vector<Alert>& alerts) {
  const absl::Time now = clock_->Now();
  size_t refused = 0;
  absl::MutexLock lock(&mu_);
  for (const Alert& in : alerts) {
    Alert alert = in;
    if (alert.updated_at == absl::InfinitePast()) alert.updated_at = now;
    const uint64_t fp = alert.fingerprint();
    auto it = alerts_.find(fp);
    if (it == alerts_.end()) {
      if (max_alerts_ > 0 && alerts_.size() >= max_alerts_) {
        ++refused;
        continue;
      }
    } else {
      const Alert& old = it->second;
      // Merge only when the activity ranges overlap; otherwise the new
      // alert is a new occurrence and replaces the old one.
      const bool ends_inside = alert.ends_at > old.starts_at && alert.ends_at < old.ends_at;
      const bool starts_inside = alert.starts_at > old.starts_at && alert.starts_at < old.ends_at;
      if (ends_inside || starts_inside) alert = MergeAlerts(old, alert, now);
    }
    Alert& stored = alerts_[fp];
    stored = std::move(alert);
    for (auto& [id, l] : listeners_) {
      if (l.on_put) l.on_put(stored);
    }
  }
  if (refused > 0) {
    return absl::ResourceExhaustedError(absl::StrCat("alert store is full (", max_alerts_, " alerts): ", refused,
                                                     " new alert(s) refused"));
  }
  return absl::OkStatus();
}

std::optional<Alert> AlertStore::Get(uint64_t fp) const {
  absl::MutexLock lock(&mu_);
  auto it = alerts_.find(fp);
  if (it == alerts_.end()) return std::nullopt;
  return it->second;
}

std::vector<Alert> AlertStore::List() const {
  std::vector<std::pair<uint64_t, const Alert*>> order;
  std::vector<Alert> out;
  absl::MutexLock lock(&mu_);
  order.reserve(alerts_.size());
  for (const auto& [fp, a] : alerts_) order.emplace_back(fp, &a);
  std::sort(order.begin(), order.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  out.reserve(order.size());
  for (const auto& [fp, a] : order) out.push_back(*a);
  return out;
}

size_t AlertStore::size() const {
  absl::MutexLock lock(&mu_);
  return alerts_.size();
}

int AlertStore::Subscribe(AlertListener listener) {
  absl::MutexLock lock(&mu_);
  if (listener.on_put) {
    for (const auto& [fp, a] : alerts_) listener.on_put(a);
  }
  const int id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void AlertStore::Unsubscribe(int id) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(id);
}

std::vector<Alert> AlertStore::GC() {
  const absl::Time now = clock_->Now();
  std::vector<Alert> removed;
  absl::MutexLock lock(&mu_);
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    if (!it->second.ResolvedAt(now)) {
      ++it;
      continue;
    }
    const uint64_t fp = it->first;
    removed.push_back(std::move(it->second));
    alerts_.erase(it++);
    if (marker_ != nullptr) marker_->Delete(fp);
    for (auto& [id, l] : listeners_) {
      if (l.on_delete) l.on_delete(fp);
    }
  }
  return removed;
}

void AlertStore::StartGC(absl::Duration interval) {
  absl::MutexLock lock(&gc_mu_);
  if (gc_thread_.joinable() || stopping_) return;
  // The first run is one interval after this call, not after the thread starts.
  const absl::Time first = clock_->Now() + interval;
  gc_thread_ = std::thread([this, interval, first] { GCLoop(interval, first); });
}

void AlertStore::GCLoop(absl::Duration interval, absl::Time first) {
  absl::MutexLock lock(&gc_mu_);
  absl::Time next = first;
  while (!stopping_) {
    if (clock_->Now() < next) {
      clock_->WaitUntil(&gc_mu_, &gc_cv_, next);
      continue;
    }
    gc_mu_.Unlock();
    GC();
    gc_mu_.Lock();
    next = clock_->Now() + interval;
  }
}

void AlertStore::Stop() {
  {
    absl::MutexLock lock(&gc_mu_);
    stopping_ = true;
    gc_cv_.SignalAll();
  }
  if (gc_thread_.joinable()) gc_thread_.join();
}

}  // namespace pharos::am
