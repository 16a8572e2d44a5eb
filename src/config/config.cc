#include "config/config.h"

#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/paths.h"
#include "config/quote.h"
#include "config/yaml_map.h"
#include "re2/re2.h"

namespace pharos::config {
namespace {

// Sections of prometheus.yml that Pharos does not implement yet: refused at
// their position so that a config never silently loses meaning.
constexpr std::string_view kNotYet[] = {"remote_write", "remote_read", "tracing",
                                        "scrape_config_files", "otlp"};

bool IsValidRuleFilePattern(std::string_view p) {
  // A `*` may only appear in the last path element.
  static const RE2* re = new RE2(R"(^[^*]*(\*[^/]*)?$)");
  return RE2::FullMatch(re2::StringPiece(p.data(), p.size()), *re);
}

absl::Status ParseStorage(const YamlNode& node, StorageConfig* s) {
  return ReadMap(node, "storage",
                 {
                     {"tsdb",
                      [s](const YamlNode& v) -> absl::Status {
                        TsdbConfig t;
                        RETURN_IF_ERROR(ReadMap(v, "tsdb",
                                                {{"out_of_order_time_window",
                                                  IntoDuration(&t.out_of_order_time_window_ms)}}));
                        s->tsdb = t;
                        return absl::OkStatus();
                      }},
                     {"exemplars",
                      [s](const YamlNode& v) -> absl::Status {
                        ExemplarsConfig e;
                        RETURN_IF_ERROR(ReadMap(v, "exemplars", {{"max_exemplars", Into(&e.max_exemplars)}}));
                        s->exemplars = e;
                        return absl::OkStatus();
                      }},
                 });
}

// A scrape config with what ApplyGlobal needs after the whole file is read.
struct PendingScrape {
  YamlNode node;
  bool protocols_written;
};

absl::StatusOr<Config> Parse(std::string_view yaml, std::string_view filename) {
  YamlLimits limits;
  limits.max_document_bytes = kMaxConfigBytes;
  ASSIGN_OR_RETURN(YamlDocument doc, YamlDocument::Parse(yaml, filename, limits));
  const YamlNode root = doc.root();
  Config cfg;
  cfg.filename = std::string(filename);
  std::optional<YamlNode> global_node;
  std::vector<PendingScrape> pending;

  // The top-level section table. Pharos' own sections join here.
  auto refused = [](const YamlEntry& e) -> absl::Status {
    for (auto k : kNotYet) {
      if (e.name() == k) return e.key.Error(absl::StrCat(e.name(), " is not supported by pharos yet"));
    }
    return absl::NotFoundError("");
  };
  RETURN_IF_ERROR(ReadMap(
      root, "config",
      {
          {"global",
           [&](const YamlNode& v) -> absl::Status {
             global_node = v;
             ASSIGN_OR_RETURN(cfg.global, ParseGlobalConfig(v));
             return absl::OkStatus();
           }},
          {"alerting",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(cfg.alerting, ParseAlertingConfig(v));
             return absl::OkStatus();
           }},
          {"rule_files",
           [&](const YamlNode& v) -> absl::Status {
             ASSIGN_OR_RETURN(cfg.rule_files, ReadStringList(v));
             ASSIGN_OR_RETURN(auto items, v.Items());
             for (size_t i = 0; i < cfg.rule_files.size(); ++i) {
               if (!IsValidRuleFilePattern(cfg.rule_files[i])) {
                 return items[i].Error(absl::StrCat("invalid rule file path ", GoQuote(cfg.rule_files[i])));
               }
             }
             return absl::OkStatus();
           }},
          {"scrape_configs",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsScalar() || v.IsMap()) return v.TypeError("[]*config.ScrapeConfig");
             ASSIGN_OR_RETURN(auto items, v.Items());
             for (const YamlNode& item : items) {
               if (item.IsNull()) return item.Error("empty or null scrape config section");
               bool protocols_written = false;
               ASSIGN_OR_RETURN(ScrapeConfig sc, ParseScrapeConfig(item, &protocols_written));
               cfg.scrape_configs.push_back(std::move(sc));
               pending.push_back(PendingScrape{item, protocols_written});
             }
             return absl::OkStatus();
           }},
          {"storage", [&](const YamlNode& v) { return ParseStorage(v, &cfg.storage); }},
          {"probes", IntoParsed(&cfg.probes, ParseProbesConfig)},
          {"alertmanager",
           [&](const YamlNode& v) -> absl::Status {
             if (!v.IsMap() && !v.IsNull()) return v.TypeError("alertmanager config");
             cfg.alertmanager = v;
             return absl::OkStatus();
           }},
      },
      refused));

  // Scrape configs inherit from global wherever it appears in the file.
  absl::flat_hash_map<std::string, size_t> jobs;
  for (size_t i = 0; i < cfg.scrape_configs.size(); ++i) {
    ScrapeConfig& sc = cfg.scrape_configs[i];
    RETURN_IF_ERROR(ApplyGlobal(cfg.global, pending[i].node, pending[i].protocols_written, &sc));
    if (!jobs.emplace(sc.job_name, i).second) {
      return pending[i].node.Error(
          absl::StrCat("found multiple scrape configs with job name ", GoQuote(sc.job_name)));
    }
  }
  return cfg;
}

void ResolvePaths(const std::string& dir, Config* c) {
  c->base_dir = dir;
  c->global.query_log_file = JoinDir(dir, c->global.query_log_file);
  for (std::string& f : c->rule_files) f = JoinDir(dir, f);
  auto resolve_sd = [&](std::vector<FileSdConfig>& sds) {
    for (FileSdConfig& sd : sds) {
      for (std::string& f : sd.files) f = JoinDir(dir, f);
    }
  };
  for (ScrapeConfig& sc : c->scrape_configs) {
    ResolveHttpClientPaths(dir, &sc.http_client);
    resolve_sd(sc.file_sd_configs);
  }
  ResolveProbeModulePaths(dir, &c->probes.modules);
  for (AlertmanagerConfig& am : c->alerting.alertmanagers) {
    ResolveHttpClientPaths(dir, &am.http_client);
    resolve_sd(am.file_sd_configs);
  }
}

}  // namespace

const ScrapeConfig* Config::FindJob(std::string_view job_name) const {
  for (const ScrapeConfig& sc : scrape_configs) {
    if (sc.job_name == job_name) return &sc;
  }
  return nullptr;
}

absl::StatusOr<Config> LoadString(std::string_view yaml, std::string_view filename) {
  return Parse(yaml, filename);
}

absl::StatusOr<Config> LoadFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string content, ReadBoundedFile(path, kMaxConfigBytes, "config file"));
  ASSIGN_OR_RETURN(Config cfg, Parse(content, path));
  ResolvePaths(DirName(path), &cfg);
  return cfg;
}

}  // namespace pharos::config
