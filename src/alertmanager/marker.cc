#include "alertmanager/marker.h"

#include <utility>

namespace pharos::am {

void Marker::UpdateState(AlertStatus* s) {
  s->state = (s->silenced_by.empty() && s->inhibited_by.empty()) ? AlertState::kActive : AlertState::kSuppressed;
}

void Marker::SetSilenced(uint64_t fp, std::vector<std::string> silence_ids) {
  absl::MutexLock lock(&mu_);
  AlertStatus& s = status_[fp];
  s.silenced_by = std::move(silence_ids);
  UpdateState(&s);
}

void Marker::SetInhibited(uint64_t fp, std::vector<std::string> inhibiting_fps) {
  absl::MutexLock lock(&mu_);
  AlertStatus& s = status_[fp];
  s.inhibited_by = std::move(inhibiting_fps);
  UpdateState(&s);
}

void Marker::SetActive(uint64_t fp) {
  absl::MutexLock lock(&mu_);
  AlertStatus& s = status_[fp];
  s.silenced_by.clear();
  s.inhibited_by.clear();
  s.state = AlertState::kActive;
}

AlertStatus Marker::Status(uint64_t fp) const {
  absl::MutexLock lock(&mu_);
  auto it = status_.find(fp);
  if (it == status_.end()) return AlertStatus{};
  return it->second;
}

void Marker::Delete(uint64_t fp) {
  absl::MutexLock lock(&mu_);
  status_.erase(fp);
}

size_t Marker::Count(AlertState state) const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [fp, s] : status_) n += s.state == state ? 1 : 0;
  return n;
}

size_t Marker::size() const {
  absl::MutexLock lock(&mu_);
  return status_.size();
}

bool RefreshStatus(Marker* marker, Muter* inhibitor, Muter* silences, const LabelSet& labels, absl::Time now) {
  const uint64_t fp = Fingerprint(labels);
  std::vector<std::string> inhibited_by, silenced_by;
  if (inhibitor != nullptr) inhibited_by = inhibitor->MutedBy(labels, now);
  if (silences != nullptr) silenced_by = silences->MutedBy(labels, now);
  const bool muted = !inhibited_by.empty() || !silenced_by.empty();
  marker->SetInhibited(fp, std::move(inhibited_by));
  marker->SetSilenced(fp, std::move(silenced_by));
  return muted;
}

}  // namespace pharos::am
