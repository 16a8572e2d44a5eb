// The relabeling engine: applies relabel rules (config/relabel_config.h) to a
// label set exactly as Prometheus 2.53 does, for target relabeling,
// metric_relabel_configs (per scraped series) and alert relabeling.
//
// Cost: regexes are compiled once, at config load. Until a rule changes
// something the input is only read; the scratch builder is filled on the
// first change, and a reused builder keeps its capacity, so steady-state
// calls allocate nothing. Thread-safe: rules are immutable and the
// per-thread scratch buffers are thread_local.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/labels.h"
#include "config/relabel_config.h"

namespace pharos::relabel {

enum class Outcome {
  kUnchanged,  // kept; `in` is the result, the scratch builder was not touched
  kChanged,    // kept; the scratch builder holds the result
  kDropped,    // a keep/drop/keepequal/dropequal rule dropped it
};

// Applies `rules` in order to `in`, using `scratch` only once a rule changes
// the labels.
Outcome Apply(const Labels& in, std::span<const config::RelabelConfig> rules, LabelsBuilder* scratch);

// Applies `rules` to `in`; on true (kept) `out` holds the resulting labels.
// On false the label set was dropped and `out` is unspecified.
bool Process(const Labels& in, std::span<const config::RelabelConfig> rules, LabelsBuilder* out);

// Applies `rules` to the labels already in `lb` (target relabeling builds
// them there). Returns false when dropped.
bool ProcessBuilder(std::span<const config::RelabelConfig> rules, LabelsBuilder* lb);

// Go's regexp.Expand: appends `tmpl` to `out` with $1, ${1}, $name, ${name}
// replaced by the groups of a match (groups[0] the whole match, an unset group
// as ""), "$$" as "$", and a malformed reference kept as a literal "$".
void ExpandTemplate(std::string_view tmpl, const config::RelabelRegex& re, const std::string_view* groups,
                    int num_groups, std::string* out);

// Prometheus' hashmod: the MD5 of `s`, its last 8 bytes read big-endian,
// modulo `modulus` (> 0).
uint64_t HashMod(std::string_view s, uint64_t modulus);

// Go's strings.ToLower / strings.ToUpper, Unicode-aware; invalid UTF-8 bytes
// become U+FFFD as in Go. Appends to `out`.
void AppendLower(std::string_view s, std::string* out);
void AppendUpper(std::string_view s, std::string* out);

}  // namespace pharos::relabel
