#include "http/listen_address.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace pharos::http {

absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view addr) {
  ListenAddress out;
  std::string_view port;
  if (!addr.empty() && addr.front() == '[') {
    size_t close = addr.find(']');
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("missing ']' in address \"", AV(addr), "\""));
    }
    out.host = std::string(addr.substr(1, close - 1));
    std::string_view rest = addr.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return absl::InvalidArgumentError(absl::StrCat("missing port in address \"", AV(addr), "\""));
    }
    port = rest.substr(1);
  } else {
    size_t colon = addr.rfind(':');
    if (colon == std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("missing port in address \"", AV(addr), "\""));
    }
    out.host = std::string(addr.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("too many colons in address \"", AV(addr), "\""));
    }
    port = addr.substr(colon + 1);
  }
  unsigned value = 0;
  auto r = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || value > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port \"", AV(port), "\" in address \"", AV(addr), "\""));
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

std::string JoinHostPort(std::string_view host, uint16_t port) {
  if (host.find(':') != std::string_view::npos) return absl::StrCat("[", AV(host), "]:", port);
  return absl::StrCat(AV(host), ":", port);
}

}  // namespace pharos::http
