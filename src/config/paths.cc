#include "config/paths.h"

#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::config {

std::string CleanPath(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out.push_back('/');
    out.append(parts[k]);
  }
  if (out.empty()) out = ".";
  return out;
}

std::string JoinDir(std::string_view dir, std::string_view path) {
  if (path.empty() || path[0] == '/') return std::string(path);
  std::string joined(dir);
  if (!joined.empty()) joined.push_back('/');
  joined.append(path);
  return CleanPath(joined);
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  return CleanPath(path.substr(0, slash + 1));
}

absl::StatusOr<std::string> ReadBoundedFile(const std::string& path, size_t max_bytes,
                                            std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open ", AV(what)));
  std::string content;
  char buf[64 * 1024];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    content.append(buf, static_cast<size_t>(in.gcount()));
    if (content.size() > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", AV(what), " larger than ", max_bytes, " bytes"));
    }
  }
  if (in.bad()) return absl::InternalError(absl::StrCat(path, ": cannot read ", AV(what)));
  return content;
}

}  // namespace pharos::config
