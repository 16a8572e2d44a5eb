// Fuzzes the e-mail notifier's text handling: the address-list parser
// (the `to`/`from` settings) and the two encoders. Properties: the parser
// never crashes and returns only addresses that are substrings-free of
// line breaks; quoted-printable output keeps lines within 76 characters
// and is pure ASCII; Q-encoded headers are ASCII without line breaks.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "alertmanager/notifiers/mime.h"

using namespace pharos::am::notifiers;  // NOLINT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto addrs = ParseAddressList(in);
  if (addrs.ok()) {
    for (const std::string& a : *addrs) {
      if (a.find('\r') != std::string::npos || a.find('\n') != std::string::npos) std::abort();
    }
  }

  std::string qp = QuotedPrintable(in);
  size_t line = 0;
  for (size_t i = 0; i < qp.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(qp[i]);
    if (c >= 0x80) std::abort();
    if (c == '\n') {
      line = 0;
    } else if (c != '\r' && ++line > 76) {
      std::abort();
    }
  }

  std::string q = QEncodeHeader(in);
  bool plain = q == in;
  if (!plain) {
    for (unsigned char c : q) {
      if (c >= 0x80 || c == '\r' || c == '\n') std::abort();
    }
  }
  return 0;
}
