// Fuzzes the mongodb prober's decoders (OP_MSG framing and BSON): any input
// decodes or fails with a status, within the buffer and the nesting bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probe/mongo_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view wire(reinterpret_cast<const char*>(data), size);
  auto msg = pharos::probe::DecodeOpMsg(wire);
  if (msg.ok() && !pharos::probe::ParseBson(msg->body).ok()) __builtin_trap();  // decoded bodies are valid
  (void)pharos::probe::ParseBson(wire);
  return 0;
}
