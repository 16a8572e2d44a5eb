// Go's net.SplitHostPort, which Prometheus uses for addresses (relabeling's
// default port, the template functions stripPort and stripDomain).
#pragma once

#include <string_view>

namespace pharos {

// Splits "host:port", "[v6]:port" or ":port". False when there is no port or
// the brackets are malformed, as Go refuses them. The views point into
// `hostport`.
bool SplitHostPort(std::string_view hostport, std::string_view* host, std::string_view* port);

}  // namespace pharos
