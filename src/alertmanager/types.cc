#include "alertmanager/types.h"

#include "absl/strings/str_format.h"
#include "common/go_quote.h"

namespace pharos::am {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t FnvAdd(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

uint64_t FnvAddByte(uint64_t h, unsigned char c) {
  h ^= c;
  return h * kFnvPrime;
}

}  // namespace

uint64_t Fingerprint(const LabelSet& labels) {
  if (labels.empty()) return kFnvOffset;
  uint64_t h = kFnvOffset;
  for (const auto& [name, value] : labels) {
    h = FnvAdd(h, name);
    h = FnvAddByte(h, 0xff);
    h = FnvAdd(h, value);
    h = FnvAddByte(h, 0xff);
  }
  return h;
}

std::string FingerprintHex(uint64_t fp) { return absl::StrFormat("%016x", fp); }

std::string LabelSetString(const LabelSet& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ", ";
    first = false;
    out += name;
    out += '=';
    out += GoQuote(value);
  }
  out += '}';
  return out;
}

std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kUnprocessed:
      return "unprocessed";
    case AlertState::kActive:
      return "active";
    case AlertState::kSuppressed:
      return "suppressed";
  }
  return "unprocessed";
}

}  // namespace pharos::am
