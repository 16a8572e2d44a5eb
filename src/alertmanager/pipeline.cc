#include "alertmanager/pipeline.h"

#include <algorithm>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/strings.h"

namespace pharos::am {

struct Pipeline::Counters {
  metrics::CounterFamily* notifications = nullptr;
  metrics::CounterFamily* notifications_failed = nullptr;
  metrics::CounterFamily* requests = nullptr;
  metrics::CounterFamily* requests_failed = nullptr;
};

// The sends of one Exec(): one job per integration that has something to
// send. Shared with the sending threads, which may outlive Exec() when an
// integration hangs.
struct Pipeline::Fanout {
  struct Job {
    std::shared_ptr<Integration> integration;  // immutable
    std::vector<Alert> alerts;                 // immutable
    std::string name;                          // "receiver/webhook[0]", immutable
    bool done = false;                         // the rest guarded by Fanout::mu
    absl::Status status;
    int attempts = 0;
    int failed_attempts = 0;
  };

  NotifyContext ctx;
  std::shared_ptr<Clock> clock;
  absl::Time deadline;
  PipelineOptions opts;
  std::vector<Job> jobs;

  absl::Mutex mu;
  absl::CondVar cv;
  int pending ABSL_GUARDED_BY(mu) = 0;
  bool cancelled ABSL_GUARDED_BY(mu) = false;  // Pipeline::Cancel()
  bool abandoned ABSL_GUARDED_BY(mu) = false;  // Exec() stopped waiting: no more attempts
};

namespace {

std::string IntegrationName(const std::string& receiver, const ReceiverKey& k) {
  return absl::StrCat(receiver, "/", k.integration, "[", k.idx, "]");
}

absl::Duration Jittered(absl::Duration d, double jitter) {
  if (jitter <= 0) return d;
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> dist(1 - jitter, 1 + jitter);
  return d * dist(rng);
}

bool Contains(const std::vector<uint64_t>& v, uint64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

bool AllIn(const std::set<uint64_t>& subset, const std::vector<uint64_t>& set) {
  for (uint64_t x : subset) {
    if (!Contains(set, x)) return false;
  }
  return true;
}

}  // namespace

Pipeline::Pipeline(ReceiverIntegrations receivers, Muter* inhibitor, Muter* silences, Marker* marker,
                   NotificationLog* nflog, TimeIntervalFn time_intervals, std::shared_ptr<Clock> clock,
                   PipelineOptions opts)
    : receivers_(std::move(receivers)),
      inhibitor_(inhibitor),
      silences_(silences),
      marker_(marker),
      nflog_(nflog),
      time_intervals_(std::move(time_intervals)),
      clock_(std::move(clock)),
      opts_(opts),
      counters_(std::make_shared<Counters>()) {
  if (opts_.registry != nullptr) {
    metrics::Registry* r = opts_.registry;
    counters_->notifications = r->NewCounterFamily("alertmanager_notifications_total",
                                                   "The total number of attempted notifications.", {"integration"});
    counters_->notifications_failed = r->NewCounterFamily(
        "alertmanager_notifications_failed_total", "The total number of failed notifications.", {"integration"});
    counters_->requests = r->NewCounterFamily("alertmanager_notification_requests_total",
                                              "The total number of attempted notification requests.",
                                              {"integration"});
    counters_->requests_failed = r->NewCounterFamily("alertmanager_notification_requests_failed_total",
                                                     "The total number of failed notification requests.",
                                                     {"integration"});
  }
}

Pipeline::~Pipeline() { Cancel(); }

void Pipeline::Cancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  for (const auto& f : running_) {
    absl::MutexLock flock(&f->mu);
    f->cancelled = true;
    f->cv.SignalAll();
  }
}

absl::StatusOr<bool> Pipeline::InAny(const std::vector<std::string>& names, absl::Time now) const {
  for (const std::string& name : names) {
    if (!time_intervals_) {
      return absl::NotFoundError(absl::StrCat("time interval ", name, " doesn't exist in config"));
    }
    absl::StatusOr<bool> in = time_intervals_(name, now);
    if (!in.ok()) return in.status();
    if (*in) return true;
  }
  return false;
}

bool Pipeline::NeedsUpdate(const std::optional<NflogEntry>& entry, const std::set<uint64_t>& firing,
                           const std::set<uint64_t>& resolved, bool send_resolved, absl::Duration repeat) const {
  // Never notified: only when something fires.
  if (!entry.has_value()) return !firing.empty();
  // A firing alert the receiver has not heard of.
  if (!AllIn(firing, entry->firing_alerts)) return true;
  // Everything resolved: notify (whatever send_resolved says) only if the
  // receiver was told about firing alerts, so the log forgets them.
  if (firing.empty()) return !entry->firing_alerts.empty();
  if (send_resolved && !AllIn(resolved, entry->resolved_alerts)) return true;
  // Nothing changed: repeat once the repeat interval has passed.
  return entry->timestamp < clock_->Now() - repeat;
}

void Pipeline::Send(std::shared_ptr<Fanout> f, size_t i) {
  Fanout::Job& job = f->jobs[i];
  absl::Duration backoff = f->opts.initial_backoff;
  absl::Status last;
  absl::Status result;
  int attempt = 0;
  for (;;) {
    {
      absl::MutexLock lock(&f->mu);
      if (f->cancelled || f->abandoned) {
        result = absl::CancelledError(absl::StrCat(job.name, ": notify retry canceled after ", attempt,
                                                   " attempts", last.ok() ? "" : ": ",
                                                   last.ok() ? "" : last.message()));
        break;
      }
    }
    ++attempt;
    Integration::Result r = job.integration->Notify(f->ctx, job.alerts);
    absl::MutexLock lock(&f->mu);
    job.attempts = attempt;
    if (r.status.ok()) {
      result = absl::OkStatus();
      break;
    }
    ++job.failed_attempts;
    if (!r.retry) {
      result = absl::Status(r.status.code(),
                            absl::StrCat(job.name, ": notify retry canceled due to unrecoverable error after ",
                                         attempt, " attempts: ", r.status.message()));
      break;
    }
    if (last.ok() || last.message() != r.status.message()) {
      log::Warn("alertmanager", "Notify attempt failed, will retry later",
                {{"integration", job.name}, {"attempts", attempt}, {"err", r.status}});
    }
    last = r.status;
    const absl::Duration wait = Jittered(backoff, f->opts.backoff_jitter);
    backoff = std::min(backoff * f->opts.backoff_multiplier, f->opts.max_backoff);
    const absl::Time next = f->clock->Now() + wait;
    if (next >= f->deadline) {
      result = absl::DeadlineExceededError(absl::StrCat(job.name, ": notify retry canceled after ", attempt,
                                                        " attempts: ", last.message()));
      break;
    }
    while (!f->cancelled && !f->abandoned && f->clock->Now() < next) f->clock->WaitUntil(&f->mu, &f->cv, next);
  }
  absl::MutexLock lock(&f->mu);
  job.done = true;
  job.status = std::move(result);
  --f->pending;
  f->cv.SignalAll();
}

absl::Status Pipeline::Exec(const FlushRequest& req) {
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) return absl::CancelledError("notification pipeline stopped");
  }
  auto recv = receivers_.find(req.ctx.receiver);
  if (recv == receivers_.end()) {
    return absl::NotFoundError(absl::StrCat("stage for receiver missing: ", req.ctx.receiver));
  }
  const absl::Time now = req.ctx.now;

  // Inhibition.
  std::vector<const Alert*> alerts;
  alerts.reserve(req.alerts.size());
  for (const Alert& a : req.alerts) {
    if (inhibitor_ != nullptr) {
      std::vector<std::string> by = inhibitor_->MutedBy(a.labels, now);
      const bool muted = !by.empty();
      if (marker_ != nullptr) marker_->SetInhibited(a.fingerprint(), std::move(by));
      if (muted) continue;
    }
    alerts.push_back(&a);
  }
  if (alerts.empty()) return absl::OkStatus();

  // Time intervals of the route.
  if (!req.active_time_intervals.empty()) {
    absl::StatusOr<bool> active = InAny(req.active_time_intervals, now);
    if (!active.ok()) return active.status();
    if (!*active) {
      log::Debug("alertmanager", "Notifications not sent, route is not within active time",
                 {{"aggrGroup", req.ctx.group_key}});
      return absl::OkStatus();
    }
  }
  if (!req.mute_time_intervals.empty()) {
    absl::StatusOr<bool> muted = InAny(req.mute_time_intervals, now);
    if (!muted.ok()) return muted.status();
    if (*muted) {
      log::Debug("alertmanager", "Notifications not sent, route is within mute time",
                 {{"aggrGroup", req.ctx.group_key}});
      return absl::OkStatus();
    }
  }

  // Silences.
  if (silences_ != nullptr) {
    std::vector<const Alert*> kept;
    for (const Alert* a : alerts) {
      std::vector<std::string> by = silences_->MutedBy(a->labels, now);
      const bool muted = !by.empty();
      if (marker_ != nullptr) marker_->SetSilenced(a->fingerprint(), std::move(by));
      if (!muted) kept.push_back(a);
    }
    alerts.swap(kept);
  } else if (marker_ != nullptr) {
    for (const Alert* a : alerts) marker_->SetSilenced(a->fingerprint(), {});
  }
  if (alerts.empty()) return absl::OkStatus();

  std::vector<uint64_t> firing, resolved;
  std::set<uint64_t> firing_set, resolved_set;
  for (const Alert* a : alerts) {
    const uint64_t fp = a->fingerprint();
    if (a->ResolvedAt(now)) {
      resolved.push_back(fp);
      resolved_set.insert(fp);
    } else {
      firing.push_back(fp);
      firing_set.insert(fp);
    }
  }

  // Dedup per integration; what is left is sent in parallel.
  auto f = std::make_shared<Fanout>();
  f->ctx = req.ctx;
  f->clock = clock_;
  f->deadline = clock_->Now() + req.timeout;
  f->opts = opts_;
  std::vector<std::string> errors;
  std::vector<const Integration*> to_log;  // succeeded without a request
  for (const auto& integ : recv->second) {
    const ReceiverKey& key = integ->key();
    if (!NeedsUpdate(nflog_->Query(key, req.ctx.group_key), firing_set, resolved_set, integ->SendResolved(),
                     req.ctx.repeat_interval)) {
      continue;
    }
    if (counters_->notifications != nullptr) counters_->notifications->With({key.integration})->Inc();
    Fanout::Job job;
    job.integration = integ;
    job.name = IntegrationName(req.ctx.receiver, key);
    for (const Alert* a : alerts) {
      if (integ->SendResolved() || !a->ResolvedAt(now)) job.alerts.push_back(*a);
    }
    if (!integ->SendResolved() && firing.empty()) {
      // Only resolved alerts that this integration does not send: done, but
      // logged so that dedup knows.
      to_log.push_back(integ.get());
      continue;
    }
    f->jobs.push_back(std::move(job));
  }

  if (!f->jobs.empty()) {
    {
      absl::MutexLock lock(&mu_);
      if (cancelled_) return absl::CancelledError("notification pipeline stopped");
      running_.insert(f);
    }
    {
      absl::MutexLock lock(&f->mu);
      f->pending = static_cast<int>(f->jobs.size());
    }
    for (size_t i = 0; i < f->jobs.size(); ++i) std::thread(&Pipeline::Send, f, i).detach();
    {
      absl::MutexLock lock(&f->mu);
      while (f->pending > 0 && !f->cancelled && clock_->Now() < f->deadline) {
        clock_->WaitUntil(&f->mu, &f->cv, f->deadline);
      }
      // Senders still running finish their current attempt and stop.
      f->abandoned = true;
      f->cv.SignalAll();
      for (Fanout::Job& job : f->jobs) {
        const std::string& kind = job.integration->key().integration;
        if (counters_->requests != nullptr) {
          counters_->requests->With({kind})->Inc(job.attempts);
          counters_->requests_failed->With({kind})->Inc(job.failed_attempts);
        }
        absl::Status st = job.done ? job.status
                                   : (f->cancelled ? absl::CancelledError(absl::StrCat(job.name, ": notify canceled"))
                                                   : absl::DeadlineExceededError(absl::StrCat(
                                                         job.name, ": notify did not finish within ",
                                                         absl::FormatDuration(req.timeout))));
        if (st.ok()) {
          to_log.push_back(job.integration.get());
        } else {
          if (counters_->notifications_failed != nullptr) counters_->notifications_failed->With({kind})->Inc();
          errors.push_back(std::string(SV(st.message())));
        }
      }
    }
    absl::MutexLock lock(&mu_);
    running_.erase(f);
  }

  for (const Integration* integ : to_log) {
    absl::Status st = nflog_->Log(integ->key(), req.ctx.group_key, firing, resolved, req.ctx.repeat_interval * 2);
    if (!st.ok()) {
      errors.push_back(absl::StrCat(IntegrationName(req.ctx.receiver, integ->key()),
                                    ": logging the notification: ", st.message()));
    }
  }
  // The dispatcher logs a failed flush.
  if (!errors.empty()) return absl::UnavailableError(absl::StrJoin(errors, "; "));
  return absl::OkStatus();
}

}  // namespace pharos::am
