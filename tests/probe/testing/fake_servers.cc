#include "probe/testing/fake_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace pharos::probe::testing {

std::string DnsAnswer(const std::string& query, int rcode, bool with_records) {
  std::string out = query.substr(0, 2);
  out += static_cast<char>(0x81);
  out += static_cast<char>(0x80 | rcode);
  out += std::string("\0\1", 2);
  out += std::string("\0", 1) + static_cast<char>(with_records ? 2 : 0);
  out += std::string("\0\0\0\0", 4);
  out += query.substr(12);  // the question
  if (with_records) {
    // A 192.0.2.7 and a CNAME, names compressed to the question (offset 12).
    out += std::string("\xc0\x0c\0\1\0\1\0\0\x0e\x10\0\4\xc0\0\2\7", 16);
    out += std::string("\xc0\x0c\0\5\0\1\0\0\0\x3c\0\6", 12);
    out += std::string("\3www\xc0\x0c", 6);
  }
  return out;
}

FakeDns::FakeDns(int rcode, bool silent) {
  fd_ = socket(AF_INET, SOCK_DGRAM, 0);
  port_ = BindLoopback(fd_);
  thread_ = std::thread([this, rcode, silent] {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[512];
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n <= 12 || silent) continue;
      std::string q(buf, n);
      // A stray answer with another id first: it must be ignored.
      std::string stray = DnsAnswer(q, 2, false);
      stray[0] ^= 0x55;
      sendto(fd_, stray.data(), stray.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
      std::string a = DnsAnswer(q, rcode, rcode == 0);
      sendto(fd_, a.data(), a.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
  });
}

FakeDns::~FakeDns() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

bool MakeSelfSignedCert(const std::string& dir, int days) {
  return Run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
              dir + "/key.pem", "-out", dir + "/cert.pem", "-days", std::to_string(days), "-subj", "/CN=probe.test",
              "-addext", "subjectAltName=DNS:probe.test,IP:127.0.0.1"}) == 0;
}

TlsServer::TlsServer(int days) {
  dir_ = MakeTempDir("tls");
  cert_ = dir_ + "/cert.pem";
  std::string key = dir_ + "/key.pem";
  ok_ = MakeSelfSignedCert(dir_, days);
  port_ = FreePort();
  if (ok_) {
    proc_ = std::make_unique<Process>(std::vector<std::string>{"openssl", "s_server", "-quiet", "-accept",
                                                               absl::StrCat("127.0.0.1:", port_), "-cert", cert_,
                                                               "-key", key, "-www"});
    ok_ = WaitForPort(port_, 10'000);
  }
}

}  // namespace pharos::probe::testing
