// File paths in config files: relative names are relative to the directory
// of the config file, as Prometheus resolves them.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace pharos::config {

// Go's filepath.Clean: lexical normalisation ("a//b/../c/" -> "a/c").
std::string CleanPath(std::string_view path);
// Go's config.JoinDir: "" and absolute paths stay as they are; others are
// joined with `dir` and cleaned.
std::string JoinDir(std::string_view dir, std::string_view path);
// The directory part of a file name ("." when it has none), as filepath.Dir.
std::string DirName(std::string_view path);

// Reads a whole file of at most `max_bytes` ("what" names it in messages:
// "config file", "file"). NotFound when it cannot be opened.
absl::StatusOr<std::string> ReadBoundedFile(const std::string& path, size_t max_bytes,
                                            std::string_view what);

}  // namespace pharos::config
