// Fuzzes the dns prober's response parser: any input parses or fails with a
// status, without crashing, looping on compression pointers or reading
// outside the message; parsed records render as text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probe/dns_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view wire(reinterpret_cast<const char*>(data), size);
  auto m = pharos::probe::ParseDnsMessage(wire);
  if (m.ok()) {
    for (const auto* section : {&m->answer, &m->authority, &m->additional}) {
      for (const auto& rec : *section) (void)rec.ToString();
    }
  }
  return 0;
}
