#include "alertmanager/testing/smtp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/strings.h"

namespace pharos::am::testing {

TestCert MakeTestCert() {
  char tmpl[] = "/tmp/pharos-smtp-cert-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) std::abort();
  TestCert c{tmpl, absl::StrCat(tmpl, "/cert.pem"), absl::StrCat(tmpl, "/key.pem")};
  std::string cmd = absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout ",
      c.key_file, " -out ", c.cert_file, " >/dev/null 2>&1");
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "openssl req failed\n");
    std::abort();
  }
  return c;
}

// One client connection, plain or TLS.
class SmtpTestServer::Conn {
 public:
  Conn(int fd, std::atomic<bool>* stop) : fd_(fd), stop_(stop) {}
  ~Conn() {
    if (ssl_ != nullptr) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
    }
    close(fd_);
  }
  bool StartTls(SSL_CTX* ctx) {
    ssl_ = SSL_new(ctx);
    SSL_set_fd(ssl_, fd_);
    return SSL_accept(ssl_) == 1;
  }
  bool tls() const { return ssl_ != nullptr; }
  void Send(std::string_view s) {
    if (ssl_ != nullptr) {
      SSL_write(ssl_, s.data(), static_cast<int>(s.size()));
    } else {
      (void)send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
    }
  }
  // A line without CRLF; false on EOF, error, stop, or 10 s of silence.
  bool ReadLine(std::string* line) {
    absl::Time until = absl::Now() + absl::Seconds(10);
    while (true) {
      size_t nl = buf_.find("\r\n");
      if (nl != std::string::npos) {
        *line = buf_.substr(0, nl);
        buf_.erase(0, nl + 2);
        return true;
      }
      if (*stop_ || absl::Now() > until) return false;
      if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
        pollfd p = {fd_, POLLIN, 0};
        int r = poll(&p, 1, 50);
        if (r == 0) continue;
        if (r < 0) return false;
      }
      char tmp[4096];
      int n = ssl_ != nullptr ? SSL_read(ssl_, tmp, sizeof tmp) : static_cast<int>(recv(fd_, tmp, sizeof tmp, 0));
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  std::atomic<bool>* stop_;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

SmtpTestServer::SmtpTestServer(SmtpServerOptions options) : options_(std::move(options)) {
  if (!options_.cert_file.empty()) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(ctx, options_.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, options_.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      std::abort();
    }
    ctx_ = ctx;
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(options_.port);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 16) != 0) {
    if (options_.port == 0) std::abort();
    return;  // a fixed port in use or not allowed: port() stays 0
  }
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

SmtpTestServer::~SmtpTestServer() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  close(listen_fd_);
  std::vector<std::thread> workers;
  {
    absl::MutexLock l(&mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
  if (ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

std::string SmtpTestServer::Address() const { return absl::StrCat("127.0.0.1:", port_); }

std::vector<SmtpSession> SmtpTestServer::sessions() {
  absl::MutexLock l(&mu_);
  return sessions_;
}

void SmtpTestServer::AcceptLoop() {
  while (!stop_) {
    pollfd p = {listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    absl::MutexLock l(&mu_);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void SmtpTestServer::Serve(int fd) {
  Conn c(fd, &stop_);
  SmtpSession s;
  bool recorded = false;
  auto record = [&] {
    if (recorded) return;
    recorded = true;
    absl::MutexLock l(&mu_);
    sessions_.push_back(s);
  };
  SSL_CTX* ctx = static_cast<SSL_CTX*>(ctx_);
  if (options_.implicit_tls && !c.StartTls(ctx)) return record();
  s.tls = c.tls();
  if (options_.never_greet) {
    while (!stop_) absl::SleepFor(absl::Milliseconds(20));
    return record();
  }
  c.Send(options_.garbage_greeting ? "hello there\r\n" : "220 pharos-test ESMTP\r\n");
  std::string line;
  while (c.ReadLine(&line)) {
    s.commands.push_back(line);
    std::string verb = absl::AsciiStrToUpper(line.substr(0, line.find(' ')));
    if (!options_.fail_command.empty() && verb == options_.fail_command) {
      c.Send(options_.fail_reply + "\r\n");
      continue;
    }
    if (verb == "EHLO") {
      std::string r = "250-pharos-test\r\n";
      if (options_.starttls && !c.tls()) r += "250-STARTTLS\r\n";
      if (!options_.auth_mechs.empty()) absl::StrAppend(&r, "250-AUTH ", options_.auth_mechs, "\r\n");
      r += "250-8BITMIME\r\n250 SIZE 10000000\r\n";
      c.Send(r);
    } else if (verb == "HELO" || verb == "RSET" || verb == "NOOP" || verb == "MAIL" || verb == "RCPT") {
      c.Send("250 OK\r\n");
    } else if (verb == "STARTTLS") {
      c.Send("220 2.0.0 ready\r\n");
      if (!c.StartTls(ctx)) break;
      s.tls = true;
    } else if (verb == "AUTH") {
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      std::string mech = parts.size() > 1 ? parts[1] : "";
      s.auth_mech = mech;
      bool ok = false;
      std::string dec, l2;
      if (mech == "PLAIN" && parts.size() > 2 && absl::Base64Unescape(parts[2], &dec)) {
        std::vector<std::string> f = absl::StrSplit(dec, '\0');
        ok = f.size() == 3 && f[1] == options_.username && f[2] == options_.password;
      } else if (mech == "LOGIN") {
        std::string user, pass;
        c.Send("334 VXNlcm5hbWU6\r\n");
        if (!c.ReadLine(&l2)) break;
        s.commands.push_back(l2);
        absl::Base64Unescape(l2, &user);
        c.Send("334 UGFzc3dvcmQ6\r\n");
        if (!c.ReadLine(&l2)) break;
        s.commands.push_back(l2);
        absl::Base64Unescape(l2, &pass);
        ok = user == options_.username && pass == options_.password;
      } else if (mech == "CRAM-MD5") {
        std::string challenge = "<1896.697170952@pharos-test>";
        c.Send(absl::StrCat("334 ", absl::Base64Escape(challenge), "\r\n"));
        if (!c.ReadLine(&l2)) break;
        s.commands.push_back(l2);
        absl::Base64Unescape(l2, &dec);
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        HMAC(EVP_md5(), options_.secret.data(), static_cast<int>(options_.secret.size()),
             reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), mac, &len);
        ok = dec == absl::StrCat(options_.username, " ",
                                 absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(mac), len)));
      }
      s.authenticated = ok;
      c.Send(ok ? "235 2.7.0 Authentication successful\r\n" : "535 5.7.8 Authentication failed\r\n");
    } else if (verb == "*") {
      c.Send("501 5.0.0 cancelled\r\n");
    } else if (verb == "DATA") {
      c.Send("354 go ahead\r\n");
      std::string msg, cur;
      bool ended = false;
      while (c.ReadLine(&cur)) {
        if (cur == ".") {
          ended = true;
          break;
        }
        if (!cur.empty() && cur[0] == '.') cur.erase(0, 1);  // undo dot-stuffing
        absl::StrAppend(&msg, cur, "\r\n");
      }
      if (!ended) break;
      s.message = msg;
      c.Send("250 2.0.0 queued\r\n");
    } else if (verb == "QUIT") {
      record();  // before the answer, so a client that saw it finds the session
      c.Send("221 2.0.0 bye\r\n");
      break;
    } else {
      c.Send("502 5.5.2 unknown command\r\n");
    }
  }
  record();
}

}  // namespace pharos::am::testing
