// Fuzzes the decoding of Alertmanager API v2 bodies (postable alerts and
// postable silences): any input is either decoded or refused with a
// message and an HTTP status of 400 or 422, never a crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "api/alertmanager_codec.h"

using namespace pharos;  // NOLINT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 20) return 0;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<am::Alert> alerts;
  if (auto err = api::internal::DecodePostableAlerts(body, &alerts)) {
    if ((err->http_status != 400 && err->http_status != 422) || err->message.empty()) std::abort();
  } else {
    if (alerts.size() > 10000) std::abort();
    for (const auto& a : alerts) (void)a.fingerprint();
  }
  am::Silence s;
  if (auto err = api::internal::DecodePostableSilence(body, &s)) {
    if ((err->http_status != 400 && err->http_status != 422) || err->message.empty()) std::abort();
  } else if (s.matchers.empty()) {
    std::abort();  // a silence without matchers must be refused
  }
  return 0;
}
