// SmtpTestServer: an SMTP server on 127.0.0.1 for the e-mail notifier tests.
// It can offer STARTTLS (or speak TLS from the start), AUTH PLAIN / LOGIN /
// CRAM-MD5 against one account, refuse a command with a chosen reply, or
// never greet (a hanging server). It records each session's commands and
// the message (dot-stuffing undone).
//
// MakeTestCert writes a throw-away self-signed certificate for IP 127.0.0.1
// with the openssl tool.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace pharos::am::testing {

struct TestCert {
  std::string dir, cert_file, key_file;
};
// Aborts when the openssl tool fails.
TestCert MakeTestCert();

struct SmtpServerOptions {
  uint16_t port = 0;          // 0: an ephemeral port
  bool starttls = false;      // advertise and accept STARTTLS
  bool implicit_tls = false;  // TLS from the first byte
  std::string cert_file, key_file;
  std::string auth_mechs;     // e.g. "PLAIN LOGIN CRAM-MD5"; empty: no AUTH
  std::string username = "user", password = "pw", secret = "cram-secret";
  std::string fail_command;   // "MAIL", "RCPT", "DATA", "AUTH", "EHLO": answer fail_reply
  std::string fail_reply = "550 5.1.1 mailbox unavailable";
  bool never_greet = false;   // accept, then say nothing
  bool garbage_greeting = false;
};

struct SmtpSession {
  std::vector<std::string> commands;  // as received (AUTH data included)
  std::string message;                // the DATA, CRLF line ends, unstuffed
  bool tls = false;
  bool authenticated = false;
  std::string auth_mech;
};

class SmtpTestServer {
 public:
  explicit SmtpTestServer(SmtpServerOptions options);
  ~SmtpTestServer();
  SmtpTestServer(const SmtpTestServer&) = delete;
  SmtpTestServer& operator=(const SmtpTestServer&) = delete;

  uint16_t port() const { return port_; }  // 0 when the port could not be bound
  std::string Address() const;  // 127.0.0.1:PORT
  std::vector<SmtpSession> sessions();

 private:
  class Conn;
  void AcceptLoop();
  void Serve(int fd);

  SmtpServerOptions options_;
  void* ctx_ = nullptr;  // SSL_CTX*
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  absl::Mutex mu_;
  std::vector<SmtpSession> sessions_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pharos::am::testing
