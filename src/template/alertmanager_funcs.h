// Alertmanager 0.25's template functions and notification data.
//
// Alertmanager parses its templates into a text set and an HTML set (both
// with missingkey=zero) and its default templates first; the caller loads
// default.tmpl / its own template files with TemplateSet::Parse and
// executes e.g. "slack.default.title" with AlertmanagerData(...) as dot.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "template/template.h"

namespace pharos::tmpl {

// toUpper, toLower, title, trimSpace, join, match, safeHtml, reReplaceAll,
// stringSlice (0.25 has no date/tz).
void AddAlertmanagerFuncs(TemplateSet& set);

struct AmAlert {
  std::string status;  // "firing" or "resolved"
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  absl::Time starts_at = absl::InfinitePast();  // InfinitePast: Go's zero time
  absl::Time ends_at = absl::InfinitePast();
  std::string generator_url;
  std::string fingerprint;
};

struct AmData {
  std::string receiver;  // already regexp-quoted, as Alertmanager passes it
  std::string status;
  std::vector<AmAlert> alerts;
  std::map<std::string, std::string> group_labels;
  std::map<std::string, std::string> common_labels;
  std::map<std::string, std::string> common_annotations;
  std::string external_url;
};

// template.Data: .Receiver .Status .Alerts (.Firing .Resolved) .GroupLabels
// .CommonLabels .CommonAnnotations (KV: .SortedPairs .Names .Values .Remove)
// .ExternalURL; each alert has .Status .Labels .Annotations .StartsAt
// .EndsAt .GeneratorURL .Fingerprint.
Value AlertmanagerData(const AmData& data);

// A KV (label set) value with Alertmanager's methods.
Value MakeKV(const std::map<std::string, std::string>& kv);

}  // namespace pharos::tmpl
