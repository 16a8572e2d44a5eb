// Strict reading of YAML mappings into structs: every key must be known to the
// struct being filled, appear once, and hold a value of the right type; the
// first problem in document order is reported with its position.
//
//   RETURN_IF_ERROR(ReadMap(node, "scrape_config", {
//       {"job_name", Into(&c.job_name)},
//       {"honor_labels", Into(&c.honor_labels)},
//       {"relabel_configs", [&](const YamlNode& v) { return ...; }},
//   }));
//
// Unknown keys fail as "FILE:L:C: field foo not found in type scrape_config",
// unless a fallback handles them (used for the *_sd_configs families).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "config/yaml_node.h"
#include "config/yaml_scalar.h"

namespace pharos::config {

using YamlReadFn = std::function<absl::Status(const YamlNode& value)>;

struct YamlField {
  std::string_view key;
  YamlReadFn read;
};

// Called for a key that is not in the field list: OK when it took the key,
// an error to stop (e.g. a known but refused key), or absl::NotFoundError to
// fall through to the generic "field not found" error.
using YamlUnknownFn = std::function<absl::Status(const YamlEntry& entry)>;

// A null node is an empty mapping. A scalar or sequence is a type error
// naming `type_name`.
absl::Status ReadMap(const YamlNode& node, std::string_view type_name,
                     std::initializer_list<YamlField> fields, const YamlUnknownFn& unknown = nullptr);

// The generic error for a key that no struct field takes.
absl::Status UnknownField(const YamlEntry& entry, std::string_view type_name);

// Readers that store a scalar into a field.
YamlReadFn Into(std::string* out);
YamlReadFn Into(bool* out);
YamlReadFn Into(uint64_t* out);
YamlReadFn Into(int64_t* out);
YamlReadFn Into(double* out);
YamlReadFn Into(std::vector<std::string>* out);
YamlReadFn Into(std::vector<std::pair<std::string, std::string>>* out);
YamlReadFn IntoDuration(int64_t* out_ms);
YamlReadFn IntoByteSize(int64_t* out_bytes);

// A reader that stores what `parse(value)` (returning StatusOr<T>) yields.
template <typename T, typename Parse>
YamlReadFn IntoParsed(T* out, Parse parse) {
  return [out, parse](const YamlNode& v) -> absl::Status {
    auto r = parse(v);
    if (!r.ok()) return r.status();
    *out = std::move(*r);
    return absl::OkStatus();
  };
}

}  // namespace pharos::config
