// Templates: the notification templates of one Alertmanager config, parsed
// once — Pharos' default templates (default_templates.h) followed by the
// config's `templates` files — into a text set and an HTML set, as
// Alertmanager 0.25's template.FromGlobs does (both with missingkey=zero and
// Alertmanager's functions; a later file's {{define}} replaces an earlier
// one of the same name).
//
// Notifiers build the notification data with Data() and execute a config
// string (e.g. a Slack `title`) with ExecuteText / ExecuteHtml, which parse
// the string as an anonymous template in a copy of the set, so it can call
// any defined template.
//
// Thread-safety: immutable after Load; every method is const and safe to
// call concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "alertmanager/types.h"
#include "template/alertmanager_funcs.h"
#include "template/template.h"

namespace pharos::am {

class Templates {
 public:
  // Parses the defaults, then each file in order. `external_url` is
  // .ExternalURL (no trailing slash, as Alertmanager trims it). Errors name
  // the file: "template FILE: template: NAME:LINE: ...".
  static absl::StatusOr<std::shared_ptr<const Templates>> Load(const std::vector<std::string>& files,
                                                               std::string external_url);
  // The same from texts in memory: (name, text) pairs.
  static absl::StatusOr<std::shared_ptr<const Templates>> FromTexts(
      const std::vector<std::pair<std::string, std::string>>& texts, std::string external_url);

  // 0.25's notification data (template.Data) for `alerts` of a group:
  // .Receiver regexp-quoted, .Status "resolved" only when every alert is
  // resolved at `now`, the labels and annotations every alert shares, and
  // per alert its status and fingerprint. Firing alerts show EndsAt as
  // Go's zero time, as 0.25 hides an end that is not reached yet.
  tmpl::AmData Data(std::string_view receiver, const LabelSet& group_labels, const std::vector<Alert>& alerts,
                    absl::Time now) const;

  // Executes `text` with `dot` in the text (HTML) set. An empty text yields
  // "" without parsing. Errors are InvalidArgument with Go's message.
  absl::StatusOr<std::string> ExecuteText(std::string_view text, const tmpl::Value& dot) const;
  absl::StatusOr<std::string> ExecuteHtml(std::string_view text, const tmpl::Value& dot) const;

  const std::string& external_url() const { return external_url_; }

 private:
  Templates() = default;
  absl::Status Add(std::string_view name, std::string_view text);
  static absl::StatusOr<std::string> Execute(const tmpl::TemplateSet& set, std::string_view text,
                                             const tmpl::Value& dot);

  tmpl::TemplateSet text_;
  tmpl::TemplateSet html_;
  std::string external_url_;
};

// Go's regexp.QuoteMeta: a backslash before each of \.+*?()|[]{}^$.
std::string RegexpQuoteMeta(std::string_view s);

}  // namespace pharos::am
