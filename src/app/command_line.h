// The pharos command line: the server (Prometheus-compatible flags) or an
// operator subcommand in promtool's spirit.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/flags.h"

namespace pharos::app {

struct CommandLine {
  enum class Kind { kServer, kVersion, kHelp, kCheckConfig, kCheckAmConfig, kCheckRules, kTestRules };
  Kind kind = Kind::kServer;
  Flags flags;                    // kServer
  std::vector<std::string> args;  // subcommand arguments (files, URLs, ...)
  std::string help;               // kHelp: the text to print
  std::string lint = "duplicate-rules";  // kCheckRules: --lint (none | duplicate-rules)
  bool lint_fatal = false;               // kCheckRules: --lint-fatal
};

// Parses argv. Errors name the flag and the problem; the caller prints them
// and exits with status 2 (as kingpin does for Prometheus).
absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv);

}  // namespace pharos::app
