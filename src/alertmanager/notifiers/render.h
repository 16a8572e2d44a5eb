// What every notifier does before sending: build 0.25's notification data
// for the alerts and render config strings with it, remembering the first
// template error (notify.TmplText).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "alertmanager/interfaces.h"
#include "alertmanager/templates.h"
#include "common/json_writer.h"

namespace pharos::am::notifiers {

class Renderer {
 public:
  Renderer(const Templates& templates, const NotifyContext& ctx, const std::vector<Alert>& alerts)
      : templates_(templates), data_(templates.Data(ctx.receiver, ctx.group_labels, alerts, ctx.now)),
        dot_(tmpl::AlertmanagerData(data_)) {}

  // Renders `text` (text set); on error returns "" and keeps the first error.
  std::string Text(std::string_view text);
  // The same with the HTML set.
  std::string Html(std::string_view text);
  const absl::Status& error() const { return err_; }

  const tmpl::AmData& data() const { return data_; }
  const tmpl::Value& dot() const { return dot_; }

 private:
  const Templates& templates_;
  tmpl::AmData data_;
  tmpl::Value dot_;
  absl::Status err_;
};

// Writes a map[string]string as Go encodes it (keys sorted).
void WriteStringMap(JsonWriter& w, const std::map<std::string, std::string>& m);
// Writes template.Data's fields (receiver … externalURL) into the open object.
void WriteDataFields(JsonWriter& w, const tmpl::AmData& d);

}  // namespace pharos::am::notifiers
