// Listen addresses in Go's "host:port" form, as Prometheus'
// --web.listen-address takes them: ":9090" (every interface),
// "127.0.0.1:9090", "localhost:0", "[::1]:9090".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace pharos::http {

struct ListenAddress {
  std::string host;  // "" means every interface; IPv6 without brackets
  uint16_t port = 0;  // 0 lets the system pick a free port
};

// Fails with InvalidArgument saying what is wrong ("missing port in address
// \"localhost\"", "invalid port \"x\"").
absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view addr);

// "host:port", bracketing IPv6 hosts (Go's net.JoinHostPort).
std::string JoinHostPort(std::string_view host, uint16_t port);

}  // namespace pharos::http
