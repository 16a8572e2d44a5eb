// A small, bounded DNS message codec (RFC 1035) for the dns prober: builds
// one query and parses a response. Names are decompressed with a bounded
// number of pointer hops; every length is checked against the message.
// Records are also rendered as text the way blackbox_exporter's regexes see
// them ("name.\tTTL\tIN\tA\t192.0.2.1").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace pharos::probe {

struct DnsRecord {
  std::string name;  // fully qualified, with the final dot
  uint16_t type = 0;
  uint16_t klass = 0;
  uint32_t ttl = 0;
  std::string rdata_text;  // presentation form of the data
  uint32_t soa_serial = 0;  // for SOA records

  std::string ToString() const;
};

struct DnsMessage {
  uint16_t id = 0;
  bool response = false;
  bool truncated = false;
  int rcode = 0;
  std::vector<std::string> questions;  // names
  std::vector<DnsRecord> answer;
  std::vector<DnsRecord> authority;
  std::vector<DnsRecord> additional;
};

inline constexpr size_t kMaxDnsMessageBytes = 65535;

// Type and class numbers from their names ("AAAA", "IN"); 0 when unknown.
uint16_t DnsTypeCode(std::string_view name);
uint16_t DnsClassCode(std::string_view name);
std::string DnsTypeName(uint16_t type);
// "NOERROR", "NXDOMAIN", … for rcodes 0-10; "RCODE<n>" otherwise.
std::string DnsRcodeName(int rcode);

absl::StatusOr<std::string> BuildDnsQuery(uint16_t id, std::string_view name, uint16_t type, uint16_t klass,
                                          bool recursion_desired);

// Parses a whole message; InvalidArgument with the byte offset on any
// malformation.
absl::StatusOr<DnsMessage> ParseDnsMessage(std::string_view wire);

}  // namespace pharos::probe
