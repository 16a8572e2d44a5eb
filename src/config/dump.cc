// DumpYaml: the effective configuration in the key order and omissions of
// Prometheus 2.53's /api/v1/status/config, with secrets hidden.
#include "absl/strings/str_cat.h"
#include "common/duration.h"
#include "common/strings.h"
#include "config/config.h"
#include "config/yaml_scalar.h"
#include "config/yaml_writer.h"

namespace pharos::config {
namespace {

YamlOut Duration(int64_t ms) { return YamlOut::Str(FormatDurationMs(ms)); }

YamlOut LabelMap(const Labels& l) {
  YamlOut m = YamlOut::Map();
  for (const Label& x : l) m.Add(x.name, YamlOut::Str(x.value));
  return m;
}

void AddUint(YamlOut& m, std::string_view key, uint64_t v) {
  if (v != 0) m.Add(key, YamlOut::Raw(absl::StrCat(v)));
}

void AddLimits(YamlOut& m, const ScrapeLimits& l) {
  if (l.body_size_limit != 0) m.Add("body_size_limit", YamlOut::Str(FormatByteSize(l.body_size_limit)));
  AddUint(m, "sample_limit", l.sample_limit);
  AddUint(m, "target_limit", l.target_limit);
  AddUint(m, "label_limit", l.label_limit);
  AddUint(m, "label_name_length_limit", l.label_name_length_limit);
  AddUint(m, "label_value_length_limit", l.label_value_length_limit);
  AddUint(m, "keep_dropped_targets", l.keep_dropped_targets);
}

void AddHttpClient(YamlOut& m, const HttpClientConfig& c) { DumpHttpClientConfig(m, c); }

YamlOut Relabel(const RelabelConfig& r) {
  YamlOut m = YamlOut::Map();
  if (!r.source_labels.empty()) {
    YamlOut s = YamlOut::FlowSeq();
    for (const auto& l : r.source_labels) s.Push(YamlOut::Str(l));
    m.Add("source_labels", std::move(s));
  }
  AddIf(m, "separator", r.separator);
  // keepequal/dropequal refuse a written regex, so their default one is left
  // out for the printout to load back.
  const bool equal_action = r.action == RelabelAction::kKeepEqual || r.action == RelabelAction::kDropEqual;
  if (!(equal_action && !r.regex_written)) AddIf(m, "regex", r.regex.pattern());
  AddUint(m, "modulus", r.modulus);
  AddIf(m, "target_label", r.target_label);
  AddIf(m, "replacement", r.replacement);
  m.Add("action", YamlOut::Str(RelabelActionName(r.action)));
  return m;
}

void AddRelabels(YamlOut& m, std::string_view key, const std::vector<RelabelConfig>& rs) {
  if (rs.empty()) return;
  YamlOut s = YamlOut::Seq();
  for (const auto& r : rs) s.Push(Relabel(r));
  m.Add(key, std::move(s));
}

void AddDiscovery(YamlOut& m, const std::vector<FileSdConfig>& files, const std::vector<TargetGroup>& statics) {
  if (!files.empty()) {
    YamlOut s = YamlOut::Seq();
    for (const FileSdConfig& f : files) {
      YamlOut o = YamlOut::Map();
      o.Add("files", StrList(f.files));
      o.Add("refresh_interval", Duration(f.refresh_interval_ms));
      s.Push(std::move(o));
    }
    m.Add("file_sd_configs", std::move(s));
  }
  if (!statics.empty()) {
    YamlOut s = YamlOut::Seq();
    for (const TargetGroup& g : statics) {
      YamlOut o = YamlOut::Map();
      YamlOut targets = YamlOut::Seq();
      for (const Labels& t : g.targets) targets.Push(YamlOut::Str(t.Get(kAddressLabel)));
      o.Add("targets", std::move(targets));
      if (!g.labels.empty()) o.Add("labels", LabelMap(g.labels));
      s.Push(std::move(o));
    }
    m.Add("static_configs", std::move(s));
  }
}

YamlOut Global(const GlobalConfig& g) {
  YamlOut m = YamlOut::Map();
  m.Add("scrape_interval", Duration(g.scrape_interval_ms));
  m.Add("scrape_timeout", Duration(g.scrape_timeout_ms));
  m.Add("scrape_protocols", StrList(g.scrape_protocols));
  m.Add("evaluation_interval", Duration(g.evaluation_interval_ms));
  if (g.rule_query_offset_ms != 0) m.Add("rule_query_offset", Duration(g.rule_query_offset_ms));
  AddIf(m, "query_log_file", g.query_log_file);
  if (!g.external_labels.empty()) m.Add("external_labels", LabelMap(g.external_labels));
  AddLimits(m, g.limits);
  return m;
}

YamlOut Scrape(const ScrapeConfig& c) {
  YamlOut m = YamlOut::Map();
  m.Add("job_name", YamlOut::Str(c.job_name));
  if (c.honor_labels) m.Add("honor_labels", YamlOut::Bool(true));
  m.Add("honor_timestamps", YamlOut::Bool(c.honor_timestamps));
  m.Add("track_timestamps_staleness", YamlOut::Bool(c.track_timestamps_staleness));
  if (!c.params.empty()) {
    YamlOut p = YamlOut::Map();
    for (const auto& [k, vs] : c.params) p.Add(k, StrList(vs));
    m.Add("params", std::move(p));
  }
  m.Add("scrape_interval", Duration(c.scrape_interval_ms));
  m.Add("scrape_timeout", Duration(c.scrape_timeout_ms));
  m.Add("scrape_protocols", StrList(c.scrape_protocols));
  if (c.scrape_classic_histograms) m.Add("scrape_classic_histograms", YamlOut::Bool(true));
  AddIf(m, "metrics_path", c.metrics_path);
  AddIf(m, "scheme", c.scheme);
  m.Add("enable_compression", YamlOut::Bool(c.enable_compression));
  AddLimits(m, c.limits);
  AddHttpClient(m, c.http_client);
  AddRelabels(m, "relabel_configs", c.relabel_configs);
  AddRelabels(m, "metric_relabel_configs", c.metric_relabel_configs);
  AddDiscovery(m, c.file_sd_configs, c.static_configs);
  return m;
}

YamlOut Alertmanager(const AlertmanagerConfig& c) {
  YamlOut m = YamlOut::Map();
  AddHttpClient(m, c.http_client);
  AddIf(m, "scheme", c.scheme);
  AddIf(m, "path_prefix", c.path_prefix);
  m.Add("timeout", Duration(c.timeout_ms));
  m.Add("api_version", YamlOut::Str(c.api_version));
  AddRelabels(m, "relabel_configs", c.relabel_configs);
  AddRelabels(m, "alert_relabel_configs", c.alert_relabel_configs);
  AddDiscovery(m, c.file_sd_configs, c.static_configs);
  return m;
}

}  // namespace

std::string DumpYaml(const Config& config) {
  YamlOut root = YamlOut::Map();
  root.Add("global", Global(config.global));
  const AlertingConfig& a = config.alerting;
  if (!a.alert_relabel_configs.empty() || !a.alertmanagers.empty()) {
    YamlOut m = YamlOut::Map();
    AddRelabels(m, "alert_relabel_configs", a.alert_relabel_configs);
    if (!a.alertmanagers.empty()) {
      YamlOut s = YamlOut::Seq();
      for (const auto& am : a.alertmanagers) s.Push(Alertmanager(am));
      m.Add("alertmanagers", std::move(s));
    }
    root.Add("alerting", std::move(m));
  }
  if (!config.rule_files.empty()) root.Add("rule_files", StrList(config.rule_files));
  if (!config.scrape_configs.empty()) {
    YamlOut s = YamlOut::Seq();
    for (const auto& sc : config.scrape_configs) s.Push(Scrape(sc));
    root.Add("scrape_configs", std::move(s));
  }
  const StorageConfig& st = config.storage;
  if (st.tsdb || st.exemplars) {
    YamlOut m = YamlOut::Map();
    if (st.tsdb) {
      YamlOut t = YamlOut::Map();
      if (st.tsdb->out_of_order_time_window_ms != 0) {
        t.Add("out_of_order_time_window", Duration(st.tsdb->out_of_order_time_window_ms));
      }
      m.Add("tsdb", std::move(t));
    }
    if (st.exemplars) {
      YamlOut e = YamlOut::Map();
      if (st.exemplars->max_exemplars != 0) {
        e.Add("max_exemplars", YamlOut::Raw(absl::StrCat(st.exemplars->max_exemplars)));
      }
      m.Add("exemplars", std::move(e));
    }
    root.Add("storage", std::move(m));
  }
  return root.Print();
}


YamlOut DumpTlsConfig(const TlsConfig& t) {
  YamlOut o = YamlOut::Map();
  AddIf(o, "ca", t.ca);
  AddIf(o, "ca_file", t.ca_file);
  AddIf(o, "cert", t.cert);
  AddIf(o, "cert_file", t.cert_file);
  AddSecret(o, "key", t.key);
  AddIf(o, "key_file", t.key_file);
  AddIf(o, "server_name", t.server_name);
  o.Add("insecure_skip_verify", YamlOut::Bool(t.insecure_skip_verify));
  AddIf(o, "min_version", t.min_version);
  AddIf(o, "max_version", t.max_version);
  return o;
}

void DumpHttpClientConfig(YamlOut& m, const HttpClientConfig& c) {
  if (c.basic_auth) {
    YamlOut b = YamlOut::Map();
    AddIf(b, "username", c.basic_auth->username);
    AddIf(b, "username_file", c.basic_auth->username_file);
    AddSecret(b, "password", c.basic_auth->password);
    AddIf(b, "password_file", c.basic_auth->password_file);
    m.Add("basic_auth", std::move(b));
  }
  if (c.authorization) {
    YamlOut a = YamlOut::Map();
    AddIf(a, "type", c.authorization->type);
    AddSecret(a, "credentials", c.authorization->credentials);
    AddIf(a, "credentials_file", c.authorization->credentials_file);
    m.Add("authorization", std::move(a));
  }
  if (!c.tls_config.IsZero()) m.Add("tls_config", DumpTlsConfig(c.tls_config));
  AddIf(m, "proxy_url", c.proxy_url);
  AddIf(m, "no_proxy", c.no_proxy);
  if (c.proxy_from_environment) m.Add("proxy_from_environment", YamlOut::Bool(true));
  m.Add("follow_redirects", YamlOut::Bool(c.follow_redirects));
  m.Add("enable_http2", YamlOut::Bool(c.enable_http2));
}

}  // namespace pharos::config
