// The web UI's files (web/ in the source tree), embedded in the binary at
// build time by cmake/EmbedFiles.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace pharos::app {

struct WebAsset {
  std::string_view path;  // relative to web/, e.g. "index.html", "app.js"
  std::string_view content_type;
  std::string_view data;
};

const std::vector<WebAsset>& WebAssets();

}  // namespace pharos::app
