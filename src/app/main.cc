#include "app/main.h"

#include <cstdio>
#include <cstring>

namespace pharos::app {

int Main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("pharos, version 0.1.0\n");
    return 0;
  }
  std::fprintf(stderr, "pharos: the server is not wired yet\n");
  return 1;
}

}  // namespace pharos::app
