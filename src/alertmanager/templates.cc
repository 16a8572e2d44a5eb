#include "alertmanager/templates.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "alertmanager/default_templates.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace pharos::am {
namespace {

// Template files larger than this are refused (a template is text a person
// wrote; the engine has its own per-Parse limit too).
constexpr size_t kMaxTemplateFileBytes = 4 << 20;

tmpl::TemplateSet NewSet(bool html) {
  tmpl::TemplateOptions o;
  o.html = html;
  o.missing_key = tmpl::MissingKey::kZero;
  tmpl::TemplateSet set(o);
  tmpl::AddAlertmanagerFuncs(set);
  return set;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("template ", path, ": cannot open file"));
  std::string out;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<size_t>(in.gcount()));
    if (out.size() > kMaxTemplateFileBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("template ", path, ": larger than ", kMaxTemplateFileBytes, " bytes"));
    }
  }
  return out;
}

// The labels (or annotations) whose value is the same in every set.
LabelSet Common(const std::vector<const LabelSet*>& sets) {
  if (sets.empty()) return {};
  LabelSet common = *sets[0];
  for (size_t i = 1; i < sets.size() && !common.empty(); ++i) {
    for (auto it = common.begin(); it != common.end();) {
      auto f = sets[i]->find(it->first);
      // A missing label reads as "" in Go's map, so it matches an empty value.
      const std::string& v = f == sets[i]->end() ? std::string() : f->second;
      if (v != it->second) {
        it = common.erase(it);
      } else {
        ++it;
      }
    }
  }
  return common;
}

}  // namespace

std::string RegexpQuoteMeta(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

absl::Status Templates::Add(std::string_view name, std::string_view text) {
  RETURN_IF_ERROR(text_.Parse(name, text));
  return html_.Parse(name, text);
}

absl::StatusOr<std::shared_ptr<const Templates>> Templates::FromTexts(
    const std::vector<std::pair<std::string, std::string>>& texts, std::string external_url) {
  std::shared_ptr<Templates> t(new Templates());
  t->text_ = NewSet(false);
  t->html_ = NewSet(true);
  while (!external_url.empty() && external_url.back() == '/') external_url.pop_back();
  t->external_url_ = std::move(external_url);
  RETURN_IF_ERROR(t->Add("default.tmpl", DefaultTemplatesText()));
  RETURN_IF_ERROR(t->Add("default_email.tmpl", DefaultEmailHtmlTemplate()));
  RETURN_IF_ERROR(t->html_.Parse("default_html.tmpl", DefaultHtmlOverridesText()));
  for (const auto& [name, text] : texts) {
    absl::Status s = t->Add(name, text);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("template ", name, ": ", s.message()));
  }
  return std::shared_ptr<const Templates>(std::move(t));
}

absl::StatusOr<std::shared_ptr<const Templates>> Templates::Load(const std::vector<std::string>& files,
                                                                 std::string external_url) {
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& f : files) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(f));
    texts.emplace_back(f, std::move(text));
  }
  return FromTexts(texts, std::move(external_url));
}

tmpl::AmData Templates::Data(std::string_view receiver, const LabelSet& group_labels,
                             const std::vector<Alert>& alerts, absl::Time now) const {
  tmpl::AmData d;
  d.receiver = RegexpQuoteMeta(receiver);
  d.status = "resolved";
  d.group_labels = group_labels;
  d.external_url = external_url_;
  std::vector<const LabelSet*> labels, annotations;
  for (const auto& a : alerts) {
    tmpl::AmAlert x;
    bool resolved = a.ResolvedAt(now);
    x.status = resolved ? "resolved" : "firing";
    if (!resolved) d.status = "firing";
    x.labels = a.labels;
    x.annotations = a.annotations;
    x.starts_at = a.starts_at;
    x.ends_at = resolved ? a.ends_at : absl::InfinitePast();
    x.generator_url = a.generator_url;
    x.fingerprint = FingerprintHex(a.fingerprint());
    d.alerts.push_back(std::move(x));
    labels.push_back(&a.labels);
    annotations.push_back(&a.annotations);
  }
  d.common_labels = Common(labels);
  d.common_annotations = Common(annotations);
  return d;
}

absl::StatusOr<std::string> Templates::Execute(const tmpl::TemplateSet& set, std::string_view text,
                                               const tmpl::Value& dot) {
  if (text.empty()) return std::string();
  tmpl::TemplateSet local = set.Clone();
  RETURN_IF_ERROR(local.Parse("", text));
  return local.ExecuteToString("", dot);
}

absl::StatusOr<std::string> Templates::ExecuteText(std::string_view text, const tmpl::Value& dot) const {
  return Execute(text_, text, dot);
}

absl::StatusOr<std::string> Templates::ExecuteHtml(std::string_view text, const tmpl::Value& dot) const {
  return Execute(html_, text, dot);
}

}  // namespace pharos::am
