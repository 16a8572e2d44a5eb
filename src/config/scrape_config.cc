#include "config/scrape_config.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/quote.h"
#include "config/yaml_map.h"

namespace pharos::config {
namespace {

struct Protocol {
  std::string_view name;
  std::string_view header;
};
constexpr Protocol kProtocols[] = {
    {kScrapeProtocolOpenMetrics001, "application/openmetrics-text;version=0.0.1"},
    {kScrapeProtocolOpenMetrics100, "application/openmetrics-text;version=1.0.0"},
    {kScrapeProtocolPrometheusProto,
     "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"},
    {kScrapeProtocolPrometheusText004, "text/plain;version=0.0.4"},
};

// Fields that 2.53 has and Pharos refuses rather than ignores.
bool IsRefusedScrapeKey(std::string_view key) {
  return key == "native_histogram_bucket_limit" || key == "native_histogram_min_bucket_factor" ||
         key == "scrape_config_files";
}

// Reads the limits that global and scrape configs share, if `key` is one.
bool LimitField(std::string_view key, ScrapeLimits* l, YamlReadFn* fn) {
  if (key == "body_size_limit") *fn = IntoByteSize(&l->body_size_limit);
  else if (key == "sample_limit") *fn = Into(&l->sample_limit);
  else if (key == "target_limit") *fn = Into(&l->target_limit);
  else if (key == "label_limit") *fn = Into(&l->label_limit);
  else if (key == "label_name_length_limit") *fn = Into(&l->label_name_length_limit);
  else if (key == "label_value_length_limit") *fn = Into(&l->label_value_length_limit);
  else if (key == "keep_dropped_targets") *fn = Into(&l->keep_dropped_targets);
  else return false;
  return true;
}

absl::Status ReadProtocols(const YamlNode& v, std::vector<std::string>* out, bool* written) {
  if (v.IsScalar() || v.IsMap()) return v.TypeError("[]config.ScrapeProtocol");
  ASSIGN_OR_RETURN(*out, ReadStringList(v));
  *written = !v.IsNull();
  if (*written) {
    if (absl::Status s = ValidateScrapeProtocols(*out); !s.ok()) return v.Error(SV(s.message()));
  }
  return absl::OkStatus();
}

absl::Status ReadParams(const YamlNode& v, std::map<std::string, std::vector<std::string>>* out) {
  if (v.IsScalar() || v.IsSequence()) return v.TypeError("url.Values");
  ASSIGN_OR_RETURN(auto entries, v.Entries());
  out->clear();
  for (const YamlEntry& e : entries) {
    if (e.value.IsScalar() || e.value.IsMap()) return e.value.TypeError("[]string");
    ASSIGN_OR_RETURN((*out)[e.name()], ReadStringList(e.value));
  }
  return absl::OkStatus();
}

absl::Status ReadExternalLabels(const YamlNode& v, Labels* out) {
  if (v.IsScalar() || v.IsSequence()) return v.TypeError("labels.Labels");
  ASSIGN_OR_RETURN(auto entries, v.Entries());
  std::vector<Label> pairs;
  for (const YamlEntry& e : entries) {
    if (!IsValidLabelName(e.name())) {
      return e.key.Error(absl::StrCat(GoQuote(e.name()), " is not a valid label name"));
    }
    ASSIGN_OR_RETURN(std::string value, ReadString(e.value));
    if (!IsValidUtf8(value)) return e.value.Error(absl::StrCat(GoQuote(value), " is not a valid label value"));
    pairs.push_back(Label{e.name(), std::move(value)});
  }
  *out = Labels::FromUnsorted(std::move(pairs));
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> DefaultScrapeProtocols() {
  return {std::string(kScrapeProtocolOpenMetrics100), std::string(kScrapeProtocolOpenMetrics001),
          std::string(kScrapeProtocolPrometheusText004)};
}

std::string_view ScrapeProtocolHeader(std::string_view protocol) {
  for (const auto& p : kProtocols) {
    if (p.name == protocol) return p.header;
  }
  return "";
}

absl::Status ValidateScrapeProtocols(const std::vector<std::string>& protocols) {
  if (protocols.empty()) return absl::InvalidArgumentError("scrape_protocols cannot be empty");
  absl::flat_hash_set<std::string> seen;
  for (const std::string& p : protocols) {
    if (!seen.insert(absl::AsciiStrToLower(p)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("duplicated protocol in scrape_protocols, got [", absl::StrJoin(protocols, " "), "]"));
    }
    if (ScrapeProtocolHeader(p).empty()) {
      std::vector<std::string> names;
      for (const auto& k : kProtocols) names.emplace_back(k.name);
      return absl::InvalidArgumentError(absl::StrCat("scrape_protocols: unknown scrape protocol ", p,
                                                     ", supported: [", absl::StrJoin(names, " "), "]"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<GlobalConfig> ParseGlobalConfig(const YamlNode& node) {
  GlobalConfig g;
  // Prometheus starts from zero and fills defaults for what stays zero.
  g.scrape_interval_ms = 0;
  g.scrape_timeout_ms = 0;
  g.evaluation_interval_ms = 0;
  bool protocols_written = false;
  auto limits = [&](const YamlEntry& e) -> absl::Status {
    YamlReadFn fn;
    if (!LimitField(e.name(), &g.limits, &fn)) return absl::NotFoundError("");
    return fn(e.value);
  };
  RETURN_IF_ERROR(ReadMap(
      node, "global",
      {
          {"scrape_interval", IntoDuration(&g.scrape_interval_ms)},
          {"scrape_timeout", IntoDuration(&g.scrape_timeout_ms)},
          {"scrape_protocols",
           [&](const YamlNode& v) { return ReadProtocols(v, &g.scrape_protocols, &protocols_written); }},
          {"evaluation_interval", IntoDuration(&g.evaluation_interval_ms)},
          {"rule_query_offset", IntoDuration(&g.rule_query_offset_ms)},
          {"query_log_file", Into(&g.query_log_file)},
          {"external_labels", [&](const YamlNode& v) { return ReadExternalLabels(v, &g.external_labels); }},
      },
      limits));
  const GlobalConfig defaults;
  if (g.scrape_interval_ms == 0) g.scrape_interval_ms = defaults.scrape_interval_ms;
  if (g.scrape_timeout_ms > g.scrape_interval_ms) {
    return node.Error("global scrape timeout greater than scrape interval");
  }
  if (g.scrape_timeout_ms == 0) {
    g.scrape_timeout_ms = std::min(defaults.scrape_timeout_ms, g.scrape_interval_ms);
  }
  if (g.evaluation_interval_ms == 0) g.evaluation_interval_ms = defaults.evaluation_interval_ms;
  if (!protocols_written) g.scrape_protocols = DefaultScrapeProtocols();
  return g;
}

absl::StatusOr<ScrapeConfig> ParseScrapeConfig(const YamlNode& node, bool* protocols_written) {
  ScrapeConfig c;
  *protocols_written = false;
  LegacyBearer bearer;
  auto other = [&](const YamlEntry& e) -> absl::Status {
    const std::string& k = e.name();
    YamlReadFn fn;
    if (LimitField(k, &c.limits, &fn)) return fn(e.value);
    if (IsHttpClientKey(k)) return ParseHttpClientField(e, &c.http_client, &bearer);
    if (IsRefusedScrapeKey(k)) return e.key.Error(absl::StrCat(k, " is not supported by pharos yet"));
    return RefuseUnsupportedDiscovery(e);
  };
  RETURN_IF_ERROR(ReadMap(
      node, "scrape_config",
      {
          {"job_name", Into(&c.job_name)},
          {"honor_labels", Into(&c.honor_labels)},
          {"honor_timestamps", Into(&c.honor_timestamps)},
          {"track_timestamps_staleness", Into(&c.track_timestamps_staleness)},
          {"params", [&](const YamlNode& v) { return ReadParams(v, &c.params); }},
          {"scrape_interval", IntoDuration(&c.scrape_interval_ms)},
          {"scrape_timeout", IntoDuration(&c.scrape_timeout_ms)},
          {"scrape_protocols",
           [&](const YamlNode& v) { return ReadProtocols(v, &c.scrape_protocols, protocols_written); }},
          {"scrape_classic_histograms", Into(&c.scrape_classic_histograms)},
          {"metrics_path", Into(&c.metrics_path)},
          {"scheme", [&](const YamlNode& v) { return ReadScheme(v, &c.scheme); }},
          {"enable_compression", Into(&c.enable_compression)},
          {"static_configs", IntoParsed(&c.static_configs, ParseStaticConfigs)},
          {"file_sd_configs", IntoParsed(&c.file_sd_configs, ParseFileSdConfigs)},
          {"relabel_configs",
           IntoRelabelConfigs(&c.relabel_configs, "empty or null target relabeling rule in scrape config")},
          {"metric_relabel_configs",
           IntoRelabelConfigs(&c.metric_relabel_configs, "empty or null metric relabeling rule in scrape config")},
      },
      other));
  if (c.job_name.empty()) return node.Error("job_name is empty");
  RETURN_IF_ERROR(FinishHttpClientConfig(node, &c.http_client, std::move(bearer)));
  // Users who put URLs in targets are told so, unless relabeling may fix them.
  if (c.relabel_configs.empty()) RETURN_IF_ERROR(CheckTargetAddresses(c.static_configs, node));
  return c;
}

absl::Status ApplyGlobal(const GlobalConfig& global, const YamlNode& where, bool protocols_written,
                         ScrapeConfig* c) {
  if (c->scrape_interval_ms == 0) c->scrape_interval_ms = global.scrape_interval_ms;
  if (c->scrape_timeout_ms > c->scrape_interval_ms) {
    return where.Error(absl::StrCat("scrape timeout greater than scrape interval for scrape config with job name ",
                                    GoQuote(c->job_name)));
  }
  if (c->scrape_timeout_ms == 0) {
    c->scrape_timeout_ms = std::min(global.scrape_timeout_ms, c->scrape_interval_ms);
  }
  ScrapeLimits& l = c->limits;
  const ScrapeLimits& g = global.limits;
  if (l.body_size_limit == 0) l.body_size_limit = g.body_size_limit;
  if (l.sample_limit == 0) l.sample_limit = g.sample_limit;
  if (l.target_limit == 0) l.target_limit = g.target_limit;
  if (l.label_limit == 0) l.label_limit = g.label_limit;
  if (l.label_name_length_limit == 0) l.label_name_length_limit = g.label_name_length_limit;
  if (l.label_value_length_limit == 0) l.label_value_length_limit = g.label_value_length_limit;
  if (l.keep_dropped_targets == 0) l.keep_dropped_targets = g.keep_dropped_targets;
  if (!protocols_written) c->scrape_protocols = global.scrape_protocols;
  return absl::OkStatus();
}

}  // namespace pharos::config
