#include "probe/scheduler.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/strings.h"
#include "probe/prober.h"
#include "storage/sample.h"

namespace pharos::probe {

struct Scheduler::Target {
  config::ProbeTarget spec;
  config::ProbeModule module;
  absl::Duration interval;
  absl::Duration timeout;
  std::thread thread;
  // Series of the last probe, for staleness markers (written by the
  // target's thread, read after it is joined).
  std::vector<Labels> last_series;
  mutable absl::Mutex mu;
  bool stop ABSL_GUARDED_BY(mu) = false;
  int rounds ABSL_GUARDED_BY(mu) = 0;
  TargetHealth health ABSL_GUARDED_BY(mu);
};

Scheduler::Scheduler(storage::Appendable* storage) : storage_(storage) {}

Scheduler::~Scheduler() { Stop(); }

absl::Status Scheduler::Apply(const config::ProbesConfig& probes, const config::ProbeModules& file_modules) {
  if (absl::Status s = config::CheckProbeTargets(probes, file_modules); !s.ok()) return s;
  std::vector<std::unique_ptr<Target>> next;
  for (const config::ProbeTarget& spec : probes.targets) {
    auto t = std::make_unique<Target>();
    t->spec = spec;
    t->module = *config::FindProbeModule(probes, file_modules, spec.module);
    t->interval = absl::Milliseconds(spec.interval_ms);
    t->timeout = EffectiveTimeout(t->module, t->interval + absl::Milliseconds(500));
    TargetHealth& h = t->health;
    h.name = spec.name;
    h.module = spec.module;
    h.target = spec.target;
    h.critical = spec.critical;
    h.reason = "not probed yet";
    next.push_back(std::move(t));
  }
  // Keep the last result of targets that did not change.
  std::vector<std::unique_ptr<Target>> old;
  {
    absl::MutexLock l(&mu_);
    old.swap(targets_);
  }
  for (auto& o : old) {
    {
      absl::MutexLock l(&o->mu);
      o->stop = true;
    }
    if (o->thread.joinable()) o->thread.join();
    bool kept = false;
    for (auto& n : next) {
      if (n->spec.name == o->spec.name && n->spec.module == o->spec.module && n->spec.target == o->spec.target) {
        absl::MutexLock l(&o->mu);
        bool critical = n->spec.critical;
        n->health = o->health;
        n->health.critical = critical;
        n->last_series = o->last_series;
        kept = true;
      }
    }
    if (!kept) MarkStale(o.get());
  }
  absl::MutexLock l(&mu_);
  targets_ = std::move(next);
  for (auto& t : targets_) {
    Target* raw = t.get();
    t->thread = std::thread([this, raw] { Loop(raw); });
  }
  return absl::OkStatus();
}

void Scheduler::Stop() {
  std::vector<std::unique_ptr<Target>> old;
  {
    absl::MutexLock l(&mu_);
    old.swap(targets_);
  }
  for (auto& t : old) {
    {
      absl::MutexLock l(&t->mu);
      t->stop = true;
    }
    if (t->thread.joinable()) t->thread.join();
    MarkStale(t.get());
  }
}

void Scheduler::Loop(Target* t) {
  while (true) {
    absl::Time start = absl::Now();
    RunOnce(t);
    absl::MutexLock l(&t->mu);
    ++t->rounds;
    auto stopped = [t]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(t->mu) { return t->stop; };
    t->mu.AwaitWithDeadline(absl::Condition(&stopped), start + t->interval);
    if (t->stop) return;
  }
}

void Scheduler::Append(Target* t, const std::vector<std::pair<Labels, double>>& samples, int64_t ts) {
  if (storage_ == nullptr) return;
  std::unique_ptr<storage::Appender> app = storage_->NewAppender();
  absl::Status err;
  for (const auto& [labels, v] : samples) {
    auto ref = app->Append(0, labels, ts, v);
    if (!ref.ok() && storage::GetAppendError(ref.status()) == storage::AppendError::kNone) {
      err = ref.status();
      break;
    }
  }
  if (err.ok()) err = app->Commit();
  if (!err.ok()) {
    app->Rollback();
    log::Warn("probe", "appending probe results failed",
              {{"target", t->spec.name}, {"err", std::string(SV(err.message()))}});
  }
}

void Scheduler::MarkStale(Target* t) {
  std::vector<std::pair<Labels, double>> stale;
  for (const Labels& l : t->last_series) stale.emplace_back(l, storage::StaleNaN());
  t->last_series.clear();
  if (!stale.empty()) Append(t, stale, absl::ToUnixMillis(absl::Now()));
}

void Scheduler::RunOnce(Target* t) {
  ProbeResult r = RunProbe(t->module, t->spec.target, t->timeout);
  const int64_t ts = absl::ToUnixMillis(absl::Now());
  const std::string job = absl::StrCat("probe/", t->spec.name);
  std::vector<std::pair<Labels, double>> samples;
  std::vector<Labels> series;
  for (const ProbeSample& s : r.samples()) {
    std::vector<Label> labels;
    labels.push_back({"__name__", s.name});
    labels.push_back({"job", job});
    labels.push_back({"instance", t->spec.target});
    for (const auto& [k, v] : s.labels) {
      if (k != "job" && k != "instance" && k != "__name__") labels.push_back({k, v});
    }
    series.push_back(Labels::FromUnsorted(std::move(labels)));
    samples.emplace_back(series.back(), s.value);
  }
  // Series of the previous probe that this one lacks (e.g. the TLS metrics
  // once the connection fails) are marked stale, as a scrape would.
  for (const Labels& old : t->last_series) {
    if (std::find(series.begin(), series.end(), old) == series.end()) {
      samples.emplace_back(old, storage::StaleNaN());
    }
  }
  t->last_series = std::move(series);
  Append(t, samples, ts);
  absl::MutexLock l(&t->mu);
  TargetHealth& h = t->health;
  const bool was_healthy = h.healthy || !h.probed;
  h.probed = true;
  h.healthy = r.success();
  h.reason = r.success() ? "" : r.failure();
  h.last_probe = absl::Now();
  h.last_duration_seconds = r.duration_seconds();
  if (!h.healthy && (was_healthy || h.unhealthy_since == absl::InfinitePast())) h.unhealthy_since = h.last_probe;
  if (h.healthy) h.unhealthy_since = absl::InfinitePast();
}

std::vector<TargetHealth> Scheduler::Health() const {
  std::vector<TargetHealth> out;
  absl::MutexLock l(&mu_);
  for (const auto& t : targets_) {
    absl::MutexLock tl(&t->mu);
    out.push_back(t->health);
  }
  return out;
}

bool Scheduler::CriticalHealthy() const {
  for (const TargetHealth& h : Health()) {
    if (h.critical && !h.healthy) return false;
  }
  return true;
}

bool Scheduler::WaitForRounds(int n, absl::Duration timeout) const {
  absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock l(&mu_);
  for (const auto& t : targets_) {
    absl::MutexLock tl(&t->mu);
    auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(t->mu) { return t->rounds >= n; };
    if (!t->mu.AwaitWithDeadline(absl::Condition(&done), deadline)) return false;
  }
  return true;
}

}  // namespace pharos::probe
