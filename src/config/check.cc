// CheckConfigFile: what `pharos check config FILE` runs (promtool's
// `check config` in spirit and wording).
#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/config.h"

namespace pharos::config {
namespace {

absl::Status CheckFileExists(std::string_view what, const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("error checking ", AV(what), " \"", path, "\": no such file"));
  }
  return absl::OkStatus();
}

absl::Status CheckHttpFiles(const HttpClientConfig& c) {
  if (c.basic_auth) {
    RETURN_IF_ERROR(CheckFileExists("username file", c.basic_auth->username_file));
    RETURN_IF_ERROR(CheckFileExists("password file", c.basic_auth->password_file));
  }
  if (c.authorization) {
    RETURN_IF_ERROR(CheckFileExists("credentials file", c.authorization->credentials_file));
  }
  RETURN_IF_ERROR(CheckFileExists("CA file", c.tls_config.ca_file));
  RETURN_IF_ERROR(CheckFileExists("client cert file", c.tls_config.cert_file));
  RETURN_IF_ERROR(CheckFileExists("client key file", c.tls_config.key_file));
  return absl::OkStatus();
}

// Parses the file_sd files that exist now; notes patterns that match none.
absl::Status CheckFileSd(const std::vector<FileSdConfig>& sds, std::string_view owner, std::string* report,
                         size_t* files, size_t* targets) {
  for (const FileSdConfig& sd : sds) {
    for (const std::string& pattern : sd.files) {
      FileSdConfig one;
      one.files = {pattern};
      std::vector<FileSdFile> found = ExpandFileSd(one);
      if (found.empty()) {
        absl::StrAppend(report, "  WARNING: file \"", pattern, "\" for file_sd in ", AV(owner),
                        " does not exist\n");
      }
      for (const FileSdFile& f : found) {
        if (!f.groups.ok()) return f.groups.status();
        ++*files;
        for (const TargetGroup& g : *f.groups) *targets += g.targets.size();
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> CheckConfigFile(const std::string& path) {
  ASSIGN_OR_RETURN(Config cfg, LoadFile(path));
  std::string report = absl::StrCat("Checking ", path, "\n");
  size_t files = 0, targets = 0;
  for (const ScrapeConfig& sc : cfg.scrape_configs) {
    RETURN_IF_ERROR(CheckHttpFiles(sc.http_client));
    RETURN_IF_ERROR(CheckFileSd(sc.file_sd_configs, absl::StrCat("scrape job \"", sc.job_name, "\""), &report,
                                &files, &targets));
  }
  for (const AlertmanagerConfig& am : cfg.alerting.alertmanagers) {
    RETURN_IF_ERROR(CheckHttpFiles(am.http_client));
    RETURN_IF_ERROR(CheckFileSd(am.file_sd_configs, "alertmanager config", &report, &files, &targets));
  }
  size_t static_targets = 0;
  for (const ScrapeConfig& sc : cfg.scrape_configs) {
    for (const TargetGroup& g : sc.static_configs) static_targets += g.targets.size();
  }
  absl::StrAppend(&report, "  SUCCESS: ", cfg.rule_files.size(), " rule files found\n");
  absl::StrAppend(&report, "  SUCCESS: ", cfg.scrape_configs.size(), " scrape configs, ", static_targets,
                  " static targets, ", files, " file_sd files with ", targets, " targets\n");
  absl::StrAppend(&report, " SUCCESS: ", path, " is valid prometheus config file syntax\n");
  return report;
}

}  // namespace pharos::config
