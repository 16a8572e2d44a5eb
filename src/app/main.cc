#include "app/main.h"

#include <cstdio>

#include "app/command_line.h"
#include "app/server.h"
#include "common/log.h"
#include "config/config.h"

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
    case CommandLine::Kind::kCheckConfig: {
      int rc = 0;
      for (const auto& file : cl->args) {
        auto r = config::CheckConfigFile(file);
        if (r.ok()) {
          std::printf("%s\n", r->c_str());
        } else {
          std::fprintf(stderr, "  FAILED: %s\n", std::string(r.status().message()).c_str());
          rc = 1;
        }
      }
      return rc;
    }
    case CommandLine::Kind::kServer:
      break;
  }
  log::Level level;
  log::Format format;
  if (!log::ParseLevel(cl->flags.log_level, &level) || !log::ParseFormat(cl->flags.log_format, &format)) {
    std::fprintf(stderr, "pharos: error: bad --log.level or --log.format\n");
    return 2;
  }
  log::Configure(level, format);
  return RunServer(cl->flags);
}

}  // namespace pharos::app
