// SmtpClient: the SMTP conversation of 0.25's e-mail notifier (Go's
// net/smtp) over a TCP socket: greeting, EHLO (HELO fallback), STARTTLS or
// implicit TLS (OpenSSL), AUTH PLAIN/LOGIN/CRAM-MD5, MAIL/RCPT/DATA, QUIT.
//
// Every read and write is bounded by the session deadline given to Dial, so
// a server that stops answering yields DeadlineExceeded. A reply with an
// unexpected code is an error whose message is the reply ("535 5.7.8
// Authentication failed"), like Go's textproto.Error. Replies are bounded
// (line length and line count).
//
// Threading: one session, one thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "config/http_client_config.h"

namespace pharos::am::notifiers {

struct SmtpAuth {
  enum class Mech { kNone, kPlain, kLogin, kCramMd5 };
  Mech mech = Mech::kNone;
  std::string identity, username, password, secret;
};

class SmtpClient {
 public:
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  // Connects to host:port (implicit TLS when `implicit_tls`, as 0.25 does
  // for port 465) and reads the 220 greeting.
  static absl::StatusOr<std::unique_ptr<SmtpClient>> Dial(const std::string& host, const std::string& port,
                                                          bool implicit_tls, const config::TlsConfig& tls,
                                                          absl::Time deadline);

  // EHLO `name` (HELO when EHLO is refused); learns the extensions. Called
  // implicitly with "localhost" by the first command that needs it.
  absl::Status Hello(std::string_view name);
  // Whether the server advertised `ext` (upper case), and its parameters.
  bool Extension(std::string_view ext, std::string* params = nullptr);
  absl::Status StartTls(const config::TlsConfig& tls);
  absl::Status Auth(const SmtpAuth& auth);
  absl::Status Mail(std::string_view from);
  absl::Status Rcpt(std::string_view to);
  // DATA, the message (dot-stuffed, CRLF line ends expected), ".".
  absl::Status Data(std::string_view message);
  absl::Status Quit();

  bool tls() const;
  const std::string& host() const { return host_; }

 private:
  class Conn;
  SmtpClient() = default;

  // Sends `line` (without CRLF) and reads a reply whose code starts with
  // `expect` (e.g. 25 accepts 250-259, 0 accepts any). *code and *msg get
  // the reply; the status is the reply as text when it does not match.
  absl::Status Cmd(int expect, std::string_view line, int* code = nullptr, std::string* msg = nullptr);
  absl::Status ReadReply(int expect, int* code, std::string* msg);
  absl::Status EnsureHello();
  absl::Status Ehlo();

  std::unique_ptr<Conn> conn_;
  std::string host_;
  std::string local_name_ = "localhost";
  bool did_hello_ = false;
  std::map<std::string, std::string> ext_;
  absl::Time deadline_;
};

}  // namespace pharos::am::notifiers
