// One `alerting.alertmanagers` entry at run time: its discovered
// Alertmanagers (static_configs and file_sd_configs through discovery.h) and
// the HTTP clients that POST alerts to them with the entry's http_config and
// timeout.
//
// Thread-safety: Refresh is called by one thread at a time (ApplyConfig, then
// the discovery thread); Active/Dropped from any thread (mu_ guards the
// URLs); Post from several threads at once for different URLs (clients_mu_
// guards the client map; each client is used by one Post at a time).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "config/alerting_config.h"
#include "http/client.h"

namespace pharos::notifier {

class AlertmanagerSet {
 public:
  AlertmanagerSet(config::AlertmanagerConfig cfg, std::string user_agent);
  ~AlertmanagerSet();

  const config::AlertmanagerConfig& config() const { return cfg_; }

  // Re-reads the file_sd files that changed (all of them when `force`, or
  // when their refresh_interval has passed) and recomputes the URLs.
  // Returns whether the URL lists changed. A file that cannot be read keeps
  // its previous targets; a group with an invalid address is skipped; both
  // are logged.
  bool Refresh(bool force);

  std::vector<std::string> Active() const;   // deduplicated, in discovery order
  std::vector<std::string> Dropped() const;

  // POSTs a JSON body to `url`; an error for a transport failure or a non-2xx
  // answer ("bad response status 500 Internal Server Error").
  absl::Status Post(const std::string& url, std::string_view json);

 private:
  struct FileSdState {
    config::FileSdConfig cfg;
    int64_t last_full_read_ms = 0;
    std::string signature;  // paths, sizes and mtimes of the matched files
    std::vector<config::TargetGroup> groups;
  };
  bool RefreshFileSd(FileSdState* st, bool force);

  const config::AlertmanagerConfig cfg_;
  const std::string user_agent_;
  std::vector<FileSdState> file_sd_;  // Refresh's thread only

  mutable std::mutex mu_;
  std::vector<std::string> active_;   // guarded by mu_
  std::vector<std::string> dropped_;  // guarded by mu_

  struct ClientSlot;
  std::mutex clients_mu_;
  std::map<std::string, std::shared_ptr<ClientSlot>> clients_;  // guarded by clients_mu_
};

}  // namespace pharos::notifier
