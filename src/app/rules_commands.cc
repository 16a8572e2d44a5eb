#include "app/rules_commands.h"

#include <iostream>

#include "rules/unit_test.h"

namespace pharos::app {

int RunCheckRulesCommand(const CommandLine& cl) {
  return rules::CheckRuleFiles(cl.args, cl.lint_fatal, cl.lint != "none", std::cout, std::cerr);
}

int RunTestRulesCommand(const CommandLine& cl) { return rules::RunRuleUnitTests(cl.args, std::cout, std::cerr); }

}  // namespace pharos::app
