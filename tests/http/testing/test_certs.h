// Generates a throw-away certificate authority, a server certificate and a
// client certificate (EC P-256) as PEM files in a temporary directory, for
// TLS tests on 127.0.0.1.
#pragma once

#include <string>

namespace pharos::http::testing {

struct TestCerts {
  std::string dir;
  std::string ca_cert;      // CA certificate
  std::string server_cert;  // for DNS name "pharos.test" only (no IP)
  std::string server_key;
  std::string client_cert;  // CN "scraper", signed by the CA
  std::string client_key;
};

// Writes the files under a fresh directory; aborts on failure.
TestCerts MakeTestCerts();

}  // namespace pharos::http::testing
