#include "common/host_port.h"

namespace pharos {

bool SplitHostPort(std::string_view hp, std::string_view* host, std::string_view* port) {
  size_t i = hp.rfind(':');
  if (i == std::string_view::npos) return false;
  size_t j = 0, k = 0;
  if (!hp.empty() && hp[0] == '[') {
    size_t end = hp.find(']');
    if (end == std::string_view::npos) return false;
    if (end + 1 == hp.size()) return false;
    if (end + 1 != i) return false;
    *host = hp.substr(1, end - 1);
    j = 1;
    k = end + 1;
  } else {
    *host = hp.substr(0, i);
    if (host->find(':') != std::string_view::npos) return false;
  }
  if (hp.substr(j).find('[') != std::string_view::npos) return false;
  if (hp.substr(k).find(']') != std::string_view::npos) return false;
  *port = hp.substr(i + 1);
  return true;
}

}  // namespace pharos
