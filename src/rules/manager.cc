#include "rules/manager.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "common/strings.h"
#include "rules/rule_file.h"

namespace pharos::rules {
namespace {

int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Rfc3339(int64_t ms) {
  time_t s = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
  return std::string(buf) + frac;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char b[8];
      snprintf(b, sizeof b, "\\u%04x", c);
      out += b;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string JsonObject(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out = "{";
  for (size_t i = 0; i < kv.size(); ++i) {
    if (i) out += ",";
    out += JsonString(kv[i].first) + ":" + JsonString(kv[i].second);
  }
  return out + "}";
}

}  // namespace

std::string NotifierAlertsJson(const std::vector<NotifierAlert>& alerts) {
  std::string out = "[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    const auto& a = alerts[i];
    if (i) out += ",";
    absl::StrAppend(&out, "{\"labels\":", JsonObject(a.labels), ",\"annotations\":", JsonObject(a.annotations),
                    ",\"startsAt\":", JsonString(Rfc3339(a.starts_at_ms)));
    if (a.ends_at_ms) absl::StrAppend(&out, ",\"endsAt\":", JsonString(Rfc3339(a.ends_at_ms)));
    absl::StrAppend(&out, ",\"generatorURL\":", JsonString(a.generator_url), "}");
  }
  return out + "]";
}

Manager::Manager(ManagerOptions opts) : opts_(std::move(opts)) {
  if (!opts_.now_ms) opts_.now_ms = WallNowMs;
}

Manager::~Manager() { Stop(); }

absl::Status Manager::Update(const std::vector<std::string>& globs, int64_t default_interval_ms) {
  std::vector<std::shared_ptr<Group>> fresh;
  bool first_load;
  {
    std::lock_guard<std::mutex> lock(mu_);
    first_load = !loaded_;
  }
  // Only the first load restores `for` state from ALERTS_FOR_STATE; a
  // reload carries each group's state over from the group it replaces.
  for (const auto& pattern : globs) {
    for (const auto& f : GlobFiles(pattern)) {
      auto rf = ParseRuleFileAt(f);
      if (!rf.ok()) return rf.status();
      for (const auto& gn : rf->groups) {
        auto grp = Group::Create(f, gn,
                                 GroupOptions{.queryable = opts_.queryable, .appendable = opts_.appendable,
                                              .engine = opts_.engine, .external_labels = opts_.external_labels,
                                              .external_url = opts_.external_url,
                                              .default_interval_ms = default_interval_ms,
                                              .restore = first_load});
        if (!grp.ok()) return grp.status();
        fresh.push_back(std::shared_ptr<Group>(std::move(*grp)));
      }
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  StopThreadsLocked(lock);
  for (auto& g : fresh) {
    for (const auto& old : groups_) {
      if (old->file() == g->file() && old->name() == g->name()) {
        g->CopyStateFrom(*old);
        break;
      }
    }
  }
  groups_ = std::move(fresh);
  loaded_ = true;
  stopping_ = false;
  for (auto& g : groups_) threads_.emplace_back([this, g] { Run(g); });
  return absl::OkStatus();
}

void Manager::StopThreadsLocked(std::unique_lock<std::mutex>& lock) {
  stopping_ = true;
  cv_.notify_all();
  std::vector<std::thread> threads = std::move(threads_);
  threads_.clear();
  lock.unlock();
  for (auto& t : threads) t.join();
  lock.lock();
}

void Manager::Stop() {
  std::unique_lock<std::mutex> lock(mu_);
  StopThreadsLocked(lock);
}

std::vector<std::shared_ptr<Group>> Manager::Groups() const {
  std::lock_guard<std::mutex> lock(mu_);
  return groups_;
}

void Manager::Run(std::shared_ptr<Group> g) {
  const int64_t interval = g->interval_ms();
  int64_t next = g->EvalTimestamp(opts_.now_ms()) + interval;
  bool first = true;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      int64_t wait = next - opts_.now_ms();
      if (wait > 0 && cv_.wait_for(lock, std::chrono::milliseconds(wait), [this] { return stopping_; })) return;
      if (stopping_) return;
    }
    int64_t now = opts_.now_ms();
    int64_t ts = g->EvalTimestamp(now);
    if (auto s = g->Eval(ts); !s.ok()) {
      log::Warn("rules", "evaluating rule failed", {{"group", g->name()}, {"file", g->file()}, {"err", std::string(SV(s.message()))}});
    }
    if (first) {
      g->RestoreForState(ts, opts_.outage_tolerance_ms, opts_.grace_period_ms);
      first = false;
    }
    if (opts_.notify) {
      std::vector<NotifierAlert> out;
      for (const Alert& a : g->AlertsToSend(ts, opts_.resend_delay_ms, interval)) {
        NotifierAlert n;
        for (const auto& l : a.labels) n.labels.emplace_back(l.name, l.value);
        n.annotations = a.annotations;
        n.starts_at_ms = a.active_at_ms;
        n.ends_at_ms = a.state == AlertState::kInactive ? a.resolved_at_ms : a.valid_until_ms;
        n.generator_url = opts_.external_url;
        out.push_back(std::move(n));
      }
      if (!out.empty()) opts_.notify(out);
    }
    next = ts + interval;
  }
}

}  // namespace pharos::rules
