#include "notifier/alertmanager_set.h"

#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/strings.h"
#include "config/file_sd.h"
#include "notifier/discovery.h"

namespace pharos::notifier {
namespace {

// A credentials file's content without surrounding white space, as
// prometheus/common reads it (read at each request, so rotation works).
std::string ReadSecret(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return std::string(absl::StripAsciiWhitespace(ss.str()));
}

http::ClientOptions ClientOptionsFor(const config::AlertmanagerConfig& cfg, const std::string& user_agent) {
  http::ClientOptions o;
  const config::HttpClientConfig& h = cfg.http_client;
  o.tls.ca_file = h.tls_config.ca_file;
  o.tls.cert_file = h.tls_config.cert_file;
  o.tls.key_file = h.tls_config.key_file;
  o.tls.server_name = h.tls_config.server_name;
  o.tls.insecure_skip_verify = h.tls_config.insecure_skip_verify;
  o.follow_redirects = h.follow_redirects;
  o.user_agent = user_agent;
  o.timeout = absl::Milliseconds(cfg.timeout_ms);
  o.max_body_bytes = 1 << 20;  // Alertmanager answers with a short body
  if (h.basic_auth.has_value()) {
    // Files are read when the client is made (at each config load).
    const auto& b = *h.basic_auth;
    o.basic_auth_username = b.username_file.empty() ? b.username : ReadSecret(b.username_file);
    o.basic_auth_password = b.password_file.empty() ? b.password : ReadSecret(b.password_file);
  }
  return o;
}

}  // namespace

struct AlertmanagerSet::ClientSlot {
  explicit ClientSlot(http::ClientOptions o) : client(std::move(o)) {}
  std::mutex mu;  // one request at a time per client
  http::Client client;
};

AlertmanagerSet::AlertmanagerSet(config::AlertmanagerConfig cfg, std::string user_agent)
    : cfg_(std::move(cfg)), user_agent_(std::move(user_agent)) {
  for (const auto& f : cfg_.file_sd_configs) file_sd_.push_back(FileSdState{.cfg = f});
}

AlertmanagerSet::~AlertmanagerSet() = default;

bool AlertmanagerSet::RefreshFileSd(FileSdState* st, bool force) {
  int64_t now = absl::ToUnixMillis(absl::Now());
  if (now - st->last_full_read_ms >= st->cfg.refresh_interval_ms) force = true;
  std::vector<std::string> paths = config::MatchFileSdFiles(st->cfg);
  std::string sig;
  for (const auto& p : paths) {
    struct stat s;
    if (::stat(p.c_str(), &s) != 0) continue;
    absl::StrAppend(&sig, p, ":", s.st_size, ":", s.st_mtim.tv_sec, ".", s.st_mtim.tv_nsec, "\n");
  }
  if (!force && sig == st->signature) return false;
  st->signature = sig;
  st->last_full_read_ms = now;
  std::vector<config::TargetGroup> groups;
  for (auto& f : config::ExpandFileSd(st->cfg)) {
    if (f.groups.ok()) {
      groups.insert(groups.end(), f.groups->begin(), f.groups->end());
      continue;
    }
    log::Error("notifier", "reading a file_sd file of alertmanagers failed; keeping its previous targets",
               {{"err", f.groups.status()}});
    for (const auto& g : st->groups) {
      if (g.labels.Get(config::kFileSdPathLabel) == f.path) groups.push_back(g);
    }
  }
  if (groups == st->groups) return false;
  st->groups = std::move(groups);
  return true;
}

bool AlertmanagerSet::Refresh(bool force) {
  bool changed = force;
  for (auto& st : file_sd_) changed = RefreshFileSd(&st, force) || changed;
  if (!changed) return false;
  std::vector<std::string> active, dropped;
  std::set<std::string> seen;
  auto add = [&](const config::TargetGroup& g) {
    auto d = AlertmanagersFromGroup(g, cfg_);
    if (!d.ok()) {
      log::Error("notifier", "creating discovered Alertmanagers failed", {{"err", d.status()}});
      return;
    }
    for (auto& u : d->active) {
      if (seen.insert(u).second) active.push_back(std::move(u));
    }
    for (auto& u : d->dropped) dropped.push_back(std::move(u));
  };
  for (const auto& g : cfg_.static_configs) add(g);
  for (const auto& st : file_sd_) {
    for (const auto& g : st.groups) add(g);
  }
  std::lock_guard<std::mutex> l(mu_);
  if (active == active_ && dropped == dropped_) return false;
  active_ = std::move(active);
  dropped_ = std::move(dropped);
  return true;
}

std::vector<std::string> AlertmanagerSet::Active() const {
  std::lock_guard<std::mutex> l(mu_);
  return active_;
}

std::vector<std::string> AlertmanagerSet::Dropped() const {
  std::lock_guard<std::mutex> l(mu_);
  return dropped_;
}

absl::Status AlertmanagerSet::Post(const std::string& url, std::string_view json) {
  std::shared_ptr<ClientSlot> slot;
  {
    std::lock_guard<std::mutex> l(clients_mu_);
    auto& s = clients_[url];
    if (!s) s = std::make_shared<ClientSlot>(ClientOptionsFor(cfg_, user_agent_));
    slot = s;
  }
  http::ClientRequest req;
  req.method = "POST";
  req.url = url;
  req.body = json;
  req.headers.emplace_back("Content-Type", "application/json");
  const config::HttpClientConfig& h = cfg_.http_client;
  if (h.authorization.has_value()) {
    const auto& a = *h.authorization;
    std::string cred = a.credentials_file.empty() ? a.credentials : ReadSecret(a.credentials_file);
    req.headers.emplace_back("Authorization", absl::StrCat(a.type, " ", cred));
  }
  std::string body;
  std::lock_guard<std::mutex> l(slot->mu);
  auto resp = slot->client.Do(req, &body);
  if (!resp.ok()) return resp.status();
  if (resp->status / 100 != 2) {
    return absl::UnavailableError(absl::StrCat("bad response status ", resp->status));
  }
  return absl::OkStatus();
}

}  // namespace pharos::notifier
