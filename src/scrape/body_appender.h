// BodyAppender: turns one scrape body into samples in the storage, as a
// Prometheus scrape loop does for one target: parse (all-or-nothing), attach
// the target's labels (honor_labels), apply metric_relabel_configs, enforce
// limits, append through the cache of refs, write staleness markers for
// series that are gone, and finally the synthetic series (up,
// scrape_duration_seconds, ...).
//
// One BodyAppender per target, used by its scrape loop's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/labels.h"
#include "config/scrape_config.h"
#include "scrape/scrape_cache.h"
#include "scrape/textparse/entry.h"
#include "storage/appender.h"

namespace pharos::scrape {

struct AppendStats {
  uint64_t scraped = 0;              // samples in the body
  uint64_t post_relabel = 0;         // samples left after metric relabeling
  uint64_t series_added = 0;         // series not seen before by this target
  uint64_t out_of_order = 0;         // refused by the storage, by kind
  uint64_t duplicates = 0;
  uint64_t out_of_bounds = 0;
  uint64_t stale_markers = 0;
};

struct BodyAppenderOptions {
  Labels target_labels;  // public labels of the target (job, instance, ...)
  bool honor_labels = false;
  bool honor_timestamps = true;
  bool track_timestamps_staleness = false;
  config::ScrapeLimits limits;
  const std::vector<config::RelabelConfig>* metric_relabel = nullptr;  // owned by the config
};

class BodyAppender {
 public:
  BodyAppender(storage::Appendable* storage, BodyAppenderOptions opts);

  // Appends the samples of `body` (format chosen by content_type) at
  // timestamp `ts_ms`. On any error (parse error, limit exceeded, storage
  // error) nothing of the body is stored, the series of the last good scrape
  // are marked stale, and the error says why.
  absl::Status AppendBody(std::string_view body, std::string_view content_type, int64_t ts_ms,
                          AppendStats* stats);

  // A scrape that failed before a body arrived: marks the last good scrape's
  // series stale.
  absl::Status AppendFailure(int64_t ts_ms);

  // Writes up, scrape_duration_seconds, scrape_samples_scraped,
  // scrape_samples_post_metric_relabeling and scrape_series_added.
  absl::Status AppendReport(int64_t ts_ms, bool up, double duration_s, const AppendStats& stats);

  // One whole scrape in one commit, as Prometheus does: the samples of
  // `body` when `fetch` is OK, then the report series with up and the
  // duration `duration_s()` (called after the body was appended). When the
  // fetch failed or the body is refused, the last good scrape's series are
  // marked stale and the report says up=0, in one commit. Returns the
  // scrape's status (fetch, parse, limit or storage error); *report_status
  // gets the storage error of the report's commit, if any.
  absl::Status AppendScrape(const absl::Status& fetch, std::string_view body, std::string_view content_type,
                            int64_t ts_ms, const std::function<double()>& duration_s, AppendStats* stats,
                            absl::Status* report_status);

  // Marks every series of the last good scrape and the report series stale
  // (the target went away).
  absl::Status AppendEndOfTarget(int64_t ts_ms);

  ScrapeCache& cache() { return cache_; }

 private:
  // A batch of the store that does not wait for an fsync: a scrape
  // acknowledges nothing, so its commits are not made to wait for the
  // disk (storage::Appender::SetWaitForSync).
  std::unique_ptr<storage::Appender> NewBatch();
  absl::Status ParseAndAppend(std::string_view body, std::string_view content_type, int64_t ts_ms,
                              storage::Appender* app, AppendStats* stats);
  // Final labels of a new series: target labels merged, relabeled, checked.
  // Returns false (and leaves *out empty) when metric relabeling drops it.
  absl::StatusOr<bool> BuildLabels(const Labels& parsed, Labels* out);
  absl::Status CheckLimits(const Labels& l) const;
  // Appends the body, and with `duration_s` the report (up=1), in one
  // commit. On failure nothing is stored and the caller marks staleness.
  absl::Status CommitBody(std::string_view body, std::string_view content_type, int64_t ts_ms,
                          const std::function<double()>* duration_s, AppendStats* stats);
  // Appends the report series to `app`; an error other than an AppendError
  // poisons the batch and is returned.
  absl::Status AppendReportTo(storage::Appender* app, int64_t ts_ms, bool up, double duration_s,
                              const AppendStats& stats);
  // Stale markers for the last good scrape's series, into `app`.
  void AppendStaleLive(storage::Appender* app, int64_t ts_ms);
  // Appends a sample of a cached series: by ref, or by its labels derived
  // again from its raw bytes (`raw`, or the cache's text of `e` when empty)
  // when the store no longer knows the ref.
  absl::StatusOr<storage::SeriesRef> AppendCached(storage::Appender* app, std::string_view raw,
                                                  ScrapeCache::Entry* e, int64_t t, double v);
  // The final labels of a cached series (as BuildLabels made them).
  absl::StatusOr<Labels> LabelsOfCached(std::string_view raw);
  void CountAppendError(const absl::Status& s, AppendStats* stats) const;

  storage::Appendable* storage_;
  BodyAppenderOptions opts_;
  ScrapeCache cache_;
  std::vector<std::pair<Labels, storage::SeriesRef>> report_refs_;  // synthetic series
  // Format of the last body: cached raw series are re-read with it.
  textparse::Format format_ = textparse::Format::kPrometheusText;
  Labels parsed_;       // scratch
  ScrapeCache::Entry* known_ = nullptr;  // the entry the parser's known-series hook found
  bool looked_up_ = false;               // the lookup hook ran for the current line
  LabelsBuilder builder_;  // scratch
};

// Target labels merged into a sample's labels as Prometheus does: with
// honor_labels the sample's own values win; otherwise a clashing sample
// label is kept as "exported_<name>" and the target's value is set.
Labels MergeTargetLabels(const Labels& sample, const Labels& target, bool honor_labels);

}  // namespace pharos::scrape
