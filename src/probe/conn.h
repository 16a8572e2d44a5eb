// Connections for the probers: name resolution with blackbox_exporter's IP
// protocol preference, TCP connect, optional TLS (OpenSSL), and buffered
// reads and writes, each bounded by the probe's deadline.
//
// Threading: a Conn belongs to one probe (one thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "config/http_client_config.h"
#include "probe/result.h"

typedef struct x509_st X509;
typedef struct ssl_st SSL;

namespace pharos::probe {

struct Resolved {
  std::string ip;      // numeric
  int family = 0;      // AF_INET or AF_INET6
  double lookup_seconds = 0;
};

// Resolves `host` preferring "ip4" or "ip6"; with `fallback` the other
// family is used when the preferred one has no address. Sets
// probe_dns_lookup_time_seconds, probe_ip_protocol and probe_ip_addr_hash.
absl::StatusOr<Resolved> ResolveTarget(std::string_view host, std::string_view preferred, bool fallback,
                                       ProbeResult* result);

// "host:port" / "[v6]:port" split; the port is required.
absl::Status SplitHostPort(std::string_view target, std::string* host, uint16_t* port);

// What a TLS handshake showed about the peer.
struct TlsInfo {
  bool present = false;
  std::string version;  // "TLS 1.3"
  double earliest_expiry = 0;           // over the certificates the peer sent
  double last_chain_expiry = 0;         // over the verified chain (peer's when unverified)
  std::string fingerprint_sha256;       // of the leaf, hex
  std::string subject, issuer, subjectalternative;
};

// Fills TlsInfo from an established OpenSSL session.
TlsInfo TlsInfoFromSsl(SSL* ssl);
// Sets probe_ssl_earliest_cert_expiry, probe_ssl_last_chain_expiry_timestamp_seconds,
// probe_ssl_last_chain_info and probe_tls_version_info.
void ReportTls(const TlsInfo& t, ProbeResult* result);

class Conn {
 public:
  // Connects to ip:port before `deadline`.
  static absl::StatusOr<std::unique_ptr<Conn>> Dial(const Resolved& addr, uint16_t port, absl::Time deadline);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs a TLS client handshake on the connection (verifying the peer as
  // `tls` says; the name checked is tls.server_name or `host`).
  absl::Status StartTls(const config::TlsConfig& tls, std::string_view host, absl::Time deadline);
  const TlsInfo& tls_info() const { return tls_info_; }

  absl::Status Write(std::string_view data, absl::Time deadline);
  // A line without its "\n" (and "\r"); at most `max` bytes. EOF before a
  // newline returns what was read if non-empty, else OutOfRange.
  absl::StatusOr<std::string> ReadLine(absl::Time deadline, size_t max = 64 << 10);
  // Exactly n bytes.
  absl::StatusOr<std::string> ReadExact(size_t n, absl::Time deadline);

 private:
  explicit Conn(int fd) : fd_(fd) {}
  // Appends whatever arrives (at least one byte) to rbuf_; OutOfRange on EOF.
  absl::Status Fill(absl::Time deadline);
  absl::Status WaitFd(bool for_write, absl::Time deadline);

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  void* ctx_ = nullptr;  // SSL_CTX*
  std::string rbuf_;
  size_t rpos_ = 0;
  TlsInfo tls_info_;
};

// Splits `target` ("host:port"), resolves the host (IPv4 preferred) and
// connects. On failure records the reason in `result` ("Error connecting to
// <what>: ...") and returns null. `host` gets the host (for TLS server names);
// `dial_start` the time the connection attempt began (after resolving).
std::unique_ptr<Conn> DialTarget(std::string_view target, std::string_view what, absl::Time deadline,
                                 ProbeResult* result, std::string* host, absl::Time* dial_start);

}  // namespace pharos::probe
