#include "http/request_id.h"

#include <random>

namespace pharos::http {

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t v = rng();
    for (int i = 0; i < 16; ++i) id[half * 16 + i] = kHex[(v >> (i * 4)) & 15];
  }
  return id;
}

std::string RequestIdFor(std::string_view client_value) {
  bool ok = !client_value.empty() && client_value.size() <= 128;
  for (char c : client_value) {
    if (c <= ' ' || c > '~' || c == '"' || c == '\\') ok = false;
  }
  return ok ? std::string(client_value) : NewRequestId();
}

}  // namespace pharos::http
