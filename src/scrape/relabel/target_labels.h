// Target labels: from a discovered target (a target-group entry) and its
// scrape config, the labels of the target as Prometheus 2.53's
// PopulateLabels builds them:
//
//   1. the entry's labels, then the group's labels it does not set;
//   2. job, __scrape_interval__, __scrape_timeout__, __metrics_path__,
//      __scheme__ where still unset; __param_<name> for each params entry;
//      this is the "discovered" label set (/api/v1/targets discoveredLabels);
//   3. relabel_configs; a drop ends here (the target is listed as dropped);
//   4. checks: __address__ present; a default port added by scheme (:80 /
//      :443) unless no_default_port (the no-default-scrape-port flag); no '/'
//      in the address; interval and timeout parse, are not 0, timeout not
//      above interval;
//   5. __meta_* labels removed; instance defaults to the address; label
//      values must be valid UTF-8.
//
// The result keeps the other "__" labels (address, scheme, path, params,
// interval, timeout): the scrape loop needs them, and PublicLabels() strips
// them for the series labels.
//
// Thread-safe (pure functions over immutable config).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/labels.h"
#include "config/scrape_config.h"
#include "config/target_group.h"

namespace pharos::relabel {

inline constexpr std::string_view kSchemeLabel = "__scheme__";
inline constexpr std::string_view kMetricsPathLabel = "__metrics_path__";
inline constexpr std::string_view kScrapeIntervalLabel = "__scrape_interval__";
inline constexpr std::string_view kScrapeTimeoutLabel = "__scrape_timeout__";
inline constexpr std::string_view kParamLabelPrefix = "__param_";
inline constexpr std::string_view kMetaLabelPrefix = "__meta_";
inline constexpr std::string_view kInstanceLabel = "instance";
inline constexpr std::string_view kJobLabel = "job";

struct TargetOptions {
  // Prometheus 2.53's --enable-feature=no-default-scrape-port: leave
  // addresses without a port as they are (and strip :80 / :443 when they
  // match the scheme).
  bool no_default_port = false;
};

struct TargetLabels {
  Labels labels;      // final, with the "__" scrape labels; empty when dropped
  Labels discovered;  // before relabeling
  int64_t interval_ms = 0;
  int64_t timeout_ms = 0;

  bool dropped() const { return labels.empty(); }
};

// One target. Errors (InvalidArgument) use Prometheus' words: "no address",
// "invalid scheme: \"ftp\"", "\"a/b\" is not a valid hostname", "scrape
// interval cannot be 0", "scrape timeout cannot be greater than scrape
// interval (\"1m\" > \"30s\")", "invalid label value for \"x\": ...".
absl::StatusOr<TargetLabels> PopulateLabels(const Labels& target, const Labels& group_labels,
                                            const config::ScrapeConfig& cfg, const TargetOptions& opts = {});

// Every target of a group, as Prometheus' TargetsFromGroup: kept and dropped
// targets in `out` (in group order); each failing target adds
// "instance N in group SOURCE: reason" to `failures` and nothing to `out`.
void TargetsFromGroup(const config::TargetGroup& group, const config::ScrapeConfig& cfg,
                      const TargetOptions& opts, std::vector<TargetLabels>* out,
                      std::vector<std::string>* failures);

// The labels a target gives its series: all but the "__"-prefixed ones.
Labels PublicLabels(const Labels& target_labels);

// The URL to scrape: __scheme__://__address____metrics_path__?query, where
// the query is cfg.params with each __param_<name> label replacing the first
// value of <name> (or adding it), encoded as Go's url.Values.Encode.
std::string TargetUrl(const Labels& target_labels, const config::ScrapeConfig& cfg);

// SplitHostPort (Go's net.SplitHostPort) is in common/host_port.h.

}  // namespace pharos::relabel
