#include "rules/rule_file.h"

#include <glob.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/label_names.h"
#include "common/strings.h"
#include "config/yaml_map.h"
#include "config/yaml_node.h"
#include "config/yaml_scalar.h"
#include "promql/parser.h"
#include "template/prometheus_funcs.h"
#include "template/template.h"

namespace pharos::rules {
namespace {

using config::YamlNode;

constexpr size_t kMaxRuleFileBytes = 16u << 20;

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Errors collected over the whole file.
class Collector {
 public:
  void Add(const absl::Status& s) { errors_.emplace_back(SV(s.message())); }
  void Add(std::string e) { errors_.push_back(std::move(e)); }
  bool empty() const { return errors_.empty(); }
  absl::Status ToStatus() const { return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n")); }

 private:
  std::vector<std::string> errors_;
};

struct RulePos {
  int line = 0, column = 0;
  std::string Where(const std::string& file) const { return absl::StrCat(file, ":", line, ":", column); }
};

absl::Status ReadRule(const YamlNode& n, RuleNode* r, std::map<std::string, RulePos>* pos) {
  auto keep = [pos](const YamlNode& v, const char* key) { (*pos)[key] = {v.line(), v.column()}; };
  return config::ReadMap(
      n, "rulefmt.RuleNode",
      {
          {"record", [&](const YamlNode& v) { keep(v, "record"); return config::Into(&r->record)(v); }},
          {"alert", [&](const YamlNode& v) { keep(v, "alert"); return config::Into(&r->alert)(v); }},
          {"expr", [&](const YamlNode& v) { keep(v, "expr"); return config::Into(&r->expr)(v); }},
          {"for", [&](const YamlNode& v) { keep(v, "for"); return config::IntoDuration(&r->for_ms)(v); }},
          {"keep_firing_for",
           [&](const YamlNode& v) { keep(v, "keep_firing_for"); return config::IntoDuration(&r->keep_firing_for_ms)(v); }},
          {"labels", [&](const YamlNode& v) { keep(v, "labels"); return config::Into(&r->labels)(v); }},
          {"annotations",
           [&](const YamlNode& v) { keep(v, "annotations"); return config::Into(&r->annotations)(v); }},
      });
}

// rulefmt's per-rule checks; messages as promtool 2.42 prints them.
void ValidateRule(const RuleNode& r, const std::map<std::string, RulePos>& pos, const std::string& file,
                  const RuleGroupNode& g, int index, Collector* errs) {
  auto at = [&](const char* key) {
    auto it = pos.find(key);
    if (it != pos.end()) return it->second;
    return RulePos{r.line, r.column};
  };
  auto add = [&](RulePos p, std::string_view msg) {
    errs->Add(absl::StrCat(p.Where(file), ": group ", Quote(g.name), ", rule ", index, ", ", Quote(r.name()), ": ",
                           AV(msg)));
  };
  RulePos name_pos = !r.record.empty() ? at("record") : at("alert");
  if (!r.record.empty() && !r.alert.empty()) {
    add(name_pos, "only one of 'record' and 'alert' must be set");
  } else if (r.record.empty() && r.alert.empty()) {
    add(name_pos, "one of 'record' or 'alert' must be set");
  }
  if (r.expr.empty()) {
    add(name_pos, "field 'expr' must be set in rule");
  } else {
    auto e = promql::ParseExpr(r.expr);
    if (!e.ok()) add(at("expr"), absl::StrCat("could not parse expression: ", e.status().message()));
  }
  if (!r.record.empty()) {
    if (!r.annotations.empty()) add(at("annotations"), "invalid field 'annotations' in recording rule");
    if (pos.count("for")) add(at("for"), "invalid field 'for' in recording rule");
    if (pos.count("keep_firing_for")) add(at("keep_firing_for"), "invalid field 'keep_firing_for' in recording rule");
    if (!IsValidMetricName(r.record)) add(at("record"), absl::StrCat("invalid recording rule name: ", r.record));
  }
  for (const auto& [k, v] : r.labels) {
    if (!IsValidLabelName(k) || k == "__name__") add(at("labels"), absl::StrCat("invalid label name: ", k));
  }
  for (const auto& [k, v] : r.annotations) {
    if (!IsValidLabelName(k)) add(at("annotations"), absl::StrCat("invalid annotation name: ", k));
  }
  if (!r.alert.empty()) {
    for (const auto& [k, v] : r.labels) {
      if (auto s = CheckAlertTemplate(r.alert, v); !s.ok())
        add(at("labels"), absl::StrCat("label ", Quote(k), ": ", s.message()));
    }
    for (const auto& [k, v] : r.annotations) {
      if (auto s = CheckAlertTemplate(r.alert, v); !s.ok())
        add(at("annotations"), absl::StrCat("annotation ", Quote(k), ": ", s.message()));
    }
  }
}

}  // namespace

absl::Status CheckAlertTemplate(std::string_view alert_name, std::string_view text) {
  tmpl::TemplateSet set(tmpl::TemplateOptions{.missing_key = tmpl::MissingKey::kZero});
  tmpl::AddPrometheusFuncs(set, {});
  std::string full = absl::StrCat(AV(tmpl::kAlertTemplateDefs), AV(text));
  auto s = set.Parse(absl::StrCat("__alert_", AV(alert_name)), full);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("error parsing template ", AV(alert_name), ": ", s.message()));
  return absl::OkStatus();
}

absl::StatusOr<RuleFile> ParseRuleFile(std::string_view text, std::string_view filename) {
  RuleFile out;
  out.filename = std::string(filename);
  if (text.size() > kMaxRuleFileBytes)
    return absl::InvalidArgumentError(absl::StrCat(AV(filename), ": rule file larger than ", kMaxRuleFileBytes, " bytes"));
  auto doc = config::YamlDocument::Parse(text, filename);
  if (!doc.ok()) return doc.status();
  Collector errs;
  std::vector<std::pair<YamlNode, std::vector<std::map<std::string, RulePos>>>> positions;
  absl::Status s = config::ReadMap(
      doc->root(), "rulefmt.RuleGroups",
      {{"groups", [&](const YamlNode& v) -> absl::Status {
          auto items = v.Items();
          if (!items.ok()) return items.status();
          for (const YamlNode& gn : *items) {
            RuleGroupNode g;
            g.line = gn.line();
            g.column = gn.column();
            std::vector<std::map<std::string, RulePos>> rule_pos;
            absl::Status gs = config::ReadMap(
                gn, "rulefmt.RuleGroup",
                {{"name", config::Into(&g.name)},
                 {"interval", config::IntoDuration(&g.interval_ms)},
                 {"limit", config::Into(&g.limit)},
                 {"rules", [&](const YamlNode& rv) -> absl::Status {
                    auto rules = rv.Items();
                    if (!rules.ok()) return rules.status();
                    for (const YamlNode& rn : *rules) {
                      RuleNode r;
                      r.line = rn.line();
                      r.column = rn.column();
                      std::map<std::string, RulePos> p;
                      if (auto rs = ReadRule(rn, &r, &p); !rs.ok()) return rs;
                      g.rules.push_back(std::move(r));
                      rule_pos.push_back(std::move(p));
                    }
                    return absl::OkStatus();
                  }}});
            if (!gs.ok()) return gs;
            out.groups.push_back(std::move(g));
            positions.emplace_back(gn, std::move(rule_pos));
          }
          return absl::OkStatus();
        }}});
  if (!s.ok()) return s;  // a structural error stops the file, as yaml.Unmarshal does

  std::map<std::string, bool> seen;
  for (size_t gi = 0; gi < out.groups.size(); ++gi) {
    const RuleGroupNode& g = out.groups[gi];
    std::string where = absl::StrCat(AV(filename), ":", g.line, ":", g.column);
    if (g.name.empty()) errs.Add(absl::StrCat(where, ": Groupname must not be empty"));
    if (seen.count(g.name)) {
      errs.Add(absl::StrCat(where, ": groupname: ", Quote(g.name), " is repeated in the same file"));
    }
    seen[g.name] = true;
    if (g.limit < 0) errs.Add(absl::StrCat(where, ": group ", Quote(g.name), ": limit must not be negative"));
    for (size_t ri = 0; ri < g.rules.size(); ++ri) {
      ValidateRule(g.rules[ri], positions[gi].second[ri], out.filename, g, static_cast<int>(ri + 1), &errs);
    }
  }
  if (!errs.empty()) return errs.ToStatus();
  return out;
}

absl::StatusOr<RuleFile> ParseRuleFileAt(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open rule file"));
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxRuleFileBytes)
      return absl::InvalidArgumentError(absl::StrCat(path, ": rule file larger than ", kMaxRuleFileBytes, " bytes"));
  }
  return ParseRuleFile(text, path);
}

std::vector<std::string> GlobFiles(const std::string& pattern) {
  glob_t g{};
  std::vector<std::string> files;
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
  globfree(&g);
  return files;
}

std::vector<std::string> SplitErrors(std::string_view message) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= message.size()) {
    size_t nl = message.find('\n', start);
    // Lines that start with whitespace continue the previous error.
    std::string_view line = message.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!out.empty() && (!line.empty() && (line[0] == ' ' || line[0] == '\t'))) {
      out.back() += "\n";
      out.back() += line;
    } else if (!line.empty()) {
      out.emplace_back(line);
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

std::vector<DuplicateRule> FindDuplicateRules(const RuleFile& file) {
  std::map<std::vector<std::pair<std::string, std::string>>, int> count;
  std::vector<std::vector<std::pair<std::string, std::string>>> order;
  for (const auto& g : file.groups) {
    for (const auto& r : g.rules) {
      auto labels = r.labels;
      labels.emplace_back("__name__", r.name());
      std::sort(labels.begin(), labels.end());
      if (count[labels]++ == 1) order.push_back(labels);
    }
  }
  std::vector<DuplicateRule> out;
  for (auto& l : order) {
    DuplicateRule d;
    for (auto& [k, v] : l)
      if (k == "__name__") d.name = v;
    d.labels = std::move(l);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace pharos::rules
