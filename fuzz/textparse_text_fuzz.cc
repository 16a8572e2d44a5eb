// libFuzzer target: the Prometheus text format parser (scrape/textparse).
#include "textparse_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pharos::scrape::textparse::fuzzing::ParseEverything(
      pharos::scrape::textparse::Format::kPrometheusText, data, size);
  pharos::scrape::textparse::fuzzing::KnownSeriesAgree(
      pharos::scrape::textparse::Format::kPrometheusText, data, size);
  return 0;
}
