#include "app/main.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>

#include "alertmanager/config.h"
#include "app/command_line.h"
#include "app/rules_commands.h"
#include "app/server.h"
#include "common/log.h"
#include "config/config.h"

namespace pharos::app {
namespace {

// glibc gives each thread that contends for the heap its own arena, up to
// 8 per core, and each arena keeps its freed memory: with a scrape thread
// per target that multiplies the resident heap. Two arenas keep contention
// low on small machines; freed memory above 1 MiB at the top of the heap is
// returned. MALLOC_ARENA_MAX / MALLOC_TRIM_THRESHOLD_ in the environment
// still win (docs/benchmarks.md, Ingest).
void TuneMalloc() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 1 << 20);
}

}  // namespace

// amtool check-config's report for each file.
int RunCheckAmConfigCommand(const CommandLine& cl) {
  int rc = 0;
  for (const auto& file : cl.args) {
    std::printf("Checking '%s'", file.c_str());
    auto c = am::LoadConfigFile(file);
    if (!c.ok()) {
      std::printf("  FAILED: %s\n\n", std::string(c.status().message()).c_str());
      rc = 1;
      continue;
    }
    std::printf("  SUCCESS\nFound:\n - global config\n - route\n - %zu inhibit rules\n - %zu receivers\n"
                " - %zu templates\n\n",
                c->inhibit_rules.size(), c->receivers.size(), c->templates.size());
  }
  return rc;
}

int Main(int argc, char** argv) {
  TuneMalloc();
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
          // The built-in Alertmanager's inline section is checked too.
          auto c = config::LoadFile(file);
          if (c.ok() && c->alertmanager) {
            auto am = am::LoadConfigNode(*c->alertmanager, c->base_dir);
            if (!am.ok()) {
              std::fprintf(stderr, "  FAILED: %s\n", std::string(am.status().message()).c_str());
              rc = 1;
              continue;
            }
            *r += "\n  SUCCESS: the alertmanager section is valid";
          }
          std::printf("%s\n", r->c_str());
        } else {
          std::fprintf(stderr, "  FAILED: %s\n", std::string(r.status().message()).c_str());
          rc = 1;
        }
      }
      return rc;
    }
    case CommandLine::Kind::kCheckAmConfig:
      return RunCheckAmConfigCommand(*cl);
    case CommandLine::Kind::kCheckRules:
      return RunCheckRulesCommand(*cl);
    case CommandLine::Kind::kTestRules:
      return RunTestRulesCommand(*cl);
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
