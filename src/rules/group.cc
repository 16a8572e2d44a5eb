#include "rules/group.h"

#include "common/status_macros.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "promql/parser.h"
#include "storage/sample.h"
#include "template/prometheus_funcs.h"

namespace pharos::rules {
namespace {

constexpr int64_t kResolvedRetentionMs = 15 * 60 * 1000;

std::map<std::string, std::string> ToMap(const Labels& l) {
  std::map<std::string, std::string> m;
  for (const auto& p : l) m[p.name] = p.value;
  return m;
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const char* AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kInactive: return "inactive";
    case AlertState::kPending: return "pending";
    case AlertState::kFiring: return "firing";
  }
  return "inactive";
}

const char* RuleHealthName(RuleHealth h) {
  switch (h) {
    case RuleHealth::kUnknown: return "unknown";
    case RuleHealth::kOk: return "ok";
    case RuleHealth::kErr: return "err";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<Group>> Group::Create(const std::string& file, const RuleGroupNode& node,
                                                     GroupOptions opts) {
  std::unique_ptr<Group> g(new Group());
  g->name_ = node.name;
  g->file_ = file;
  g->interval_ms_ = node.interval_ms > 0 ? node.interval_ms : opts.default_interval_ms;
  g->limit_ = node.limit;
  g->opts_ = std::move(opts);
  for (const RuleNode& rn : node.rules) {
    auto r = std::make_unique<Rule>();
    r->node_ = rn;
    auto e = promql::ParseExpr(rn.expr);
    if (!e.ok()) return absl::InvalidArgumentError(absl::StrCat(file, ": ", rn.name(), ": ", e.status().message()));
    r->expr_ = std::move(*e);
    r->restored = !g->opts_.restore;
    if (rn.is_alert()) {
      r->templates_ = tmpl::TemplateSet(tmpl::TemplateOptions{.missing_key = tmpl::MissingKey::kZero});
      tmpl::AddPrometheusFuncs(r->templates_, {.query = nullptr, .external_url = g->opts_.external_url});
      auto parse = [&](const std::string& kind, const std::vector<std::pair<std::string, std::string>>& kv) {
        for (const auto& [k, v] : kv) {
          // A template that fails to parse expands to an error text, as in
          // Prometheus; rule files checked by ParseRuleFile never have one.
          (void)r->templates_.Parse(absl::StrCat(kind, ":", k), absl::StrCat(AV(tmpl::kAlertTemplateDefs), v));
        }
      };
      parse("label", rn.labels);
      parse("annotation", rn.annotations);
    }
    g->rules_.push_back(std::move(r));
  }
  return g;
}

namespace {

// Prometheus' nameAndLabels: what identifies a rule across reloads.
std::string RuleIdentity(const RuleNode& n) {
  std::string id = n.name();
  std::vector<std::pair<std::string, std::string>> labels = n.labels;
  std::sort(labels.begin(), labels.end());
  for (const auto& [k, v] : labels) absl::StrAppend(&id, "\xff", k, "\xfe", v);
  return id;
}

}  // namespace

void Group::CopyStateFrom(const Group& from) {
  std::scoped_lock lock(mu_, from.mu_);
  last_eval_ms_ = from.last_eval_ms_;
  eval_seconds_ = from.eval_seconds_;
  std::map<std::string, std::vector<const Rule*>> by_identity;
  for (const auto& r : from.rules_) by_identity[RuleIdentity(r->node_)].push_back(r.get());
  for (auto& r : rules_) {
    auto it = by_identity.find(RuleIdentity(r->node_));
    if (it == by_identity.end() || it->second.empty()) continue;
    const Rule* old = it->second.front();
    it->second.erase(it->second.begin());
    r->last_series_ = old->last_series_;
    r->health = old->health;
    r->last_error = old->last_error;
    r->last_eval_ms = old->last_eval_ms;
    r->eval_seconds = old->eval_seconds;
    if (r->is_alert() && old->is_alert()) {
      r->active = old->active;
      r->restored = r->restored || old->restored;
    }
  }
}

int64_t Group::EvalTimestamp(int64_t now_ms) const {
  Labels key{{"name", name_}, {"file", file_}};
  int64_t offset = static_cast<int64_t>(key.Hash() % static_cast<uint64_t>(interval_ms_));
  int64_t start = now_ms - offset;
  int64_t base = start - (((start % interval_ms_) + interval_ms_) % interval_ms_);
  return base + offset;
}

absl::StatusOr<promql::QueryResult> Group::Query(const promql::Expr& e, int64_t t) {
  return opts_.engine->InstantQuery(*opts_.queryable, e, t);
}

absl::Status Group::QuerySamples(const promql::Expr& e, int64_t t,
                                 std::vector<std::pair<Labels, double>>* samples) {
  auto res = Query(e, t);
  if (!res.ok()) return res.status();
  if (res->type == promql::ResultType::kScalar) {
    samples->emplace_back(Labels{}, res->scalar.v);
  } else if (res->type == promql::ResultType::kVector) {
    for (const auto& s : res->series)
      if (!s.points.empty()) samples->emplace_back(s.labels, s.points.back().v);
  } else {
    return absl::InvalidArgumentError("rule result is not a vector or scalar");
  }
  return absl::OkStatus();
}

absl::Status Group::EvalRecording(Rule& r, int64_t t, std::vector<std::pair<Labels, double>>* out) {
  std::vector<std::pair<Labels, double>> samples;
  RETURN_IF_ERROR(QuerySamples(*r.expr_, t, &samples));
  std::map<Labels, bool> seen;
  for (auto& [l, v] : samples) {
    LabelsBuilder b;
    b.Reset(l);
    b.Set("__name__", r.node_.record);
    for (const auto& [k, val] : r.node_.labels) b.Set(k, val);
    Labels nl = b.Build();
    if (seen.count(nl))
      return absl::InvalidArgumentError("vector contains metrics with the same labelset after applying rule labels");
    seen[nl] = true;
    out->emplace_back(std::move(nl), v);
  }
  if (limit_ > 0 && static_cast<int64_t>(out->size()) > limit_) {
    size_t n = out->size();
    out->clear();
    return absl::InvalidArgumentError(absl::StrCat("exceeded limit of ", limit_, " with ", n, " series"));
  }
  return absl::OkStatus();
}

absl::Status Group::EvalAlerting(Rule& r, int64_t t, std::vector<std::pair<Labels, double>>* out) {
  std::vector<std::pair<Labels, double>> samples;
  RETURN_IF_ERROR(QuerySamples(*r.expr_, t, &samples));
  tmpl::TemplateSet set = r.templates_.Clone();
  storage::Queryable* q = opts_.queryable;
  const promql::Engine* engine = opts_.engine;
  tmpl::SetPrometheusQuery(set, [q, engine, t](std::string_view query) -> absl::StatusOr<std::vector<tmpl::QuerySample>> {
    auto qr = engine->InstantQuery(*q, query, t);
    if (!qr.ok()) return qr.status();
    std::vector<tmpl::QuerySample> v;
    if (qr->type == promql::ResultType::kScalar) {
      v.push_back({{}, qr->scalar.v});
    } else if (qr->type == promql::ResultType::kVector) {
      for (const auto& s : qr->series)
        if (!s.points.empty()) v.push_back({ToMap(s.labels), s.points.back().v});
    } else {
      return absl::InvalidArgumentError("query result is not a vector or scalar");
    }
    return v;
  });
  auto expand = [&](const std::string& name, const tmpl::Value& data) {
    auto s = set.ExecuteToString(name, data);
    if (!s.ok()) return absl::StrCat("<error expanding template: ", s.status().message(), ">");
    return *s;
  };
  std::map<uint64_t, Alert> found;
  for (auto& [l, v] : samples) {
    tmpl::Value data = tmpl::AlertTemplateData(ToMap(l), opts_.external_labels, opts_.external_url, v);
    LabelsBuilder b;
    b.Reset(l);
    b.Del("__name__");
    for (const auto& [k, val] : r.node_.labels) b.Set(k, expand(absl::StrCat("label:", k), data));
    b.Set("alertname", r.node_.alert);
    Alert a;
    a.labels = b.Build();
    for (const auto& [k, val] : r.node_.annotations) a.annotations.emplace_back(k, expand(absl::StrCat("annotation:", k), data));
    std::sort(a.annotations.begin(), a.annotations.end());
    a.active_at_ms = t;
    a.state = AlertState::kPending;
    a.value = v;
    uint64_t h = a.labels.Hash();
    if (found.count(h))
      return absl::InvalidArgumentError("vector contains metrics with the same labelset after applying alert labels");
    found.emplace(h, std::move(a));
  }
  for (auto& [h, a] : found) {
    auto it = r.active.find(h);
    if (it != r.active.end() && it->second.state != AlertState::kInactive) {
      it->second.value = a.value;
      it->second.annotations = std::move(a.annotations);
      continue;
    }
    r.active[h] = std::move(a);
  }
  int64_t hold = r.node_.for_ms, keep_for = r.node_.keep_firing_for_ms;
  for (auto it = r.active.begin(); it != r.active.end();) {
    Alert& a = it->second;
    bool keep_firing = false;
    if (!found.count(it->first)) {
      if (a.state == AlertState::kFiring && keep_for > 0) {
        if (a.keep_firing_since_ms == 0) a.keep_firing_since_ms = t;
        if (t - a.keep_firing_since_ms < keep_for) keep_firing = true;
      }
      if (a.state == AlertState::kPending || (a.resolved_at_ms != 0 && t - a.resolved_at_ms > kResolvedRetentionMs)) {
        it = r.active.erase(it);
        continue;
      }
      if (a.state != AlertState::kInactive && !keep_firing) {
        a.state = AlertState::kInactive;
        a.resolved_at_ms = t;
      }
      if (!keep_firing) {
        ++it;
        continue;
      }
    } else {
      a.keep_firing_since_ms = 0;
    }
    if (a.state == AlertState::kPending && t - a.active_at_ms >= hold) {
      a.state = AlertState::kFiring;
      a.fired_at_ms = t;
    }
    if (r.restored) {
      LabelsBuilder b;
      b.Reset(a.labels);
      b.Set("__name__", "ALERTS");
      b.Set("alertstate", AlertStateName(a.state));
      out->emplace_back(b.Build(), 1.0);
      LabelsBuilder f;
      f.Reset(a.labels);
      f.Set("__name__", "ALERTS_FOR_STATE");
      out->emplace_back(f.Build(), static_cast<double>(a.active_at_ms / 1000));
    }
    ++it;
  }
  int64_t active_pending = 0;
  for (const auto& [h, a] : r.active)
    if (a.state != AlertState::kInactive) ++active_pending;
  if (limit_ > 0 && active_pending > limit_) {
    r.active.clear();
    out->clear();
    return absl::InvalidArgumentError(absl::StrCat("exceeded limit of ", limit_, " with ", active_pending, " alerts"));
  }
  return absl::OkStatus();
}

absl::Status Group::Eval(int64_t t_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto group_start = std::chrono::steady_clock::now();
  absl::Status first;
  for (auto& rp : rules_) {
    Rule& r = *rp;
    auto start = std::chrono::steady_clock::now();
    std::vector<std::pair<Labels, double>> out;
    absl::Status s = r.is_alert() ? EvalAlerting(r, t_ms, &out) : EvalRecording(r, t_ms, &out);
    r.last_eval_ms = WallMs();
    if (!s.ok()) {
      r.health = RuleHealth::kErr;
      r.last_error = std::string(SV(s.message()));
      if (first.ok()) first = s;
    } else {
      r.health = RuleHealth::kOk;
      r.last_error.clear();
    }
    auto app = opts_.appendable->NewAppender();
    std::vector<Labels> written;
    for (auto& [l, v] : out) {
      auto ref = app->Append(0, l, t_ms, v);
      (void)ref;  // refused samples (out of order, duplicates) are dropped as Prometheus does
      written.push_back(l);
    }
    std::sort(written.begin(), written.end());
    // Staleness markers for series that disappeared since the last evaluation.
    for (const Labels& old : r.last_series_) {
      if (!std::binary_search(written.begin(), written.end(), old)) (void)app->Append(0, old, t_ms, storage::StaleNaN());
    }
    if (auto c = app->Commit(); !c.ok() && first.ok()) first = c;
    r.last_series_ = std::move(written);
    r.eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  last_eval_ms_ = WallMs();
  eval_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - group_start).count();
  return first;
}

void Group::RestoreForState(int64_t t_ms, int64_t outage_tolerance_ms, int64_t grace_period_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t mint = t_ms - outage_tolerance_ms;
  for (auto& rp : rules_) {
    Rule& r = *rp;
    if (!r.is_alert()) continue;
    if (r.node_.for_ms == 0 || r.active.empty()) {
      r.restored = true;
      continue;
    }
    auto querier = opts_.queryable->NewQuerier(mint, t_ms);
    if (!querier.ok()) {
      r.restored = true;
      continue;
    }
    for (auto& [h, a] : r.active) {
      LabelsBuilder b;
      b.Reset(a.labels);
      b.Set("__name__", "ALERTS_FOR_STATE");
      Labels want = b.Build();
      Matchers ms;
      for (const auto& p : want) ms.push_back(Matcher::MustMake(MatchType::kEqual, p.name, p.value));
      auto set = (*querier)->Select(false, nullptr, ms);
      if (!set->Next()) continue;
      auto it = set->At().Iterator();
      int64_t t = 0;
      double v = 0;
      bool any = false;
      while (it->Next()) {
        auto [ts, val] = it->At();
        if (storage::IsStaleNaN(val)) continue;
        t = ts;
        v = val;
        any = true;
      }
      if (!any) continue;
      int64_t downtime = t_ms - t;
      int64_t restored_active = static_cast<int64_t>(v) * 1000;
      int64_t time_spent_pending = t - restored_active;
      int64_t time_remaining = r.node_.for_ms - time_spent_pending;
      if (time_remaining <= 0) {
        // It was firing before the outage; keep the original activeAt.
      } else if (time_remaining < grace_period_ms) {
        restored_active = t_ms + grace_period_ms - r.node_.for_ms;
      } else {
        restored_active += downtime;
      }
      a.active_at_ms = restored_active;
    }
    r.restored = true;
  }
}

std::vector<Alert> Group::AlertsToSend(int64_t t_ms, int64_t resend_delay_ms, int64_t eval_interval_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Alert> out;
  int64_t delta = std::max(resend_delay_ms, eval_interval_ms);
  for (auto& rp : rules_) {
    for (auto& [h, a] : rp->active) {
      if (a.state == AlertState::kPending) continue;
      if (a.state == AlertState::kInactive && a.resolved_at_ms != 0 && a.last_sent_at_ms > a.resolved_at_ms) continue;
      if (a.last_sent_at_ms != 0 && a.state != AlertState::kInactive && a.last_sent_at_ms + resend_delay_ms > t_ms)
        continue;
      a.last_sent_at_ms = t_ms;
      a.valid_until_ms = t_ms + 4 * delta;
      out.push_back(a);
    }
  }
  return out;
}

std::vector<Group::RuleSnapshot> Group::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RuleSnapshot> out;
  for (const auto& rp : rules_) {
    RuleSnapshot s{rp->node_, rp->health, rp->last_error, rp->last_eval_ms, rp->eval_seconds, {}};
    for (const auto& [h, a] : rp->active)
      if (a.state != AlertState::kInactive) s.alerts.push_back(a);
    out.push_back(std::move(s));
  }
  return out;
}

int64_t Group::last_eval_ms() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_eval_ms_;
}

double Group::eval_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return eval_seconds_;
}

std::vector<Alert> Group::ActiveAlerts(std::string_view alertname) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Alert> out;
  for (const auto& rp : rules_) {
    if (!rp->is_alert() || rp->node_.alert != alertname) continue;
    for (const auto& [h, a] : rp->active)
      if (a.state != AlertState::kInactive) out.push_back(a);
  }
  return out;
}

}  // namespace pharos::rules
