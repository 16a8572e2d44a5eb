#include "alertmanager/inhibit.h"

namespace pharos::am {

namespace {

const std::string& LabelOrEmpty(const LabelSet& ls, const std::string& name) {
  static const std::string kEmpty;
  auto it = ls.find(name);
  return it == ls.end() ? kEmpty : it->second;
}

}  // namespace

Inhibitor::Inhibitor(const std::vector<InhibitRule>& rules, AlertStore* store) : store_(store) {
  {
    absl::MutexLock lock(&mu_);
    for (const InhibitRule& r : rules) rules_.push_back(Rule{r, {}});
  }
  if (store_ != nullptr && !rules.empty()) {
    subscription_ = store_->Subscribe(AlertListener{[this](const Alert& a) { OnPut(a); },
                                                    [this](uint64_t fp) { OnDelete(fp); }});
  }
}

Inhibitor::~Inhibitor() { Stop(); }

void Inhibitor::Stop() {
  if (store_ != nullptr && subscription_ != 0) store_->Unsubscribe(subscription_);
  subscription_ = 0;
}

void Inhibitor::OnPut(const Alert& a) {
  absl::MutexLock lock(&mu_);
  for (Rule& r : rules_) {
    if (MatchesLabelSet(r.cfg.source_matchers, a.labels)) r.sources[a.fingerprint()] = a;
  }
}

void Inhibitor::OnDelete(uint64_t fp) {
  absl::MutexLock lock(&mu_);
  for (Rule& r : rules_) r.sources.erase(fp);
}

std::vector<std::string> Inhibitor::MutedBy(const LabelSet& labels, absl::Time now) {
  absl::MutexLock lock(&mu_);
  for (const Rule& r : rules_) {
    if (!MatchesLabelSet(r.cfg.target_matchers, labels)) continue;
    // A target that also matches the source side must not be inhibited by
    // sources that match both sides (it would inhibit itself).
    const bool two_sided = MatchesLabelSet(r.cfg.source_matchers, labels);
    for (const auto& [fp, src] : r.sources) {
      if (src.ResolvedAt(now)) continue;
      bool equal = true;
      for (const std::string& name : r.cfg.equal) {
        if (LabelOrEmpty(src.labels, name) != LabelOrEmpty(labels, name)) {
          equal = false;
          break;
        }
      }
      if (!equal) continue;
      if (two_sided && MatchesLabelSet(r.cfg.target_matchers, src.labels)) continue;
      return {FingerprintHex(fp)};
    }
  }
  return {};
}

}  // namespace pharos::am
