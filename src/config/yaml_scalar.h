// Typed reads of YAML scalars with the semantics of the Go YAML decoder that
// Prometheus uses (YAML 1.1 booleans, decimal integers, Prometheus durations,
// Base-2 byte sizes). A null node reads as the zero value, as in Go. Errors
// carry the node's position ("FILE:LINE:COL: cannot unmarshal !!str `x` into
// bool").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "config/yaml_node.h"

namespace pharos::config {

// The YAML 1.1 kind an unquoted scalar resolves to: "!!null", "!!bool",
// "!!int", "!!float" or "!!str".
std::string_view ResolvePlainKind(std::string_view s);

absl::StatusOr<std::string> ReadString(const YamlNode& n);
absl::StatusOr<bool> ReadBool(const YamlNode& n);
absl::StatusOr<uint64_t> ReadUint(const YamlNode& n);
absl::StatusOr<int64_t> ReadInt(const YamlNode& n);
absl::StatusOr<double> ReadFloat(const YamlNode& n);
// Prometheus duration ("1m30s"); null is 0.
absl::StatusOr<int64_t> ReadDurationMs(const YamlNode& n);
// Byte size as alecthomas/units Base2Bytes ("512MB", "1GiB", "0"); null is 0.
absl::StatusOr<int64_t> ReadByteSize(const YamlNode& n);
// A list of strings; null is empty.
absl::StatusOr<std::vector<std::string>> ReadStringList(const YamlNode& n);
// A mapping of string to string in document order, keys unique; null is empty.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadStringMap(const YamlNode& n);

// Byte sizes in alecthomas/units' notation, which Prometheus uses for
// body_size_limit: a sequence of <number><unit> with units B, KB/KiB, MB/MiB,
// GB/GiB, TB/TiB, PB/PiB, EB/EiB, all powers of 1024; "0" alone is zero.
absl::StatusOr<int64_t> ParseByteSize(std::string_view s);
// The canonical form Prometheus prints: "100MiB", "1KiB512B", "0B".
std::string FormatByteSize(int64_t bytes);

}  // namespace pharos::config
