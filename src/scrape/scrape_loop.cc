#include "scrape/scrape_loop.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/strings.h"
#include "scrape/textparse/content_type.h"

namespace pharos::scrape {
namespace {

// Scrapes that start within this much of their scheduled time are stamped
// with the scheduled time, so that regular series compress to regular
// timestamps (Prometheus' --scrape.timestamp-tolerance, 2ms).
constexpr int64_t kTimestampToleranceMs = 2;

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

std::string ReadSecretFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string StatusText(int code) {
  switch (code) {
    case 301: return "301 Moved Permanently";
    case 302: return "302 Found";
    case 400: return "400 Bad Request";
    case 401: return "401 Unauthorized";
    case 403: return "403 Forbidden";
    case 404: return "404 Not Found";
    case 500: return "500 Internal Server Error";
    case 502: return "502 Bad Gateway";
    case 503: return "503 Service Unavailable";
    case 504: return "504 Gateway Timeout";
  }
  return absl::StrCat(code);
}

http::ClientOptions ClientOptionsFor(const config::ScrapeConfig& cfg) {
  http::ClientOptions o;
  const auto& h = cfg.http_client;
  o.tls.ca_file = h.tls_config.ca_file;
  o.tls.cert_file = h.tls_config.cert_file;
  o.tls.key_file = h.tls_config.key_file;
  o.tls.server_name = h.tls_config.server_name;
  o.tls.insecure_skip_verify = h.tls_config.insecure_skip_verify;
  o.follow_redirects = h.follow_redirects;
  o.accept_gzip = cfg.enable_compression;
  o.user_agent = "Pharos/0.1";
  o.timeout = absl::Milliseconds(cfg.scrape_timeout_ms);
  o.max_body_bytes = cfg.limits.body_size_limit > 0 ? static_cast<size_t>(cfg.limits.body_size_limit) : 0;
  if (h.basic_auth.has_value()) {
    const auto& b = *h.basic_auth;
    o.basic_auth_username = b.username_file.empty() ? b.username : ReadSecretFile(b.username_file);
    o.basic_auth_password = b.password_file.empty() ? b.password : ReadSecretFile(b.password_file);
  }
  return o;
}

BodyAppenderOptions AppenderOptionsFor(const TargetInfo& info, const config::ScrapeConfig& cfg) {
  BodyAppenderOptions o;
  o.target_labels = info.public_labels;
  o.honor_labels = cfg.honor_labels;
  o.honor_timestamps = cfg.honor_timestamps;
  o.track_timestamps_staleness = cfg.track_timestamps_staleness;
  o.limits = cfg.limits;
  o.metric_relabel = &cfg.metric_relabel_configs;
  return o;
}

std::string AcceptHeaderFor(const config::ScrapeConfig& cfg) {
  std::vector<textparse::ScrapeProtocol> protos;
  for (const auto& p : cfg.scrape_protocols) {
    auto sp = textparse::ParseScrapeProtocol(p);
    // The protobuf format is not parsed; asking for it would only make
    // targets answer with it.
    if (sp.has_value() && *sp != textparse::ScrapeProtocol::kPrometheusProto) protos.push_back(*sp);
  }
  if (protos.empty()) return std::string(textparse::kScrapeAcceptHeader);
  return textparse::AcceptHeader(protos);
}

}  // namespace

ScrapeLoop::ScrapeLoop(TargetInfo info, std::shared_ptr<const config::ScrapeConfig> cfg,
                       storage::Appendable* storage)
    : info_(std::move(info)),
      cfg_(std::move(cfg)),
      appender_(storage, AppenderOptionsFor(info_, *cfg_)),
      client_(ClientOptionsFor(*cfg_)) {}

ScrapeLoop::~ScrapeLoop() { Stop(false); }

int64_t ScrapeLoop::NextScrapeTime(int64_t now_ms, int64_t interval_ms, uint64_t hash) {
  if (interval_ms <= 0) return now_ms;
  int64_t phase = static_cast<int64_t>(hash % static_cast<uint64_t>(interval_ms));
  int64_t base = now_ms - (now_ms % interval_ms);
  int64_t next = base + phase;
  if (next < now_ms) next += interval_ms;
  return next;
}

void ScrapeLoop::Start() { thread_ = std::thread([this] { Run(); }); }

void ScrapeLoop::Stop(bool mark_stale) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (mark_stale) {
    absl::Status s = appender_.AppendEndOfTarget(NowMs());
    if (!s.ok()) log::Warn("scrape", "writing staleness markers failed", {{"target", info_.url}, {"err", s}});
  }
}

void ScrapeLoop::Run() {
  int64_t next = NextScrapeTime(NowMs(), info_.interval_ms, info_.hash);
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      int64_t wait = next - NowMs();
      if (wait > 0) cv_.wait_for(lock, std::chrono::milliseconds(wait), [this] { return stopping_; });
      if (stopping_) return;
      if (NowMs() < next) continue;  // spurious wake-up
    }
    ScrapeOnce(next);
    next += info_.interval_ms;
    int64_t now = NowMs();
    if (next < now) next = NextScrapeTime(now, info_.interval_ms, info_.hash);  // missed scrapes are skipped
  }
}

absl::Status ScrapeLoop::Fetch(std::string* content_type) {
  http::ClientRequest req;
  req.url = info_.url;
  req.headers.emplace_back("Accept", AcceptHeaderFor(*cfg_));
  req.headers.emplace_back("X-Prometheus-Scrape-Timeout-Seconds",
                           absl::StrCat(static_cast<double>(info_.timeout_ms) / 1000.0));
  req.timeout = absl::Milliseconds(info_.timeout_ms);
  const auto& h = cfg_->http_client;
  if (h.authorization.has_value()) {
    std::string cred = h.authorization->credentials_file.empty() ? h.authorization->credentials
                                                                  : ReadSecretFile(h.authorization->credentials_file);
    req.headers.emplace_back("Authorization", absl::StrCat(h.authorization->type, " ", cred));
  }
  // The body buffer is held only during a scrape (a target's body is often
  // ~100 KB and most targets are idle at any time); it is sized from the
  // previous body so that it rarely grows while receiving.
  if (last_body_size_ > 0) body_.reserve(last_body_size_ + last_body_size_ / 8);
  auto resp = client_.Do(req, &body_);
  last_body_size_ = body_.size();
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) {
    return absl::UnavailableError(absl::StrCat("server returned HTTP status ", StatusText(resp->status)));
  }
  *content_type = resp->content_type;
  return absl::OkStatus();
}

void ScrapeLoop::ScrapeOnce(int64_t scheduled_ms) {
  absl::Time start = absl::Now();
  int64_t now_ms = absl::ToUnixMillis(start);
  int64_t ts = (now_ms - scheduled_ms <= kTimestampToleranceMs && now_ms >= scheduled_ms) ? scheduled_ms : now_ms;
  AppendStats stats;
  std::string content_type;
  absl::Status s = Fetch(&content_type);
  absl::Duration took;
  absl::Status rs;
  s = appender_.AppendScrape(
      s, body_, content_type, ts,
      [&] {
        took = absl::Now() - start;
        return absl::ToDoubleSeconds(took);
      },
      &stats, &rs);
  std::string().swap(body_);
  if (!rs.ok()) log::Warn("scrape", "appending the scrape report failed", {{"target", info_.url}, {"err", rs}});
  if (!s.ok()) log::Debug("scrape", "scrape failed", {{"target", info_.url}, {"err", s}});
  if (stats.out_of_order + stats.duplicates + stats.out_of_bounds > 0) {
    log::Warn("scrape", "samples refused by the storage",
              {{"target", info_.url}, {"out_of_order", stats.out_of_order}, {"duplicates", stats.duplicates},
               {"out_of_bounds", stats.out_of_bounds}});
  }
  TargetStatus st;
  st.health = s.ok() ? TargetHealth::kUp : TargetHealth::kDown;
  st.last_error = s.ok() ? "" : std::string(s.message());
  st.last_scrape = start;
  st.last_duration = took;
  st.last_samples = stats.scraped;
  status_.Set(std::move(st));
}

}  // namespace pharos::scrape
