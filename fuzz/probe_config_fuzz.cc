// Fuzzes probe module files and the libpq DSN checks: any input must load
// or fail with a status, never crash, hang or exhaust memory. Loaded modules
// are described (the debug output) and DSNs that validate are redacted.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/probe_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto mods = pharos::config::LoadProbeModulesString(text, "fuzz.yml");
  if (mods.ok()) {
    for (const auto& [name, m] : mods->modules) {
      std::string d = pharos::config::DescribeModule(m);
      if (!m.postgres.password.password.empty() && m.postgres.password.password.size() > 8 &&
          d.find(m.postgres.password.password) != std::string::npos) {
        __builtin_trap();  // a secret leaked into the description
      }
      (void)m.Unsupported();
    }
  }
  auto cfg = pharos::config::LoadString(text, "fuzz.yml");
  if (cfg.ok()) (void)pharos::config::CheckProbeTargets(cfg->probes, mods.ok() ? *mods : pharos::config::ProbeModules{});
  if (pharos::config::ValidatePostgresDsn(text).ok()) (void)pharos::config::RedactDsn(text);
  return 0;
}
