// Fuzzes the alertmanager.yml loader: any input must load or fail with a
// status, never crash, hang or exhaust memory (YamlDocument bounds size,
// depth and nodes). A config that loads must print (DumpConfig) to YAML that
// loads back and prints the same. Also feeds the input to the matcher-syntax
// parser, and asks every loaded time interval about a few instants.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "alertmanager/config.h"
#include "alertmanager/config_matchers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)pharos::am::ParseAmMatchers(text.substr(0, 4096));
  auto cfg = pharos::am::LoadConfig(text, "/nonexistent/fuzz.yml");
  if (!cfg.ok()) return 0;
  for (const auto& ti : cfg->time_intervals) {
    for (int64_t s : {int64_t{0}, int64_t{951782400}, int64_t{1798675200}}) (void)ti.Contains(absl::FromUnixSeconds(s));
  }
  std::string dumped = pharos::am::DumpConfig(*cfg);
  auto again = pharos::am::LoadConfig(dumped, "/nonexistent/dump.yml");
  if (!again.ok() || pharos::am::DumpConfig(*again) != dumped) __builtin_trap();
  return 0;
}
