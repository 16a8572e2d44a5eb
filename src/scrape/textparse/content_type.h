// Choosing the exposition parser from a scrape response, and the Accept
// header a scrape sends, as Prometheus 2.53 does both.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "scrape/textparse/entry.h"

namespace pharos::scrape::textparse {

// The Accept header of a Prometheus 2.53 scrape with the default
// scrape_protocols (OpenMetricsText1.0.0, OpenMetricsText0.0.1,
// PrometheusText0.0.4).
inline constexpr std::string_view kScrapeAcceptHeader =
    "application/openmetrics-text;version=1.0.0;q=0.5,"
    "application/openmetrics-text;version=0.0.1;q=0.4,"
    "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

// The format of a response body by its Content-Type: the media type
// application/openmetrics-text (any parameters, any case) is OpenMetrics;
// everything else, including text/plain, an empty or unparsable header and
// unknown types, is the Prometheus text format, as in Prometheus 2.53.
Format FormatForContentType(std::string_view content_type);

// The protocols of the scrape_protocols setting.
enum class ScrapeProtocol {
  kPrometheusProto,       // "PrometheusProto"
  kOpenMetricsText1_0_0,  // "OpenMetricsText1.0.0"
  kOpenMetricsText0_0_1,  // "OpenMetricsText0.0.1"
  kPrometheusText0_0_4,   // "PrometheusText0.0.4"
};

// By its configuration name; nullopt for an unknown name.
std::optional<ScrapeProtocol> ParseScrapeProtocol(std::string_view name);

// The Accept header for protocols in order of preference, weighted as
// Prometheus weighs them (q=0.5 for the first, then 0.4, ...; "*/*" last).
// AcceptHeader of the default list equals kScrapeAcceptHeader.
std::string AcceptHeader(std::span<const ScrapeProtocol> protocols);

}  // namespace pharos::scrape::textparse
