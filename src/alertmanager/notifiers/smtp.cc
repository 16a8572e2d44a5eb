#include "alertmanager/notifiers/smtp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace pharos::am::notifiers {
namespace {

constexpr size_t kMaxReplyLine = 8192;
constexpr int kMaxReplyLines = 1000;

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

int RemainingMs(absl::Time deadline) {
  absl::Duration d = deadline - absl::Now();
  if (d <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d) + 1, 1 << 30));
}

bool IsIp(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

absl::Status AddPem(SSL_CTX* ctx, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return absl::InternalError("BIO_new_mem_buf failed");
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, cert);
    X509_free(cert);
    ++added;
  }
  ERR_clear_error();
  BIO_free(bio);
  if (added == 0) return absl::InvalidArgumentError("tls_config.ca: no certificate in PEM");
  return absl::OkStatus();
}

int ProtoVersion(const std::string& v) {
  if (v == "TLS10") return TLS1_VERSION;
  if (v == "TLS11") return TLS1_1_VERSION;
  if (v == "TLS12") return TLS1_2_VERSION;
  if (v == "TLS13") return TLS1_3_VERSION;
  return 0;
}

}  // namespace

// A TCP connection, plain or TLS, with deadline-bounded line reads.
class SmtpClient::Conn {
 public:
  Conn(int fd, absl::Time deadline) : fd_(fd), deadline_(deadline) {}
  ~Conn() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) close(fd_);
  }

  bool tls() const { return ssl_ != nullptr; }

  absl::Status StartTls(const std::string& host, const config::TlsConfig& tls) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (ctx_ == nullptr) return absl::InternalError(OpenSslError());
    int min = tls.min_version.empty() ? TLS1_2_VERSION : ProtoVersion(tls.min_version);
    int max = tls.max_version.empty() ? 0 : ProtoVersion(tls.max_version);
    SSL_CTX_set_min_proto_version(ctx_, min);
    if (max != 0) SSL_CTX_set_max_proto_version(ctx_, max);
    if (!tls.insecure_skip_verify) {
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      if (!tls.ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(ctx_, tls.ca_file.c_str(), nullptr) != 1) {
          return absl::InvalidArgumentError(absl::StrCat("tls_config.ca_file ", tls.ca_file, ": ", OpenSslError()));
        }
      } else if (!tls.ca.empty()) {
        auto s = AddPem(ctx_, tls.ca);
        if (!s.ok()) return s;
      } else {
        SSL_CTX_set_default_verify_paths(ctx_);
      }
    }
    if (!tls.cert_file.empty() &&
        (SSL_CTX_use_certificate_chain_file(ctx_, tls.cert_file.c_str()) != 1 ||
         SSL_CTX_use_PrivateKey_file(ctx_, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1)) {
      return absl::InvalidArgumentError(absl::StrCat("tls_config client certificate: ", OpenSslError()));
    }
    ssl_ = SSL_new(ctx_);
    if (ssl_ == nullptr) return absl::InternalError(OpenSslError());
    std::string name = tls.server_name.empty() ? host : tls.server_name;
    if (!tls.insecure_skip_verify) {
      if (IsIp(name)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), name.c_str());
      } else {
        SSL_set1_host(ssl_, name.c_str());
      }
    }
    if (!IsIp(name)) SSL_set_tlsext_host_name(ssl_, name.c_str());
    SSL_set_fd(ssl_, fd_);
    while (true) {
      ERR_clear_error();
      int r = SSL_connect(ssl_);
      if (r == 1) break;
      int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        auto s = Wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT);
        if (!s.ok()) return s;
        continue;
      }
      std::string why = OpenSslError();
      long v = SSL_get_verify_result(ssl_);
      if (v != X509_V_OK) why = absl::StrCat("certificate verify failed: ", X509_verify_cert_error_string(v));
      return absl::UnavailableError(absl::StrCat("TLS handshake: ", why));
    }
    rbuf_.clear();  // nothing read before the handshake may be trusted
    return absl::OkStatus();
  }

  absl::Status WriteAll(std::string_view data) {
    while (!data.empty()) {
      long n;
      if (ssl_ != nullptr) {
        ERR_clear_error();
        n = SSL_write(ssl_, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 20)));
        if (n <= 0) {
          int e = SSL_get_error(ssl_, static_cast<int>(n));
          if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            auto s = Wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT);
            if (!s.ok()) return s;
            continue;
          }
          return absl::UnavailableError(absl::StrCat("write: ", OpenSslError()));
        }
      } else {
        n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            auto s = Wait(POLLOUT);
            if (!s.ok()) return s;
            continue;
          }
          return absl::UnavailableError(absl::StrCat("write: ", std::strerror(errno)));
        }
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  // One line without its CRLF (or LF).
  absl::Status ReadLine(std::string* line) {
    while (true) {
      size_t nl = rbuf_.find('\n');
      if (nl != std::string::npos) {
        *line = rbuf_.substr(0, nl);
        rbuf_.erase(0, nl + 1);
        if (!line->empty() && line->back() == '\r') line->pop_back();
        return absl::OkStatus();
      }
      if (rbuf_.size() > kMaxReplyLine) return absl::ResourceExhaustedError("SMTP reply line too long");
      char buf[4096];
      long n;
      if (ssl_ != nullptr) {
        ERR_clear_error();
        n = SSL_read(ssl_, buf, sizeof buf);
        if (n <= 0) {
          int e = SSL_get_error(ssl_, static_cast<int>(n));
          if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            auto s = Wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT);
            if (!s.ok()) return s;
            continue;
          }
          if (e == SSL_ERROR_ZERO_RETURN) return absl::UnavailableError("connection closed by server");
          return absl::UnavailableError(absl::StrCat("read: ", OpenSslError()));
        }
      } else {
        n = recv(fd_, buf, sizeof buf, 0);
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            auto s = Wait(POLLIN);
            if (!s.ok()) return s;
            continue;
          }
          return absl::UnavailableError(absl::StrCat("read: ", std::strerror(errno)));
        }
        if (n == 0) return absl::UnavailableError("connection closed by server");
      }
      rbuf_.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  absl::Status Wait(short events) {
    while (true) {
      int ms = RemainingMs(deadline_);
      if (ms <= 0) return absl::DeadlineExceededError("SMTP server did not answer in time");
      struct pollfd p = {fd_, events, 0};
      int r = poll(&p, 1, ms);
      if (r > 0) return absl::OkStatus();
      if (r < 0 && errno != EINTR) return absl::UnavailableError(absl::StrCat("poll: ", std::strerror(errno)));
    }
  }

  int fd_;
  absl::Time deadline_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string rbuf_;
};

SmtpClient::~SmtpClient() = default;

bool SmtpClient::tls() const { return conn_ != nullptr && conn_->tls(); }

absl::StatusOr<std::unique_ptr<SmtpClient>> SmtpClient::Dial(const std::string& host, const std::string& port,
                                                             bool implicit_tls, const config::TlsConfig& tls,
                                                             absl::Time deadline) {
  struct addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo* res = nullptr;
  int gai = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (gai != 0) {
    return absl::UnavailableError(absl::StrCat("establish connection to server: lookup ", host, ": ", gai_strerror(gai)));
  }
  std::string last = "no address";
  int fd = -1;
  for (auto* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    int s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (s < 0) continue;
    if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0) {
      fd = s;
      break;
    }
    if (errno == EINPROGRESS) {
      struct pollfd p = {s, POLLOUT, 0};
      int r;
      do {
        r = poll(&p, 1, RemainingMs(deadline));
      } while (r < 0 && errno == EINTR);
      int err = 0;
      socklen_t len = sizeof err;
      if (r > 0 && getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        fd = s;
        break;
      }
      last = r == 0 ? "timed out" : std::strerror(err != 0 ? err : errno);
    } else {
      last = std::strerror(errno);
    }
    close(s);
  }
  freeaddrinfo(res);
  if (fd < 0) {
    std::string msg = absl::StrCat("establish connection to server: dial tcp ", host, ":", port, ": ", last);
    return last == "timed out" ? absl::DeadlineExceededError(msg) : absl::UnavailableError(msg);
  }
  std::unique_ptr<SmtpClient> c(new SmtpClient());
  c->conn_ = std::make_unique<Conn>(fd, deadline);
  c->host_ = host;
  c->deadline_ = deadline;
  if (implicit_tls) {
    auto s = c->conn_->StartTls(host, tls);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("establish TLS connection to server: ", s.message()));
  }
  int code;
  std::string msg;
  auto s = c->ReadReply(220, &code, &msg);
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat("create SMTP client: ", s.message()));
  return c;
}

absl::Status SmtpClient::ReadReply(int expect, int* code, std::string* msg) {
  msg->clear();
  *code = 0;
  for (int n = 0;; ++n) {
    if (n >= kMaxReplyLines) return absl::ResourceExhaustedError("SMTP reply has too many lines");
    std::string line;
    if (auto s = conn_->ReadLine(&line); !s.ok()) return s;
    int c = 0;
    // Go's textproto: "NNN text" ends a reply, "NNN-text" continues it;
    // anything shorter than four characters is a protocol error.
    if (line.size() < 4 || !absl::SimpleAtoi(AV(std::string_view(line).substr(0, 3)), &c) || c < 100 ||
        (line[3] != ' ' && line[3] != '-')) {
      return absl::UnavailableError(absl::StrCat("short or malformed SMTP response: ", line.substr(0, 80)));
    }
    if (*code != 0 && c != *code) {
      return absl::UnavailableError(absl::StrCat("SMTP response code changed within a reply: ", line.substr(0, 80)));
    }
    *code = c;
    if (n > 0) msg->push_back('\n');
    msg->append(line, 4, std::string::npos);
    if (line[3] == ' ') break;
  }
  bool ok = expect == 0 || (expect < 10 ? *code / 100 == expect
                                        : expect < 100 ? *code / 10 == expect : *code == expect);
  if (!ok) return absl::UnavailableError(absl::StrCat(*code, " ", *msg));
  return absl::OkStatus();
}

absl::Status SmtpClient::Cmd(int expect, std::string_view line, int* code, std::string* msg) {
  int c;
  std::string m;
  if (auto s = conn_->WriteAll(absl::StrCat(AV(line), "\r\n")); !s.ok()) return s;
  auto s = ReadReply(expect, &c, &m);
  if (code != nullptr) *code = c;
  if (msg != nullptr) *msg = m;
  return s;
}

absl::Status SmtpClient::Ehlo() {
  std::string msg;
  if (auto s = Cmd(250, absl::StrCat("EHLO ", local_name_), nullptr, &msg); !s.ok()) return s;
  ext_.clear();
  std::vector<std::string> lines = absl::StrSplit(msg, '\n');
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> kv = absl::StrSplit(lines[i], absl::MaxSplits(' ', 1));
    ext_[kv[0]] = kv.size() > 1 ? kv[1] : "";
  }
  return absl::OkStatus();
}

absl::Status SmtpClient::EnsureHello() {
  if (did_hello_) return absl::OkStatus();
  did_hello_ = true;
  if (Ehlo().ok()) return absl::OkStatus();
  return Cmd(250, absl::StrCat("HELO ", local_name_));
}

absl::Status SmtpClient::Hello(std::string_view name) {
  if (name.find_first_of("\r\n") != std::string_view::npos) {
    return absl::InvalidArgumentError("smtp: hello name contains CR or LF");
  }
  if (did_hello_) return absl::FailedPreconditionError("smtp: Hello called after other methods");
  local_name_ = std::string(name);
  return EnsureHello();
}

bool SmtpClient::Extension(std::string_view ext, std::string* params) {
  if (!EnsureHello().ok()) return false;
  auto it = ext_.find(absl::AsciiStrToUpper(AV(ext)));
  if (it == ext_.end()) return false;
  if (params != nullptr) *params = it->second;
  return true;
}

absl::Status SmtpClient::StartTls(const config::TlsConfig& tls) {
  if (auto s = EnsureHello(); !s.ok()) return s;
  if (auto s = Cmd(220, "STARTTLS"); !s.ok()) return s;
  if (auto s = conn_->StartTls(host_, tls); !s.ok()) return s;
  return Ehlo();
}

absl::Status SmtpClient::Auth(const SmtpAuth& a) {
  if (auto s = EnsureHello(); !s.ok()) return s;
  std::string mech, resp;
  bool has_initial = false;
  switch (a.mech) {
    case SmtpAuth::Mech::kNone:
      return absl::OkStatus();
    case SmtpAuth::Mech::kPlain:
      // Go's PlainAuth refuses to send the password in the clear except to
      // the local host.
      if (!tls() && host_ != "localhost" && host_ != "127.0.0.1" && host_ != "::1") {
        return absl::FailedPreconditionError("unencrypted connection");
      }
      mech = "PLAIN";
      resp = absl::StrCat(a.identity, std::string(1, '\0'), a.username, std::string(1, '\0'), a.password);
      has_initial = true;
      break;
    case SmtpAuth::Mech::kLogin:
      mech = "LOGIN";
      break;
    case SmtpAuth::Mech::kCramMd5:
      mech = "CRAM-MD5";
      break;
  }
  std::string line = absl::StrCat("AUTH ", mech);
  if (has_initial) absl::StrAppend(&line, " ", absl::Base64Escape(resp));
  int code;
  std::string msg;
  auto s = Cmd(0, line, &code, &msg);
  while (s.ok()) {
    if (code == 235) return absl::OkStatus();
    if (code != 334) {
      s = absl::UnavailableError(absl::StrCat(code, " ", msg));
      break;
    }
    std::string challenge;
    if (!absl::Base64Unescape(AV(msg), &challenge)) {
      s = absl::UnavailableError("malformed AUTH challenge");
      break;
    }
    std::string answer;
    if (a.mech == SmtpAuth::Mech::kLogin) {
      std::string lower = absl::AsciiStrToLower(challenge);
      if (lower == "username:") {
        answer = a.username;
      } else if (lower == "password:") {
        answer = a.password;
      } else {
        s = absl::UnavailableError("unexpected server challenge");
        break;
      }
    } else if (a.mech == SmtpAuth::Mech::kCramMd5) {
      unsigned char mac[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      HMAC(EVP_md5(), a.secret.data(), static_cast<int>(a.secret.size()),
           reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), mac, &len);
      answer = absl::StrCat(a.username, " ",
                            absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac), len)));
    } else {
      s = absl::UnavailableError("unexpected server challenge");
      break;
    }
    s = Cmd(0, absl::Base64Escape(answer), &code, &msg);
  }
  (void)Cmd(501, "*");  // abort the exchange, as Go does
  return s;
}

absl::Status SmtpClient::Mail(std::string_view from) {
  if (from.find_first_of("\r\n") != std::string_view::npos) return absl::InvalidArgumentError("smtp: CR/LF in address");
  if (auto s = EnsureHello(); !s.ok()) return s;
  std::string line = absl::StrCat("MAIL FROM:<", AV(from), ">");
  if (ext_.count("8BITMIME") != 0) line += " BODY=8BITMIME";
  return Cmd(250, line);
}

absl::Status SmtpClient::Rcpt(std::string_view to) {
  if (to.find_first_of("\r\n") != std::string_view::npos) return absl::InvalidArgumentError("smtp: CR/LF in address");
  return Cmd(25, absl::StrCat("RCPT TO:<", AV(to), ">"));
}

absl::Status SmtpClient::Data(std::string_view message) {
  if (auto s = Cmd(354, "DATA"); !s.ok()) return s;
  // Dot-stuffing, bare LF to CRLF, and the final "." line.
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (line_start && c == '.') out.push_back('.');
    if (c == '\n' && (i == 0 || message[i - 1] != '\r')) out.push_back('\r');
    out.push_back(c);
    line_start = c == '\n';
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  if (auto s = conn_->WriteAll(out); !s.ok()) return s;
  int code;
  std::string msg;
  return ReadReply(250, &code, &msg);
}

absl::Status SmtpClient::Quit() { return Cmd(221, "QUIT"); }

}  // namespace pharos::am::notifiers
