// Fuzzes the rule file parser (rulefmt, with expression and template
// checks) and the unit-test series notation: any input must parse or fail
// with a status, never crash, hang or exhaust memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/rule_file.h"
#include "rules/unit_test.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto f = pharos::rules::ParseRuleFile(text, "fuzz.yml");
  if (f.ok()) (void)pharos::rules::FindDuplicateRules(*f);
  if (size < 4096) (void)pharos::rules::ExpandSeriesValues(text, 60000);
  return 0;
}
