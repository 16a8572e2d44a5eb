#include "alertmanager/nflog.h"

#include "absl/strings/str_cat.h"
#include "alertmanager/state_file.h"
#include "disk/env.h"

namespace pharos::am {

std::string Nflog::Key(const ReceiverKey& receiver, const std::string& group_key) {
  return absl::StrCat(group_key, ":", receiver.group_name, "/", receiver.integration, "/", receiver.idx);
}

Nflog::Nflog(NflogOptions opts, std::unique_ptr<StateLog> log) : opts_(std::move(opts)), log_(std::move(log)) {
  clock_ = opts_.clock ? opts_.clock : [] { return absl::Now(); };
}

Nflog::~Nflog() = default;

absl::StatusOr<std::unique_ptr<Nflog>> Nflog::Open(NflogOptions opts) {
  if (opts.env == nullptr) opts.env = disk::PosixEnv();
  if (absl::Status s = opts.env->CreateDirs(opts.dir); !s.ok()) return s;
  std::map<std::string, NflogEntry> loaded;
  auto apply = [&](StateRecordType, std::string_view payload) -> absl::Status {
    auto e = DecodeNflogEntry(payload);
    if (!e.ok()) return e.status();
    std::string key = Key(e->receiver, e->group_key);
    loaded[key] = std::move(*e);
    return absl::OkStatus();
  };
  auto log = StateLog::Open(opts.env, opts.dir + "/nflog", StateKind::kNflog, apply);
  if (!log.ok()) return log.status();
  std::unique_ptr<Nflog> nflog(new Nflog(std::move(opts), std::move(*log)));
  {
    absl::MutexLock l(&nflog->mu_);
    nflog->entries_ = std::move(loaded);
  }
  nflog->GC();
  return nflog;
}

std::optional<NflogEntry> Nflog::Query(const ReceiverKey& receiver, const std::string& group_key) {
  absl::Time now = clock_();
  absl::ReaderMutexLock l(&mu_);
  auto it = entries_.find(Key(receiver, group_key));
  if (it == entries_.end() || it->second.expires_at <= now) return std::nullopt;
  return it->second;
}

absl::Status Nflog::Log(const ReceiverKey& receiver, const std::string& group_key,
                        const std::vector<uint64_t>& firing, const std::vector<uint64_t>& resolved,
                        absl::Duration expiry) {
  absl::MutexLock w(&write_mu_);
  absl::Time now = clock_();
  std::string key = Key(receiver, group_key);
  size_t live;
  {
    absl::ReaderMutexLock l(&mu_);
    auto it = entries_.find(key);
    // Only a newer entry replaces an existing one (a clock that went back, or
    // races between senders, must not overwrite what was sent later).
    if (it != entries_.end() && it->second.timestamp > now) return absl::OkStatus();
    live = entries_.size() + (it == entries_.end() ? 1 : 0);
  }
  NflogEntry e;
  e.group_key = group_key;
  e.receiver = receiver;
  e.timestamp = now;
  e.firing_alerts = firing;
  e.resolved_alerts = resolved;
  e.expires_at = now + opts_.retention;
  if (expiry > absl::ZeroDuration() && opts_.retention > expiry) e.expires_at = now + expiry;

  std::string payload;
  std::string framed;
  absl::Status st;
  if (log_->needs_rewrite() || log_->ShouldCompact(live)) {
    uint64_t count = 0;
    {
      absl::ReaderMutexLock l(&mu_);
      for (const auto& [k, old] : entries_) {
        if (k == key) continue;
        payload.clear();
        EncodeNflogEntry(old, &payload);
        AppendStateRecord(StateRecordType::kNflogEntry, payload, &framed);
        ++count;
      }
    }
    payload.clear();
    EncodeNflogEntry(e, &payload);
    AppendStateRecord(StateRecordType::kNflogEntry, payload, &framed);
    st = log_->Rewrite(framed, count + 1);
  } else {
    EncodeNflogEntry(e, &payload);
    AppendStateRecord(StateRecordType::kNflogEntry, payload, &framed);
    st = log_->Append(framed, 1);
  }
  if (!st.ok()) return st;
  absl::MutexLock l(&mu_);
  entries_[key] = std::move(e);
  return absl::OkStatus();
}

int Nflog::GC() {
  absl::MutexLock w(&write_mu_);
  return GcLocked();
}

int Nflog::GcLocked() {
  absl::Time now = clock_();
  absl::MutexLock l(&mu_);
  return static_cast<int>(std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires_at <= now; }));
}

absl::Status Nflog::Maintenance() {
  absl::MutexLock w(&write_mu_);
  GcLocked();
  std::string framed;
  size_t count;
  {
    absl::ReaderMutexLock l(&mu_);
    count = entries_.size();
    framed = FrameAll(entries_, StateRecordType::kNflogEntry, EncodeNflogEntry);
  }
  return log_->Rewrite(framed, count);
}

size_t Nflog::Size() const {
  absl::ReaderMutexLock l(&mu_);
  return entries_.size();
}

}  // namespace pharos::am
