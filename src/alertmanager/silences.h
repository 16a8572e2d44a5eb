// Silences of the built-in Alertmanager, with Alertmanager 0.25's rules
// (silence/silence.go and the checks of API v2's POST /silences):
//
// - A silence is pending before starts_at, active from starts_at to ends_at
//   (both included) and expired after ends_at.
// - Set() with an empty id creates a silence with a new UUID v4 id; a
//   starts_at in the past becomes now. Set() with a known id updates it in
//   place when that keeps the history intact (same matchers; an active one
//   keeps its start and does not end in the past; a pending one does not start
//   in the past); otherwise the old silence is expired (unless it already is)
//   and a new one with a new id is created. An unknown id is NotFound.
// - Expire() ends an active silence now (a pending one gets starts_at = ends_at
//   = now); expiring an expired one fails ("silence ID already expired").
// - Expired silences are deleted (GC) once ends_at + retention has passed.
//
// Every change is durable before Set()/Expire() return OK: it is appended to
// DIR/silences (docs/format/alertmanager-state.md) and fsynced. When the write
// fails, the error is returned and nothing changed in memory.
//
// Thread-safety: all methods are thread-safe. Readers (Get, Query, MutedBy)
// never wait for a disk write: writers serialize on write_mu_ and only take
// mu_ exclusively to swap in the result.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "alertmanager/interfaces.h"
#include "alertmanager/types.h"
#include "common/matcher.h"

namespace pharos::disk {
class Env;
}

namespace pharos::am {

class StateLog;

// One matcher as a client wrote it (validated by Silences::Set, compiled there).
struct SilenceMatcher {
  MatchType type = MatchType::kEqual;
  std::string name;
  std::string value;
  friend bool operator==(const SilenceMatcher&, const SilenceMatcher&) = default;
};

struct Silence {
  std::string id;  // UUID v4; empty in Set() for a new silence
  std::vector<SilenceMatcher> matchers;
  absl::Time starts_at = absl::InfinitePast();
  absl::Time ends_at = absl::InfinitePast();
  absl::Time updated_at = absl::InfinitePast();  // set by Set()/Expire()
  std::string created_by;
  std::string comment;
  friend bool operator==(const Silence&, const Silence&) = default;
};

enum class SilenceState { kActive, kPending, kExpired };
std::string_view SilenceStateName(SilenceState s);  // "active", "pending", "expired"
std::optional<SilenceState> ParseSilenceState(std::string_view name);
// Alertmanager's getState: pending before starts_at, expired after ends_at.
SilenceState StateAt(const Silence& s, absl::Time now);

// A silence with its state at the time of the read.
struct SilenceView {
  Silence silence;
  SilenceState state = SilenceState::kActive;
};

struct SilenceQuery {
  std::vector<std::string> ids;       // any of these (empty: all)
  std::vector<SilenceState> states;   // in any of these states (empty: all)
  // Silences whose matchers all match this label set (Alertmanager's
  // QMatches: the silences that would mute an alert with these labels).
  std::optional<LabelSet> matches;
  // API v2's `filter`: each of these must equal (name, type and value) one
  // of the silence's matchers.
  std::vector<SilenceMatcher> filter;
};

struct SilencesOptions {
  std::string dir;  // the data directory; the file is DIR/silences
  disk::Env* env = nullptr;  // nullptr: disk::PosixEnv()
  absl::Duration retention = absl::Hours(120);  // --data.retention
  std::function<absl::Time()> clock;            // default absl::Now
  std::function<std::string()> new_id;          // default: random UUID v4
};

class Silences final : public Muter {
 public:
  // Loads DIR/silences (creating DIR and the file when missing). A corrupt or
  // torn tail is logged with the path and byte offset, the good prefix is
  // loaded and the file rewritten (the bad one is kept as silences.corrupt);
  // a file that is not a silences state file at all is an error.
  static absl::StatusOr<std::unique_ptr<Silences>> Open(SilencesOptions opts);
  ~Silences() override;

  // Creates or updates (see above); returns the silence's id (a new one when
  // a new silence was created). InvalidArgument with 0.25's words for an
  // invalid silence, NotFound for an unknown id, a disk error otherwise.
  absl::StatusOr<std::string> Set(Silence s);
  // NotFound, FailedPrecondition ("silence ID already expired"), or a disk error.
  absl::Status Expire(const std::string& id);
  absl::StatusOr<SilenceView> Get(const std::string& id) const;
  // Sorted as API v2 lists them: active (soonest end first), pending (soonest
  // start first), expired (latest end first); ties by id.
  std::vector<SilenceView> Query(const SilenceQuery& q) const;
  // Ids (sorted) of the silences active at `now` whose matchers all match.
  std::vector<std::string> MutedBy(const LabelSet& labels, absl::Time now) override;

  // Incremented whenever a silence is added (not on updates in place), as
  // Alertmanager's version: the marker's cache of silenced alerts keys on it.
  uint64_t Version() const;
  size_t Size() const;

  // Deletes silences whose ends_at + retention has passed; returns how many.
  int GC();
  // Alertmanager's periodic maintenance: GC, then rewrite the file with the
  // live silences only (compaction). Safe to call at any time.
  absl::Status Maintenance();

  absl::Time Now() const { return clock_(); }

 private:
  struct Entry;
  Silences(SilencesOptions opts, std::unique_ptr<StateLog> log);
  absl::Status Validate(const Silence& s, absl::Time now) const;
  // Writes `changed` (silences to upsert) durably, then applies them.
  absl::Status Commit(const std::vector<Silence>& changed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  Silence ExpiredCopy(const Silence& s, absl::Time now) const;
  int GcLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  SilencesOptions opts_;
  std::function<absl::Time()> clock_;
  std::function<std::string()> new_id_;

  // Serializes writers (Set, Expire, GC, Maintenance) and guards the file.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<StateLog> log_ ABSL_GUARDED_BY(write_mu_);

  // Guards the in-memory state. Changed only with write_mu_ held too, so a
  // writer's snapshot of it stays valid until the writer swaps its change in.
  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const Entry>> by_id_ ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
};

// A random UUID v4 ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower case).
std::string NewUuidV4();

}  // namespace pharos::am
