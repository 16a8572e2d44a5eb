#include "notifier/discovery.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "scrape/relabel/relabel.h"

namespace pharos::notifier {

std::string AlertsPath(std::string_view path_prefix, std::string_view api_version) {
  std::string joined = absl::StrCat("/", AV(path_prefix), "/api/", AV(api_version), "/alerts");
  // Clean: split on '/', drop empty and "." elements, let ".." pop one.
  std::vector<std::string_view> parts;
  for (absl::string_view p : absl::StrSplit(joined, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.emplace_back(p.data(), p.size());
  }
  std::string out;
  for (std::string_view p : parts) absl::StrAppend(&out, "/", AV(p));
  return out.empty() ? "/" : out;
}

std::string AlertmanagerUrl(const Labels& labels) {
  return absl::StrCat(AV(labels.Get(kSchemeLabel)), "://", AV(labels.Get(config::kAddressLabel)),
                      AV(labels.Get(kAlertsPathLabel)));
}

absl::StatusOr<DiscoveredAlertmanagers> AlertmanagersFromGroup(const config::TargetGroup& group,
                                                               const config::AlertmanagerConfig& cfg) {
  DiscoveredAlertmanagers out;
  const std::string path = AlertsPath(cfg.path_prefix, cfg.api_version);
  LabelsBuilder lb;
  for (const Labels& target : group.targets) {
    lb.Reset(target);
    lb.Set(kSchemeLabel, cfg.scheme);
    lb.Set(kAlertsPathLabel, path);
    for (const Label& l : group.labels) {
      if (!target.Has(l.name)) lb.Set(l.name, l.value);
    }
    Labels discovered = lb.Build();
    if (!relabel::ProcessBuilder(cfg.relabel_configs, &lb)) {
      out.dropped.push_back(AlertmanagerUrl(discovered));
      continue;
    }
    Labels kept = lb.Build();
    std::string_view addr = kept.Get(config::kAddressLabel);
    if (addr.find('/') != std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("\"", AV(addr), "\" is not a valid hostname"));
    }
    out.active.push_back(AlertmanagerUrl(kept));
  }
  return out;
}

}  // namespace pharos::notifier
