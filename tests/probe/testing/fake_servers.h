// Fake and real servers shared by the probe tests, all on 127.0.0.1.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "probe/testing/process.h"

namespace pharos::probe::testing {

// A DNS answer to `query` (a whole query message): its id and question,
// `rcode`, and with_records: an A record 192.0.2.7 and a CNAME www.<name>,
// both with names compressed to the question.
std::string DnsAnswer(const std::string& query, int rcode, bool with_records);

// A UDP DNS server answering every query with DnsAnswer (after a stray
// answer with another id, which clients must ignore); `silent` never answers.
class FakeDns {
 public:
  explicit FakeDns(int rcode, bool silent = false);
  ~FakeDns();
  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Writes a self-signed certificate (CN and DNS name probe.test, IP
// 127.0.0.1, EC P-256) valid for `days` as dir/cert.pem and dir/key.pem.
bool MakeSelfSignedCert(const std::string& dir, int days);

// A self-signed certificate (CN and DNS name probe.test, IP 127.0.0.1) valid
// for `days`, served by openssl s_server -www. ok() is false when openssl is
// missing.
class TlsServer {
 public:
  explicit TlsServer(int days);
  bool ok() const { return ok_; }
  uint16_t port() const { return port_; }
  const std::string& cert() const { return cert_; }

 private:
  bool ok_ = false;
  std::string dir_, cert_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> proc_;
};

}  // namespace pharos::probe::testing
