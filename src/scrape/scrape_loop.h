// ScrapeLoop: one target's scrapes, on the target's own thread: at a fixed
// phase within each interval (derived from the target's identity, so
// targets spread over the interval and a target keeps its phase across
// restarts), fetch the body, append it, report the synthetic series and
// update the target's status.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "config/scrape_config.h"
#include "http/client.h"
#include "scrape/body_appender.h"
#include "scrape/target.h"
#include "storage/appender.h"

namespace pharos::scrape {

class ScrapeLoop {
 public:
  // `cfg` stays alive as long as the loop (shared with the pool).
  ScrapeLoop(TargetInfo info, std::shared_ptr<const config::ScrapeConfig> cfg, storage::Appendable* storage);
  ~ScrapeLoop();
  ScrapeLoop(const ScrapeLoop&) = delete;
  ScrapeLoop& operator=(const ScrapeLoop&) = delete;

  void Start();
  // Stops and joins the thread. With `mark_stale`, the target's series get
  // staleness markers (the target went away); without, they are left for
  // the loop that replaces this one (a reload).
  void Stop(bool mark_stale);

  const TargetInfo& info() const { return info_; }
  TargetStatus status() const { return status_.Get(); }
  ScrapeCache& cache() { return appender_.cache(); }

  // One scrape now, on the caller's thread (tests, and the loop itself).
  void ScrapeOnce(int64_t scheduled_ms);

  // Wall-clock time of the first scrape at or after now_ms: every target
  // scrapes at (hash mod interval) within each interval.
  static int64_t NextScrapeTime(int64_t now_ms, int64_t interval_ms, uint64_t hash);

 private:
  void Run();
  absl::Status Fetch(std::string* content_type);

  TargetInfo info_;
  std::shared_ptr<const config::ScrapeConfig> cfg_;
  BodyAppender appender_;
  http::Client client_;
  std::string body_;  // of the scrape in progress (freed after it)
  size_t last_body_size_ = 0;
  TargetStatusCell status_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace pharos::scrape
