// The notification log of the built-in Alertmanager (Alertmanager 0.25's
// nflog): for each (receiver integration, aggregation group), what was last
// sent, so that the pipeline does not send the same alerts again before the
// repeat interval, also across restarts.
//
// Log() stamps the entry with the clock's now; it expires at now + retention,
// or now + expiry when 0 < expiry < retention. An entry whose timestamp is
// after now (clock stepped back) is kept, as Alertmanager does. Expired
// entries are not returned by Query() and are deleted by GC().
//
// Every Log() is durable before it returns OK: appended to DIR/nflog
// (docs/format/alertmanager-state.md) and fsynced; on a write error nothing
// changed in memory.
//
// Thread-safety: all methods are thread-safe; Query() never waits for a disk
// write (writers serialize on write_mu_ and take mu_ only to swap the result in).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "alertmanager/interfaces.h"

namespace pharos::disk {
class Env;
}

namespace pharos::am {

class StateLog;

struct NflogOptions {
  std::string dir;  // the data directory; the file is DIR/nflog
  disk::Env* env = nullptr;  // nullptr: disk::PosixEnv()
  absl::Duration retention = absl::Hours(120);  // --data.retention
  std::function<absl::Time()> clock;            // default absl::Now
};

class Nflog final : public NotificationLog {
 public:
  // Loads DIR/nflog (creating DIR and the file when missing); a corrupt tail
  // is handled as Silences::Open does (logged, good prefix kept).
  static absl::StatusOr<std::unique_ptr<Nflog>> Open(NflogOptions opts);
  ~Nflog() override;

  std::optional<NflogEntry> Query(const ReceiverKey& receiver, const std::string& group_key) override;
  absl::Status Log(const ReceiverKey& receiver, const std::string& group_key, const std::vector<uint64_t>& firing,
                   const std::vector<uint64_t>& resolved, absl::Duration expiry) override;

  // Deletes entries whose expires_at is not after now; returns how many.
  int GC();
  // GC, then rewrite the file with the live entries only.
  absl::Status Maintenance();
  size_t Size() const;

  // Alertmanager's state key: "GROUPKEY:RECEIVER/INTEGRATION/IDX".
  static std::string Key(const ReceiverKey& receiver, const std::string& group_key);

 private:
  Nflog(NflogOptions opts, std::unique_ptr<StateLog> log);
  int GcLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  NflogOptions opts_;
  std::function<absl::Time()> clock_;

  // Serializes writers (Log, GC, Maintenance) and guards the file.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<StateLog> log_ ABSL_GUARDED_BY(write_mu_);

  // Guards the entries; changed only with write_mu_ held too.
  mutable absl::Mutex mu_;
  std::map<std::string, NflogEntry> entries_ ABSL_GUARDED_BY(mu_);  // by Key()
};

}  // namespace pharos::am
