#include "alertmanager/alertmanager.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/utf8.h"
#include "alertmanager/alerts.h"
#include "alertmanager/dispatch.h"
#include "alertmanager/inhibit.h"
#include "alertmanager/marker.h"
#include "alertmanager/nflog.h"
#include "alertmanager/notifiers/notifiers.h"
#include "alertmanager/pipeline.h"
#include "alertmanager/route.h"
#include "alertmanager/templates.h"
#include "common/label_names.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "re2/re2.h"

namespace pharos::am {

// Everything one configuration builds. Destroyed in reverse order of
// construction: the dispatcher stops before the pipeline it calls, the
// inhibitor unsubscribes from the store.
struct Alertmanager::Generation {
  Config config;
  std::shared_ptr<const Templates> templates;
  std::unique_ptr<RouteNode> routes;
  std::unique_ptr<Inhibitor> inhibitor;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<Dispatcher> dispatcher;

  void Stop() {
    if (pipeline) pipeline->Cancel();
    if (dispatcher) dispatcher->Stop();
    if (inhibitor) inhibitor->Stop();
  }
  ~Generation() { Stop(); }
};

Alertmanager::Alertmanager(AlertmanagerOptions opts) : opts_(std::move(opts)), start_(absl::Now()) {}

absl::StatusOr<std::unique_ptr<Alertmanager>> Alertmanager::Open(AlertmanagerOptions opts, Config config) {
  std::unique_ptr<Alertmanager> am(new Alertmanager(std::move(opts)));
  am->clock_ = RealClock();
  am->marker_ = std::make_unique<Marker>();
  am->alerts_ = std::make_unique<AlertStore>(am->clock_, am->marker_.get(), am->opts_.max_alerts);

  SilencesOptions so;
  so.dir = am->opts_.data_dir;
  so.retention = am->opts_.retention;
  ASSIGN_OR_RETURN(am->silences_, Silences::Open(std::move(so)));
  NflogOptions no;
  no.dir = am->opts_.data_dir;
  no.retention = am->opts_.retention;
  ASSIGN_OR_RETURN(am->nflog_, Nflog::Open(std::move(no)));

  ASSIGN_OR_RETURN(auto gen, am->Build(std::move(config)));
  gen->dispatcher->Start();
  am->gen_ = std::move(gen);
  if (am->opts_.registry != nullptr) am->alerts_->RegisterMetrics(am->opts_.registry);
  am->alerts_->StartGC(am->opts_.alert_gc_interval);
  am->StartMaintenance();
  return am;
}

Alertmanager::~Alertmanager() { Stop(); }

absl::StatusOr<std::shared_ptr<Alertmanager::Generation>> Alertmanager::Build(Config config) {
  auto gen = std::make_shared<Generation>();
  ASSIGN_OR_RETURN(gen->templates, Templates::Load(config.templates, opts_.external_url));

  ReceiverIntegrations receivers;
  for (const Receiver& r : config.receivers) {
    ASSIGN_OR_RETURN(auto list, BuildIntegrations(r, gen->templates, NotifierOptions{}));
    auto& out = receivers[r.name];
    for (auto& i : list) out.push_back(std::shared_ptr<Integration>(std::move(i)));
  }
  gen->routes = RouteNode::Build(*config.route);
  gen->inhibitor = std::make_unique<Inhibitor>(config.inhibit_rules, alerts_.get());
  auto intervals = std::make_shared<const std::vector<NamedTimeInterval>>(config.time_intervals);
  PipelineOptions po;
  po.registry = opts_.registry;  // families are shared across reloads
  gen->pipeline = std::make_unique<Pipeline>(std::move(receivers), gen->inhibitor.get(), silences_.get(),
                                             marker_.get(), nflog_.get(), TimeIntervalsOf(intervals), clock_, po);
  gen->dispatcher = std::make_unique<Dispatcher>(gen->routes.get(), alerts_.get(), gen->pipeline.get(), clock_);
  gen->config = std::move(config);
  return gen;
}

absl::Status Alertmanager::ApplyConfig(Config config) {
  absl::MutexLock al(&apply_mu_);
  if (stopped_) return absl::FailedPreconditionError("the Alertmanager is stopped");
  ASSIGN_OR_RETURN(auto gen, Build(std::move(config)));
  std::shared_ptr<Generation> old;
  {
    absl::MutexLock l(&mu_);
    old = std::move(gen_);
    gen_ = gen;
  }
  // The old dispatcher stops before the new one starts, so no aggregation
  // group flushes twice; the notification log dedups across the switch.
  if (old) old->Stop();
  gen->dispatcher->Start();
  return absl::OkStatus();
}

void Alertmanager::Stop() {
  std::shared_ptr<Generation> gen;
  {
    absl::MutexLock al(&apply_mu_);
    if (stopped_) return;
    stopped_ = true;
    {
      absl::MutexLock l(&mu_);
      gen = std::move(gen_);
    }
    {
      absl::MutexLock l(&maint_mu_);
      maint_stop_ = true;
    }
  }
  if (maint_thread_.joinable()) maint_thread_.join();
  if (gen) gen->Stop();
  if (alerts_) alerts_->Stop();
}

void Alertmanager::StartMaintenance() {
  maint_thread_ = std::thread([this] {
    absl::MutexLock l(&maint_mu_);
    while (!maint_stop_) {
      maint_mu_.AwaitWithTimeout(absl::Condition(&maint_stop_), opts_.maintenance_interval);
      if (maint_stop_) break;
      maint_mu_.Unlock();
      if (absl::Status st = silences_->Maintenance(); !st.ok()) {
        log::Error("alertmanager", "silences maintenance failed", {{"err", std::string(SV(st.message()))}});
      }
      if (absl::Status st = nflog_->Maintenance(); !st.ok()) {
        log::Error("alertmanager", "notification log maintenance failed", {{"err", std::string(SV(st.message()))}});
      }
      maint_mu_.Lock();
    }
  });
}

std::shared_ptr<Alertmanager::Generation> Alertmanager::Current() {
  absl::MutexLock l(&mu_);
  return gen_;
}

namespace {

// 0.25's types.Alert.Validate after removeEmptyLabels.
absl::Status ValidateAlert(const Alert& a) {
  if (a.starts_at == absl::InfinitePast()) return absl::InvalidArgumentError("start time missing");
  if (a.ends_at != absl::InfinitePast() && a.ends_at < a.starts_at)
    return absl::InvalidArgumentError("start time must be before end time");
  for (const auto& [name, value] : a.labels) {
    if (!IsValidLabelName(name))
      return absl::InvalidArgumentError(absl::StrCat("invalid label set: invalid name \"", name, "\""));
    if (!IsValidUtf8(value))
      return absl::InvalidArgumentError(absl::StrCat("invalid label set: invalid value \"", value, "\""));
  }
  if (a.labels.empty()) return absl::InvalidArgumentError("at least one label pair required");
  for (const auto& [name, value] : a.annotations) {
    if (!IsValidLabelName(name))
      return absl::InvalidArgumentError(absl::StrCat("invalid annotations: invalid name \"", name, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Alertmanager::PutAlerts(std::vector<Alert> alerts) {
  auto gen = Current();
  if (!gen) return absl::FailedPreconditionError("the Alertmanager is stopped");
  absl::Time now = clock_->Now();
  std::vector<Alert> valid;
  valid.reserve(alerts.size());
  std::vector<std::string> errors;
  for (Alert& a : alerts) {
    // Labels with empty values are no labels (0.25's removeEmptyLabels).
    for (auto it = a.labels.begin(); it != a.labels.end();) {
      it = it->second.empty() ? a.labels.erase(it) : std::next(it);
    }
    PrepareReceivedAlert(&a, now, gen->config.global.resolve_timeout);
    if (absl::Status st = ValidateAlert(a); !st.ok()) {
      errors.emplace_back(SV(st.message()));
      continue;
    }
    valid.push_back(std::move(a));
  }
  // A best effort, as 0.25: the valid alerts are stored even when others
  // of the same request are refused.
  RETURN_IF_ERROR(alerts_->Put(valid));
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  return absl::OkStatus();
}

bool Alertmanager::Keep(const AlertView& v, const AlertFilter& f) const {
  if (!f.active && v.status.state == AlertState::kActive) return false;
  if (!f.unprocessed && v.status.state == AlertState::kUnprocessed) return false;
  if (!f.silenced && !v.status.silenced_by.empty()) return false;
  if (!f.inhibited && !v.status.inhibited_by.empty()) return false;
  return true;
}

namespace {

// The compiled `receiver` filter, or null when there is none.
std::unique_ptr<RE2> ReceiverRegex(const AlertFilter& f) {
  if (f.receiver_regex.empty()) return nullptr;
  return std::make_unique<RE2>("^(?:" + f.receiver_regex + ")$", RE2::Quiet);
}

}  // namespace

std::vector<AlertView> Alertmanager::Alerts(const AlertFilter& f) {
  auto gen = Current();
  std::vector<AlertView> out;
  if (!gen) return out;
  std::unique_ptr<RE2> receiver_re = ReceiverRegex(f);
  absl::Time now = clock_->Now();
  for (Alert& a : alerts_->List()) {
    if (a.ResolvedAt(now) || !MatchesLabelSet(f.matchers, a.labels)) continue;
    AlertView v;
    v.fingerprint = a.fingerprint();
    for (const RouteNode* r : gen->routes->Match(a.labels)) v.receivers.push_back(r->opts().receiver);
    if (receiver_re && std::none_of(v.receivers.begin(), v.receivers.end(),
                                    [&](const std::string& r) { return RE2::FullMatch(r, *receiver_re); })) {
      continue;
    }
    RefreshStatus(marker_.get(), gen->inhibitor.get(), silences_.get(), a.labels, now);
    v.status = marker_->Status(v.fingerprint);
    if (!Keep(v, f)) continue;
    v.alert = std::move(a);
    out.push_back(std::move(v));
  }
  // 0.25 sorts by the 16-digit hex fingerprint, which orders as the number.
  std::sort(out.begin(), out.end(),
            [](const AlertView& a, const AlertView& b) { return a.fingerprint < b.fingerprint; });
  return out;
}

std::vector<AlertGroupView> Alertmanager::Groups(const AlertFilter& f) {
  auto gen = Current();
  std::vector<AlertGroupView> out;
  if (!gen) return out;
  std::unique_ptr<RE2> receiver_re = ReceiverRegex(f);
  Inhibitor* inhibitor = gen->inhibitor.get();
  AlertGroups groups = gen->dispatcher->Groups(
      [&](const RouteNode& r) { return !receiver_re || RE2::FullMatch(r.opts().receiver, *receiver_re); },
      [&](const Alert& a, absl::Time now) {
        if (!MatchesLabelSet(f.matchers, a.labels)) return false;
        if (a.ResolvedAt(now)) return false;
        AlertView v;
        RefreshStatus(marker_.get(), inhibitor, silences_.get(), a.labels, now);
        v.status = marker_->Status(a.fingerprint());
        return Keep(v, f);
      });
  for (AlertGroup& g : groups.groups) {
    AlertGroupView gv;
    gv.labels = std::move(g.labels);
    gv.receiver = std::move(g.receiver);
    for (Alert& a : g.alerts) {
      AlertView v;
      v.fingerprint = a.fingerprint();
      v.status = marker_->Status(v.fingerprint);
      if (auto it = groups.receivers.find(v.fingerprint); it != groups.receivers.end()) v.receivers = it->second;
      v.alert = std::move(a);
      gv.alerts.push_back(std::move(v));
    }
    out.push_back(std::move(gv));
  }
  return out;
}

absl::StatusOr<std::string> Alertmanager::SetSilence(Silence s) { return silences_->Set(std::move(s)); }

absl::Status Alertmanager::ExpireSilence(const std::string& id) { return silences_->Expire(id); }

absl::StatusOr<SilenceView> Alertmanager::GetSilence(const std::string& id) { return silences_->Get(id); }

// API v2's silence filter (0.25's CheckSilenceMatchesFilterLabels): the
// silence's matchers read as a label set; a filter matcher with an empty
// value is also satisfied by a silence without (=, =~) or with (!=, !~) a
// matcher on that name.
static bool SilenceMatchesFilter(const Silence& s, const std::vector<Matcher>& filter) {
  std::map<std::string, std::string> sms;
  for (const auto& m : s.matchers) sms[m.name] = m.value;
  for (const Matcher& m : filter) {
    auto it = sms.find(m.name());
    bool present = it != sms.end();
    bool negative = m.type() == MatchType::kNotEqual || m.type() == MatchType::kRegexNoMatch;
    if (m.value().empty() && present == negative) continue;
    if (!m.Matches(present ? std::string_view(it->second) : std::string_view())) return false;
  }
  return true;
}

std::vector<SilenceView> Alertmanager::ListSilences(const std::vector<Matcher>& filter) {
  std::vector<SilenceView> all = silences_->Query(SilenceQuery{});
  if (filter.empty()) return all;
  std::vector<SilenceView> out;
  for (auto& v : all) {
    if (SilenceMatchesFilter(v.silence, filter)) out.push_back(std::move(v));
  }
  return out;
}

std::string Alertmanager::OriginalConfig() {
  auto gen = Current();
  return gen ? DumpConfig(gen->config) : std::string();
}

std::vector<std::string> Alertmanager::ReceiverNames() {
  auto gen = Current();
  std::vector<std::string> out;
  if (!gen) return out;
  for (const Receiver& r : gen->config.receivers) out.push_back(r.name);
  return out;
}

}  // namespace pharos::am
