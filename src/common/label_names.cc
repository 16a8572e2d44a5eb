#include "common/label_names.h"

namespace pharos {
namespace {

bool Valid(std::string_view n, bool colon) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool IsValidMetricName(std::string_view name) { return Valid(name, true); }
bool IsValidLabelName(std::string_view name) { return Valid(name, false); }

}  // namespace pharos
