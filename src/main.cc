// The pharos binary: everything is wired in app/.
#include "app/main.h"

int main(int argc, char** argv) { return pharos::app::Main(argc, argv); }
