#include "alertmanager/notifiers/render.h"

#include "alertmanager/notifiers/notify_util.h"

namespace pharos::am::notifiers {

std::string Renderer::Text(std::string_view text) {
  auto r = templates_.ExecuteText(text, dot_);
  if (r.ok()) return *std::move(r);
  if (err_.ok()) err_ = r.status();
  return "";
}

std::string Renderer::Html(std::string_view text) {
  auto r = templates_.ExecuteHtml(text, dot_);
  if (r.ok()) return *std::move(r);
  if (err_.ok()) err_ = r.status();
  return "";
}

void WriteStringMap(JsonWriter& w, const std::map<std::string, std::string>& m) {
  w.BeginObject();
  for (const auto& [k, v] : m) w.Key(k).String(v);
  w.EndObject();
}

void WriteDataFields(JsonWriter& w, const tmpl::AmData& d) {
  w.Key("receiver").String(d.receiver);
  w.Key("status").String(d.status);
  w.Key("alerts").BeginArray();
  for (const auto& a : d.alerts) {
    w.BeginObject();
    w.Key("status").String(a.status);
    w.Key("labels");
    WriteStringMap(w, a.labels);
    w.Key("annotations");
    WriteStringMap(w, a.annotations);
    w.Key("startsAt").String(GoJsonTime(a.starts_at));
    w.Key("endsAt").String(GoJsonTime(a.ends_at));
    w.Key("generatorURL").String(a.generator_url);
    w.Key("fingerprint").String(a.fingerprint);
    w.EndObject();
  }
  w.EndArray();
  w.Key("groupLabels");
  WriteStringMap(w, d.group_labels);
  w.Key("commonLabels");
  WriteStringMap(w, d.common_labels);
  w.Key("commonAnnotations");
  WriteStringMap(w, d.common_annotations);
  w.Key("externalURL").String(d.external_url);
}

}  // namespace pharos::am::notifiers
