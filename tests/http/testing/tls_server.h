// A tiny HTTPS server on 127.0.0.1 for client TLS tests: one thread, one
// request per connection, answering "tls-ok client=<CN or none>".
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "http/testing/test_certs.h"

namespace pharos::http::testing {

class TlsServer {
 public:
  // With `require_client_cert`, handshakes without a certificate signed by
  // the test CA fail.
  TlsServer(const TestCerts& certs, bool require_client_cert);
  ~TlsServer();
  uint16_t port() const { return port_; }
  int handshakes_failed() const { return failed_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::atomic<int> failed_{0};
  std::thread thread_;
};

}  // namespace pharos::http::testing
