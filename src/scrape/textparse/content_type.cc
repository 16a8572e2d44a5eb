#include "scrape/textparse/content_type.h"

#include <array>
#include <cctype>

namespace pharos::scrape::textparse {
namespace {

struct ProtocolInfo {
  ScrapeProtocol protocol;
  std::string_view name;
  std::string_view media_type;
};

constexpr std::array<ProtocolInfo, 4> kProtocols = {{
    {ScrapeProtocol::kPrometheusProto, "PrometheusProto",
     "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"},
    {ScrapeProtocol::kOpenMetricsText1_0_0, "OpenMetricsText1.0.0",
     "application/openmetrics-text;version=1.0.0"},
    {ScrapeProtocol::kOpenMetricsText0_0_1, "OpenMetricsText0.0.1",
     "application/openmetrics-text;version=0.0.1"},
    {ScrapeProtocol::kPrometheusText0_0_4, "PrometheusText0.0.4", "text/plain;version=0.0.4"},
}};

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

}  // namespace

Format FormatForContentType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && IsSpace(media.front())) media.remove_prefix(1);
  while (!media.empty() && IsSpace(media.back())) media.remove_suffix(1);
  constexpr std::string_view kOpenMetrics = "application/openmetrics-text";
  if (media.size() != kOpenMetrics.size()) return Format::kPrometheusText;
  for (size_t i = 0; i < media.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != kOpenMetrics[i]) {
      return Format::kPrometheusText;
    }
  }
  return Format::kOpenMetrics;
}

std::optional<ScrapeProtocol> ParseScrapeProtocol(std::string_view name) {
  for (const auto& p : kProtocols) {
    if (p.name == name) return p.protocol;
  }
  return std::nullopt;
}

std::string AcceptHeader(std::span<const ScrapeProtocol> protocols) {
  // Prometheus starts at q=0.(number of known protocols + 1) and counts down.
  int weight = static_cast<int>(kProtocols.size()) + 1;
  std::string out;
  for (ScrapeProtocol sp : protocols) {
    for (const auto& p : kProtocols) {
      if (p.protocol != sp) continue;
      out.append(p.media_type);
      out.append(";q=0.");
      out.append(std::to_string(weight));
      out.push_back(',');
    }
    --weight;
  }
  out.append("*/*;q=0.");
  out.append(std::to_string(weight));
  return out;
}

}  // namespace pharos::scrape::textparse
