// Fuzzes the config loader: any input must load or fail with a status,
// never crash, hang or exhaust memory; a config that loads must print
// (DumpYaml) to YAML that loads back to the same printout. Also feeds the
// input to the file_sd target-group parser, in both of its syntaxes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/file_sd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cfg = pharos::config::LoadString(text, "fuzz.yml");
  if (cfg.ok()) {
    std::string dumped = pharos::config::DumpYaml(*cfg);
    auto again = pharos::config::LoadString(dumped, "dump.yml");
    if (!again.ok() || pharos::config::DumpYaml(*again) != dumped) __builtin_trap();
  }
  (void)pharos::config::ParseTargetGroupFile(text, "fuzz.json");
  (void)pharos::config::ParseTargetGroupFile(text, "fuzz.yml");
  return 0;
}
