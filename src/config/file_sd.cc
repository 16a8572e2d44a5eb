#include "config/file_sd.h"

#include <glob.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/paths.h"
#include "config/quote.h"
#include "config/yaml_map.h"
#include "re2/re2.h"

namespace pharos::config {
namespace {

bool IsValidFileSdPattern(std::string_view name) {
  // A `*` may only appear in the last path element; the name ends in a
  // supported extension.
  static const RE2* re = new RE2(R"(^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$)");
  return RE2::FullMatch(re2::StringPiece(name.data(), name.size()), *re);
}

std::string Extension(std::string_view path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "";
  return absl::AsciiStrToLower(AV(path.substr(dot)));
}

}  // namespace

absl::StatusOr<FileSdConfig> ParseFileSdConfig(const YamlNode& node) {
  FileSdConfig c;
  RETURN_IF_ERROR(ReadMap(node, "file_sd_config",
                          {
                              {"files",
                               [&](const YamlNode& v) -> absl::Status {
                                 ASSIGN_OR_RETURN(c.files, ReadStringList(v));
                                 ASSIGN_OR_RETURN(auto items, v.Items());
                                 for (size_t i = 0; i < c.files.size(); ++i) {
                                   if (!IsValidFileSdPattern(c.files[i])) {
                                     return items[i].Error(absl::StrCat("path name ", GoQuote(c.files[i]),
                                                                        " is not valid for file discovery"));
                                   }
                                 }
                                 return absl::OkStatus();
                               }},
                              {"refresh_interval", IntoDuration(&c.refresh_interval_ms)},
                          }));
  if (c.files.empty()) {
    return node.Error("file service discovery config must contain at least one path name");
  }
  if (c.refresh_interval_ms <= 0) return node.Error("file_sd refresh_interval must be greater than 0");
  return c;
}

absl::StatusOr<std::vector<FileSdConfig>> ParseFileSdConfigs(const YamlNode& list) {
  if (list.IsScalar() || list.IsMap()) return list.TypeError("[]*file.SDConfig");
  ASSIGN_OR_RETURN(auto items, list.Items());
  std::vector<FileSdConfig> out;
  out.reserve(items.size());
  for (const YamlNode& item : items) {
    ASSIGN_OR_RETURN(FileSdConfig f, ParseFileSdConfig(item));
    out.push_back(std::move(f));
  }
  return out;
}

absl::Status RefuseUnsupportedDiscovery(const YamlEntry& entry) {
  if (!entry.name().ends_with("_sd_configs")) return absl::NotFoundError("");
  return entry.key.Error(
      absl::StrCat(entry.name(), " is not supported by pharos: use static_configs or file_sd_configs"));
}

absl::StatusOr<std::vector<TargetGroup>> ParseTargetGroupFile(std::string_view content,
                                                              const std::string& path) {
  std::string ext = Extension(path);
  TargetGroupSyntax syntax;
  if (ext == ".json") {
    syntax = TargetGroupSyntax::kJson;
    if (content.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": unexpected end of JSON input"));
    }
  } else if (ext == ".yml" || ext == ".yaml") {
    syntax = TargetGroupSyntax::kYaml;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": unsupported file extension ", GoQuote(ext), " (want .json, .yml or .yaml)"));
  }
  YamlLimits limits;
  limits.max_document_bytes = kMaxTargetFileBytes;
  ASSIGN_OR_RETURN(YamlDocument doc, YamlDocument::Parse(content, path, limits));
  ASSIGN_OR_RETURN(std::vector<TargetGroup> groups, ParseTargetGroups(doc.root(), syntax, path));
  for (TargetGroup& g : groups) {
    std::vector<Label> pairs = g.labels.pairs();
    pairs.push_back(Label{std::string(kFileSdPathLabel), path});
    g.labels = Labels::FromUnsorted(std::move(pairs));
  }
  return groups;
}

absl::StatusOr<std::vector<TargetGroup>> ReadTargetGroupFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string content, ReadBoundedFile(path, kMaxTargetFileBytes, "file"));
  return ParseTargetGroupFile(content, path);
}

std::vector<std::string> MatchFileSdFiles(const FileSdConfig& c) {
  std::vector<std::string> out;
  for (const std::string& pattern : c.files) {
    glob_t g{};
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<FileSdFile> ExpandFileSd(const FileSdConfig& c) {
  std::vector<FileSdFile> out;
  for (std::string& path : MatchFileSdFiles(c)) {
    auto groups = ReadTargetGroupFile(path);
    out.push_back(FileSdFile{std::move(path), std::move(groups)});
  }
  return out;
}

}  // namespace pharos::config
