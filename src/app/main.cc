#include "app/main.h"

#include <cstdio>

#include "app/command_line.h"

namespace pharos::app {

int Main(int argc, char** argv) {
  auto cl = ParseCommandLine(argc, argv);
  if (!cl.ok()) {
    std::fprintf(stderr, "pharos: error: %s\n", std::string(cl.status().message()).c_str());
    return 2;
  }
  switch (cl->kind) {
    case CommandLine::Kind::kHelp:
    case CommandLine::Kind::kVersion:
      std::printf("%s\n", cl->help.c_str());
      return 0;
    default:
      std::fprintf(stderr, "pharos: this command is not available in this build yet\n");
      return 1;
  }
}

}  // namespace pharos::app
