#include "alertmanager/dispatch.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace pharos::am {

bool LabelSetBefore(const LabelSet& a, const LabelSet& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  // Walk the union of the names in order; the first difference decides: the
  // set that lacks the smaller name sorts first, then the smaller value.
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() && ib != b.end()) {
    if (ia->first != ib->first) return ia->first > ib->first;
    if (ia->second != ib->second) return ia->second < ib->second;
    ++ia;
    ++ib;
  }
  return false;
}

namespace {

// The label value and whether it exists.
const std::string* Find(const LabelSet& ls, const std::string& name) {
  auto it = ls.find(name);
  return it == ls.end() ? nullptr : &it->second;
}

bool AlertBefore(const Alert& x, const Alert& y) {
  static const std::string kOverrides[] = {"job", "instance"};
  for (const std::string& key : kOverrides) {
    const std::string* xv = Find(x.labels, key);
    const std::string* yv = Find(y.labels, key);
    if (xv == nullptr && yv == nullptr) continue;
    if (xv == nullptr) return false;
    if (yv == nullptr) return true;
    if (*xv != *yv) return *xv < *yv;
  }
  return LabelSetBefore(x.labels, y.labels);
}

}  // namespace

void SortAlerts(std::vector<Alert>* alerts) { std::stable_sort(alerts->begin(), alerts->end(), AlertBefore); }

struct Dispatcher::Group {
  const RouteNode* route = nullptr;
  LabelSet labels;
  std::string key;
  // The rest is guarded by Dispatcher::mu_.
  std::map<uint64_t, Alert> alerts;
  absl::Time next;
  bool has_flushed = false;
  bool flushing = false;
};

struct Dispatcher::Flush {
  std::thread thread;
  bool done = false;
};

Dispatcher::Dispatcher(const RouteNode* root, AlertStore* store, Stage* stage, std::shared_ptr<Clock> clock,
                       DispatcherOptions opts)
    : root_(root), store_(store), stage_(stage), clock_(std::move(clock)), opts_(opts) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (started_ || stopping_) return;
    started_ = true;
  }
  subscription_ = store_->Subscribe(AlertListener{[this](const Alert& a) { Insert(a); }, nullptr});
  scheduler_ = std::thread([this] { Run(); });
}

void Dispatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.SignalAll();
  }
  if (subscription_ != 0) store_->Unsubscribe(subscription_);
  if (scheduler_.joinable()) scheduler_.join();
  std::list<Flush> flushes;
  {
    absl::MutexLock lock(&mu_);
    flushes.splice(flushes.end(), flushes_);
  }
  for (Flush& f : flushes) {
    if (f.thread.joinable()) f.thread.join();
  }
}

void Dispatcher::Insert(const Alert& alert) {
  const absl::Time now = clock_->Now();
  const std::vector<const RouteNode*> routes = root_->Match(alert.labels);
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  for (const RouteNode* r : routes) {
    LabelSet group_labels = r->GroupLabels(alert.labels);
    const uint64_t gfp = Fingerprint(group_labels);
    std::shared_ptr<Group>& g = groups_[r][gfp];
    if (g == nullptr) {
      g = std::make_shared<Group>();
      g->route = r;
      g->key = absl::StrCat(r->Key(), ":", LabelSetString(group_labels));
      g->labels = std::move(group_labels);
      g->next = now + r->opts().group_wait;
      ++group_count_;
    }
    g->alerts[alert.fingerprint()] = alert;
    // An alert that started more than group_wait ago needs no waiting.
    if (!g->has_flushed && alert.starts_at + r->opts().group_wait < now) g->next = now;
  }
  cv_.SignalAll();
}

void Dispatcher::Run() {
  absl::MutexLock lock(&mu_);
  absl::Time next_cleanup = clock_->Now() + opts_.cleanup_interval;
  while (!stopping_) {
    ReapFinished();
    const absl::Time now = clock_->Now();
    if (now >= next_cleanup) {
      for (auto& [route, groups] : groups_) {
        for (auto it = groups.begin(); it != groups.end();) {
          if (it->second->alerts.empty() && !it->second->flushing) {
            it = groups.erase(it);
            --group_count_;
          } else {
            ++it;
          }
        }
      }
      next_cleanup = now + opts_.cleanup_interval;
    }
    absl::Time wake = next_cleanup;
    for (auto& [route, groups] : groups_) {
      for (auto& [fp, g] : groups) {
        if (g->flushing) continue;  // its end wakes us
        if (g->next <= now) {
          if (in_flight_ >= opts_.max_concurrent_flushes) continue;  // a finishing flush wakes us
          StartFlush(g, now);
        } else {
          wake = std::min(wake, g->next);
        }
      }
    }
    clock_->WaitUntil(&mu_, &cv_, wake);
  }
}

void Dispatcher::StartFlush(const std::shared_ptr<Group>& g, absl::Time now) {
  g->flushing = true;
  g->has_flushed = true;
  g->next = now + g->route->opts().group_interval;
  ++in_flight_;
  flushes_.emplace_back();
  Flush* f = &flushes_.back();
  f->thread = std::thread(&Dispatcher::DoFlush, this, g, now, f);
}

void Dispatcher::ReapFinished() {
  for (auto it = flushes_.begin(); it != flushes_.end();) {
    if (!it->done) {
      ++it;
      continue;
    }
    if (it->thread.joinable()) it->thread.join();
    it = flushes_.erase(it);
  }
}

void Dispatcher::DoFlush(std::shared_ptr<Group> g, absl::Time now, Flush* self) {
  const RouteOpts& opts = g->route->opts();
  FlushRequest req;
  {
    absl::MutexLock lock(&mu_);
    req.alerts.reserve(g->alerts.size());
    for (const auto& [fp, a] : g->alerts) {
      req.alerts.push_back(a);
      // Firing alerts must not turn resolved as time passes in the pipeline.
      if (!a.ResolvedAt(now)) req.alerts.back().ends_at = absl::InfinitePast();
    }
  }
  absl::Status status;
  if (!req.alerts.empty()) {
    SortAlerts(&req.alerts);
    req.ctx.receiver = opts.receiver;
    req.ctx.group_key = g->key;
    req.ctx.group_labels = g->labels;
    req.ctx.repeat_interval = opts.repeat_interval;
    req.ctx.now = now;
    req.mute_time_intervals = opts.mute_time_intervals;
    req.active_time_intervals = opts.active_time_intervals;
    req.timeout = std::max(opts.group_interval, opts_.min_flush_timeout);
    log::Debug("alertmanager", "flushing", {{"aggrGroup", g->key}, {"alerts", req.alerts.size()}});
    status = stage_->Exec(req);
    if (!status.ok()) {
      log::Error("alertmanager", "Notify for alerts failed",
                 {{"aggrGroup", g->key}, {"num_alerts", req.alerts.size()}, {"err", status}});
    }
  }
  absl::MutexLock lock(&mu_);
  if (status.ok()) {
    // Resolved alerts leave the group unless they changed during the flush.
    for (const Alert& a : req.alerts) {
      if (!a.ResolvedAt(now)) continue;
      auto it = g->alerts.find(a.fingerprint());
      if (it != g->alerts.end() && it->second.updated_at == a.updated_at) g->alerts.erase(it);
    }
  }
  g->flushing = false;
  self->done = true;
  --in_flight_;
  cv_.SignalAll();
}

AlertGroups Dispatcher::Groups(const std::function<bool(const RouteNode&)>& route_filter,
                               const std::function<bool(const Alert&, absl::Time now)>& alert_filter) const {
  // Copy the groups under the lock; the filters (which may ask silences and
  // the inhibitor) run without it, so they never hold up Insert().
  struct Snapshot {
    const RouteNode* route;
    LabelSet labels;
    std::string key;
    std::vector<Alert> alerts;
  };
  std::vector<Snapshot> snap;
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [route, groups] : groups_) {
      for (const auto& [fp, g] : groups) {
        if (g->alerts.empty()) continue;
        Snapshot s{route, g->labels, g->key, {}};
        s.alerts.reserve(g->alerts.size());
        for (const auto& [afp, a] : g->alerts) s.alerts.push_back(a);
        snap.push_back(std::move(s));
      }
    }
  }
  AlertGroups out;
  for (Snapshot& s : snap) {
    if (route_filter && !route_filter(*s.route)) continue;
    AlertGroup ag;
    ag.labels = std::move(s.labels);
    ag.receiver = s.route->opts().receiver;
    ag.group_key = std::move(s.key);
    ag.route_id = s.route->ID();
    for (Alert& a : s.alerts) {
      if (alert_filter && !alert_filter(a, now)) continue;
      out.receivers[a.fingerprint()].push_back(ag.receiver);
      ag.alerts.push_back(std::move(a));
    }
    if (ag.alerts.empty()) continue;
    SortAlerts(&ag.alerts);
    out.groups.push_back(std::move(ag));
  }
  std::stable_sort(out.groups.begin(), out.groups.end(), [](const AlertGroup& x, const AlertGroup& y) {
    if (x.labels == y.labels) return x.receiver < y.receiver;
    return LabelSetBefore(x.labels, y.labels);
  });
  for (auto& [fp, r] : out.receivers) std::sort(r.begin(), r.end());
  return out;
}

size_t Dispatcher::group_count() const {
  absl::MutexLock lock(&mu_);
  return group_count_;
}

}  // namespace pharos::am
