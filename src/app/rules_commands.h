// `pharos check rules FILE...` and `pharos test rules FILE...`: promtool's
// output and exit statuses (check: 0 ok, 1 errors, 3 lint findings with
// --lint-fatal; test: 0 all passed, 1 a failure).
#pragma once

#include "app/command_line.h"

namespace pharos::app {

int RunCheckRulesCommand(const CommandLine& cl);
int RunTestRulesCommand(const CommandLine& cl);

}  // namespace pharos::app
