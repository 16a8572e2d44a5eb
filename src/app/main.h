// Entry point of the pharos binary: parses the command line (server flags
// or a subcommand such as `check config`) and runs it.
#pragma once

namespace pharos::app {

int Main(int argc, char** argv);

}  // namespace pharos::app
