// libFuzzer target: the OpenMetrics text parser (scrape/textparse).
#include "textparse_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pharos::scrape::textparse::fuzzing::ParseEverything(
      pharos::scrape::textparse::Format::kOpenMetrics, data, size);
  return 0;
}
