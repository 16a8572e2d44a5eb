// The inhibitor (Alertmanager 0.25's inhibit.Inhibitor), a Muter.
//
// An alert (the target) is inhibited while some firing alert (the source)
// matches a rule's source matchers, the target matches the rule's target
// matchers, and both have the same value for every label in `equal` (a
// missing label equals the empty value). An alert that matches both sides of
// a rule is not inhibited by source alerts that also match both sides, so an
// alert never inhibits itself.
//
// The inhibitor keeps, per rule, the alerts of the store that match the
// rule's source matchers (it subscribes to the store); resolved ones are
// skipped at the time of the question and dropped when the store deletes
// them.
//
// Thread-safety: thread-safe. The store calls the inhibitor with its own
// lock held; MutedBy takes only the inhibitor's lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "alertmanager/alerts.h"
#include "alertmanager/config.h"
#include "alertmanager/interfaces.h"
#include "alertmanager/route.h"

namespace pharos::am {

class Inhibitor final : public Muter {
 public:
  // Subscribes to `store` (which must outlive the inhibitor, or Stop() must
  // be called first).
  Inhibitor(const std::vector<InhibitRule>& rules, AlertStore* store);
  ~Inhibitor() override;
  Inhibitor(const Inhibitor&) = delete;
  Inhibitor& operator=(const Inhibitor&) = delete;

  // Unsubscribes from the store. MutedBy keeps answering from what it knew.
  void Stop();

  // The fingerprint (16 hex digits) of one firing source alert that
  // inhibits `labels` at `now` (the one with the smallest fingerprint, for
  // stable answers), or empty. 0.25 reports one inhibiting alert too.
  std::vector<std::string> MutedBy(const LabelSet& labels, absl::Time now) override;

 private:
  struct Rule {
    InhibitRule cfg;
    std::map<uint64_t, Alert> sources;  // alerts matching the source matchers, by fingerprint
  };
  void OnPut(const Alert& a);
  void OnDelete(uint64_t fp);

  AlertStore* store_;
  int subscription_ = 0;
  absl::Mutex mu_;
  std::vector<Rule> rules_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pharos::am
